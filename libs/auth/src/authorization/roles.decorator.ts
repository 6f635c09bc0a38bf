import { claimDecorator } from './claim-decorator';
import { ROLES_METADATA } from './requirement-metadata';

/**
 * Requires app roles (DESIGN A2): the token's `roles` claim — roles assigned to a user, or the
 * application permissions of a daemon app (client-credentials token) — as `AuthUser.roles`
 * holds them. `roles` must be an array of strings; `"Admin"` (a string) grants nothing.
 *
 * - `@Roles('A', 'B')` passes with **any** of the names (the default, like ASP.NET's
 *   `[Authorize(Roles = "A,B")]`); `@Roles.all('A', 'B')` only with **every** one.
 * - Whole-string, case-sensitive matches: `admin`, `Admin ` and `SuperAdmin` never satisfy `Admin`.
 * - Each decoration (class, handler, or stacked) is a separate requirement; all must pass (A5).
 * - Also applies `UseGuards(JwtAuthGuard, ClaimsGuard)`; `@Public()` skips it.
 * - Failing: 403 `insufficient_scope` with `scope="A B"` listing the roles (DESIGN E4).
 *
 * `reflector.get(Roles, target)` returns the target's `readonly ClaimRequirement[]`.
 *
 * @example
 * ```ts
 * @Post(':id/approve')
 * @Roles('Payments.Approver')
 * approve() {}
 * ```
 * @throws TypeError at start-up when given no names, a non-string, an empty string, or a name
 *   with leading/trailing whitespace or control characters; or when put on a property.
 */
export const Roles = claimDecorator('Roles', 'roles', 'role', ROLES_METADATA);
