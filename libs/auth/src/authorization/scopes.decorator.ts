import { claimDecorator } from './claim-decorator';
import { SCOPES_METADATA } from './requirement-metadata';

/**
 * Requires delegated scopes (DESIGN A1): the token's `scp` (Entra: one space-separated string)
 * or standard `scope` claim, as `AuthUser.scopes` holds them.
 *
 * - `@Scopes('A', 'B')` passes with **any** of the names (the default);
 *   `@Scopes.all('A', 'B')` only with **every** one.
 * - Names match whole and case-sensitively (RFC 6749 §3.3): `Data.ReadWrite`, `data.read` and
 *   `XData.Read` never satisfy `Data.Read`. App roles never satisfy a scope (ATTACKS CLM-14);
 *   to accept either, use `@ScopesOrAppPermissions`.
 * - On a class and on its handlers, each decoration is a separate requirement and all must pass
 *   (DESIGN A5): a handler can add to its controller's requirement, never loosen it.
 * - Also applies `UseGuards(JwtAuthGuard, ClaimsGuard)`, so it is enforced even without the
 *   module's global guards. `@Public()` on the handler or class skips it.
 * - Failing: 403 with `WWW-Authenticate: Bearer realm="…", error="insufficient_scope",
 *   error_description="…", scope="A B"` (DESIGN E4).
 *
 * `reflector.get(Scopes, target)` returns the target's `readonly ClaimRequirement[]`.
 *
 * @example
 * ```ts
 * @Controller('payments')
 * @Scopes('Payments.Read', 'Payments.Write')        // any of them…
 * export class PaymentsController {
 *   @Get() list() {}
 *   @Post() @Scopes.all('Payments.Write', 'Payments.Sign') create() {} // …and both of these
 * }
 * ```
 * @throws TypeError at start-up when given no names, a non-string, an empty string, or a name
 *   with whitespace or other characters a scope token cannot hold; or when put on a property.
 */
export const Scopes = claimDecorator('Scopes', 'scopes', 'scope', SCOPES_METADATA);
