import { guarded, type AuthorizationDecorator } from './claim-decorator';
import type { ScopesOrAppPermissionsRequirement } from './requirement';
import { appendRequirement, SCOPES_OR_APP_PERMISSIONS_METADATA } from './requirement-metadata';
import { checkNames } from './requirement-names';

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
  const usage = `e.g. ${NAME}({ scopes: ['Data.Read'], appPermissions: ['Data.Read.All'] })`;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${NAME}() takes { scopes, appPermissions }, ${usage}`);
  }
  const unknown = Object.keys(options).filter((k) => k !== 'scopes' && k !== 'appPermissions');
  if (unknown.length > 0) {
    throw new TypeError(
      `${NAME}(): unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ` +
        `it takes scopes and appPermissions, ${usage}`,
    );
  }
  const { scopes, appPermissions } = options as Record<string, unknown>;
  return Object.freeze({
    list: 'scopesOrAppPermissions' as const,
    scopes: checkNames(NAME, 'scope', listOf('scopes', scopes, usage), 'scopes'),
    appPermissions: checkNames(
      NAME,
      'role',
      listOf('appPermissions', appPermissions, usage),
      'appPermissions',
    ),
  });
}

function listOf(field: string, value: unknown, usage: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`${NAME}(): ${field} must be a non-empty array of names, ${usage}`);
  }
  return value;
}
