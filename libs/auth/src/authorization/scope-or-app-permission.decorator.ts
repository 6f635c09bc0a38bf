import { guarded, type AuthorizationDecorator } from './claim-decorator';
import type { ScopesOrAppPermissionsRequirement } from './requirement';
import { appendRequirement, SCOPES_OR_APP_PERMISSIONS_METADATA } from './requirement-metadata';
import { checkNameLists } from './requirement-names';

/** What `@ScopesOrAppPermissions` accepts. Both lists are required and non-empty. */
export interface ScopesOrAppPermissionsOptions {
  /** Delegated scopes that let a **user** token through (any one of them). */
  scopes: readonly string[];
  /** App roles (application permissions) that let an **application** token through (any one). */
  appPermissions: readonly string[];
}

/**
 * Delegated-or-application (DESIGN A4), as Microsoft.Identity.Web's
 * `[RequiredScopeOrAppPermission]`: one requirement that a user token (`AuthUser.kind === 'user'`)
 * passes with any of `scopes`, and an application token (client credentials,
 * `kind === 'app'`) passes with any of `appPermissions` in its `roles`.
 *
 * Each branch counts only for its kind of token: an app role in a user token, or a scope in an
 * app token, does not pass. Matches are whole-string and case-sensitive. Combines with the
 * route's other requirements by AND (DESIGN A5); also applies `UseGuards(JwtAuthGuard,
 * ClaimsGuard)`; `@Public()` skips it. Failing: 403 `insufficient_scope` with `scope="…"` listing
 * the scopes and then the app permissions.
 *
 * `reflector.get(ScopesOrAppPermissions, target)` returns the target's
 * `readonly ScopesOrAppPermissionsRequirement[]`.
 *
 * @example
 * ```ts
 * @Get('reports')
 * @ScopesOrAppPermissions({ scopes: ['Reports.Read'], appPermissions: ['Reports.Read.All'] })
 * reports() {}
 * ```
 * @throws TypeError at start-up when the options are not an object, have other keys than
 *   `scopes` and `appPermissions`, or either list is missing, empty or holds a bad name.
 */
export const ScopesOrAppPermissions = Object.freeze(
  Object.assign(
    (options: ScopesOrAppPermissionsOptions): AuthorizationDecorator => {
      const requirement = parseOptions(options);
      return guarded(appendRequirement(SCOPES_OR_APP_PERMISSIONS_METADATA, requirement, NAME));
    },
    { KEY: SCOPES_OR_APP_PERMISSIONS_METADATA.KEY },
  ),
);

const NAME = '@ScopesOrAppPermissions';

function parseOptions(options: unknown): ScopesOrAppPermissionsRequirement {
  const { scopes, appPermissions } = checkNameLists(
    NAME,
    options,
    [
      { key: 'scopes', kind: 'scope' },
      { key: 'appPermissions', kind: 'role' },
    ],
    { required: true, example: "{ scopes: ['Data.Read'], appPermissions: ['Data.Read.All'] }" },
  );
  return Object.freeze({ list: 'scopesOrAppPermissions' as const, scopes, appPermissions });
}
