import { guarded, type AuthorizationDecorator } from './claim-decorator';
import type { AnyOfRequirement } from './requirement';
import { ANY_OF_METADATA, appendRequirement } from './requirement-metadata';
import { checkNameLists } from './requirement-names';

/** What `@AnyOf` accepts: at least one of the lists, each non-empty when given. */
export interface AnyOfOptions {
  /** Delegated scopes; one of them in a **user** token passes (app tokens: never). */
  scopes?: readonly string[];
  /** App roles (`roles` claim); one of them passes, in a user or an application token. */
  roles?: readonly string[];
  /** Group ids (`groups` claim); membership of one of them passes, overage handled. */
  groups?: readonly string[];
}

/**
 * One requirement that several kinds of permission can meet (OR): it passes when the token has
 * **any one** of the `scopes`, **or** any one of the app `roles`, **or** the user is in any one of
 * the `groups` — "the app role `Payments.Approver` or the admin group". For "a scope for users,
 * an app permission for daemon apps" use `@ScopesOrAppPermissions`.
 *
 * - `scopes` count only in a user token (`AuthUser.kind === 'user'`): they are delegated
 *   permissions. `roles` and `groups` count in either kind, as with `@Roles` and `@Groups`.
 * - Whole-string, case-sensitive matches, as everywhere (ATTACKS CLM-14).
 * - Groups overage: only when no scope or role of the list passed and the token's own groups do
 *   not either, `ClaimsGuard` asks the `GroupsResolver` (cached, exactly as for `@Groups`); the
 *   default resolver denies with a 403 that says so.
 * - Combines with the route's other requirements — on the class, the handler, or stacked — by
 *   AND (DESIGN A5): the OR is inside this one decoration only. Also applies
 *   `UseGuards(JwtAuthGuard, ClaimsGuard)`; `@Public()` skips it.
 * - Failing: 403 `insufficient_scope` with `scope="…"` listing every name that would pass —
 *   the scopes, then the roles, then the groups (DESIGN E4) — and a message such as
 *   "Insufficient permissions: requires role Payments.Approver or group <id>".
 *
 * `reflector.get(AnyOf, target)` returns the target's `readonly AnyOfRequirement[]` (a kind not
 * given is an empty list).
 *
 * @example
 * ```ts
 * const PAYMENTS_ADMINS = '5f3c2a10-0d6e-4b8e-9a3f-2c1d7e6b9a01';
 *
 * @Post(':id/approve')
 * @AnyOf({ roles: ['Payments.Approver'], groups: [PAYMENTS_ADMINS] })
 * approve() {}
 * ```
 * @throws TypeError at start-up when the options are not an object, have other keys than
 *   `scopes`, `roles` and `groups`, give none of them, or a list is not a non-empty array of
 *   good names (the same checks as `@Scopes`, `@Roles` and `@Groups`); or when put on a property.
 */
export const AnyOf = Object.freeze(
  Object.assign(
    (options: AnyOfOptions): AuthorizationDecorator => {
      const requirement = parseOptions(options);
      return guarded(appendRequirement(ANY_OF_METADATA, requirement, NAME));
    },
    { KEY: ANY_OF_METADATA.KEY },
  ),
);

const NAME = '@AnyOf';

function parseOptions(options: unknown): AnyOfRequirement {
  const { scopes, roles, groups } = checkNameLists(
    NAME,
    options,
    [
      { key: 'scopes', kind: 'scope' },
      { key: 'roles', kind: 'role' },
      { key: 'groups', kind: 'group' },
    ],
    { required: false, example: "{ roles: ['Payments.Approver'], groups: ['<group object id>'] }" },
  );
  return Object.freeze({ list: 'anyOf' as const, scopes, roles, groups });
}
