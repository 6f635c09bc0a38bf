import type { AuthModuleOptions, EntraOptions, TokenProviderOptions } from '../auth.options';

const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

/**
 * Expands the `entra` preset into a provider, as Microsoft.Identity.Web configures one:
 * v1 and v2 issuers, the client id (v2) and App ID URI (v1) as audiences, the tenant's JWKS, and
 * A8 (scope or app role required) on.
 */
export function entraProvider(
  entra: EntraOptions,
  options: AuthModuleOptions,
): TokenProviderOptions {
  const instance = (entra.instance ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  const multiTenant = MULTI_TENANT.has(entra.tenantId.toLowerCase());
  const tenant = multiTenant ? '{tenantid}' : entra.tenantId;
  return {
    name: 'entra',
    issuer: [`${instance}/${tenant}/v2.0`, `https://sts.windows.net/${tenant}/`],
    audience: [entra.clientId, entra.appIdUri ?? `api://${entra.clientId}`],
    jwksUri:
      entra.jwksUri ?? `${instance}/${multiTenant ? 'common' : entra.tenantId}/discovery/v2.0/keys`,
    allowedTenants: entra.allowedTenants,
    algorithms: options.algorithms,
    requireScopeOrRole: options.requireScopeOrRole ?? true,
  };
}
