import { claimDecorator } from './claim-decorator';
import { GROUPS_METADATA } from './requirement-metadata';

/**
 * Requires group membership (DESIGN A3): the token's `groups` claim (Entra: group object ids),
 * as `AuthUser.groups` holds them.
 *
 * - `@Groups('id1', 'id2')` passes with **any** of the groups (the default);
 *   `@Groups.all('id1', 'id2')` only with **every** one. Ids match whole and case-sensitively.
 * - Groups overage: when the token says its groups did not fit (`_claim_names.groups` or
 *   `hasgroups`), `ClaimsGuard` asks the `GroupsResolver` provider and caches the answer per
 *   subject for `groupsCacheTtl` seconds (default 300). The default resolver denies with a 403
 *   that says so; provide your own to look groups up in Microsoft Graph.
 * - Each decoration (class, handler, or stacked) is a separate requirement; all must pass (A5).
 * - Also applies `UseGuards(JwtAuthGuard, ClaimsGuard)`; `@Public()` skips it.
 * - Failing: 403 `insufficient_scope` with `scope="id1 id2"` listing the groups (DESIGN E4).
 *
 * `reflector.get(Groups, target)` returns the target's `readonly ClaimRequirement[]`.
 *
 * @example
 * ```ts
 * const PAYMENTS_ADMINS = '5f3c2a10-0d6e-4b8e-9a3f-2c1d7e6b9a01';
 *
 * @Delete(':id')
 * @Groups(PAYMENTS_ADMINS)
 * remove() {}
 * ```
 * @throws TypeError at start-up when given no ids, a non-string, an empty string, or an id
 *   with leading/trailing whitespace or control characters; or when put on a property.
 */
export const Groups = claimDecorator('Groups', 'groups', 'group', GROUPS_METADATA);
