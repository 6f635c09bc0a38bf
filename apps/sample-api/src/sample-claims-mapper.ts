import { Injectable } from '@nestjs/common';
import { ClaimsMapper } from '@app/auth';
import type { AuthUser } from '@app/auth';
import { ADMIN_GROUP_ID, APPROVER_ROLE } from './sample.constants';

/**
 * "App role `Payments.Approver` **or** the admin group" may approve a payment. The library's
 * requirements combine with AND, so the sample expresses the OR here, in one place: members of
 * the admin group (`groups` claim) are given the app role, as Entra does for app roles assigned
 * to a group. The route then simply says `@Roles('Payments.Approver')`, and the OpenAPI document
 * reads it from there. Tokens with a groups overage carry no `groups`, so they gain nothing here.
 */
@Injectable()
export class SampleClaimsMapper extends ClaimsMapper {
  override map(claims: Readonly<Record<string, unknown>>): AuthUser | string {
    const user = super.map(claims);
    if (typeof user === 'string') return user;
    if (!user.groups.includes(ADMIN_GROUP_ID) || user.roles.includes(APPROVER_ROLE)) return user;
    return { ...user, roles: [...user.roles, APPROVER_ROLE] };
  }
}
