import type { IssuingConfig } from './issuing-config';

/**
 * The authorization-server metadata (RFC 8414; served at the OIDC discovery path too, so that
 * `authority`-based verifiers find `jwks_uri`). Lists only what this API does: the refresh-token
 * grant, revocation, its signing algorithms. It has no authorization endpoint; logins are the
 * app's own (`TokenService.issue`), so `response_types_supported` is empty.
 */
export function discoveryDocument(config: IssuingConfig): Record<string, unknown> {
  const base = config.baseUrl;
  const authMethods =
    config.clients.size > 0 ? ['none', 'client_secret_basic', 'client_secret_post'] : ['none'];
  const algorithms = config.algorithms;
  return {
    issuer: config.issuer,
    jwks_uri: `${base}/.well-known/jwks.json`,
    token_endpoint: `${base}/${config.routePrefix}/token`,
    revocation_endpoint: `${base}/${config.routePrefix}/revoke`,
    grant_types_supported: ['refresh_token'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    ...(config.scopes ? { scopes_supported: [...config.scopes] } : {}),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algorithms,
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'sid'],
  };
}
