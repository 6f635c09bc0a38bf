import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth-user';
import { InsufficientScopeError } from '../errors';

/**
 * Looks up a user's groups when the token could not carry them — a groups overage (DESIGN A3):
 * Entra leaves `groups` out of a JWT when the user is in more than 200 groups and puts
 * `_claim_names.groups` (or, in implicit-flow tokens, `hasgroups: true`) there instead.
 *
 * An abstract class used as its own injection token (STYLE 7). `ClaimsGuard` calls it only for a
 * route with a `@Groups` requirement (or an `@AnyOf` with groups whose scopes and roles did not
 * pass) and a token with `AuthUser.hasGroupsOverage`, and caches the answer per issuer and
 * subject for `groupsCacheTtl` seconds (default 300). The default,
 * `DenyingGroupsResolver`, denies. Provide your own to ask Microsoft Graph:
 *
 * @example
 * ```ts
 * @Injectable()
 * export class GraphGroupsResolver extends GroupsResolver {
 *   constructor(private readonly graph: GraphClient) { super(); }
 *   async resolve(user: AuthUser): Promise<string[]> {
 *     // POST https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects
 *     return this.graph.memberObjects(user.tid!, user.oid!, { securityEnabledOnly: true });
 *   }
 * }
 *
 * AuthModule.forRoot({ ...options, extraProviders: [{ provide: GroupsResolver, useClass: GraphGroupsResolver }] })
 * ```
 */
export abstract class GroupsResolver {
  /**
   * @returns the ids of every group the user is in (transitively, as the `groups` claim would).
   * @throws InsufficientScopeError to deny on purpose (403). Any other error — Graph down, a
   *   timeout, a bug — is answered with 503 `TemporarilyUnavailableError` and logged, never 500
   *   and never a pass; its result is not cached.
   */
  abstract resolve(user: AuthUser): Promise<readonly string[]>;
}

/** The message of the default resolver's 403: what happened and what the application must do. */
export const GROUPS_OVERAGE_MESSAGE =
  'Insufficient permissions: the token has a groups overage (the user is in more groups than ' +
  'fit in a token), so its groups cannot be checked; the application must provide a ' +
  'GroupsResolver provider to look them up';

/**
 * The default `GroupsResolver`: every overage is denied with a 403 `InsufficientScopeError`
 * whose message says the token had a groups overage and that a `GroupsResolver` is needed.
 * Denying is the only safe default: the token alone cannot prove membership.
 */
@Injectable()
export class DenyingGroupsResolver extends GroupsResolver {
  /** @throws InsufficientScopeError always. `ClaimsGuard` fills in the groups that would pass. */
  resolve(_user: AuthUser): Promise<readonly string[]> {
    return Promise.reject(new InsufficientScopeError([], GROUPS_OVERAGE_MESSAGE));
  }
}
