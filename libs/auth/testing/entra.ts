import { randomBytes } from 'node:crypto';

/** Default `azp` (v2) / `appid` (v1): the calling client application's id. Override via `claims`. */
export const ENTRA_TEST_CLIENT_APP_ID = 'c1e1a000-0000-4000-8000-00000000c11e';

/** Default `oid` of the signed-in user. Override via `claims`. */
export const ENTRA_TEST_OID = '0b1d0000-0000-4000-8000-0000000000a1';

/** Options of `TestIssuer.mintEntra` and {@link entraClaims}. */
export interface EntraTokenOptions {
  /** Tenant id (`tid`), placed in the issuer. */
  tenantId: string;
  /** The API's application (client) id: `aud` of a v2 token, `api://<clientId>` for v1. */
  clientId: string;
  /** Token version. Default 2. */
  version?: 1 | 2;
  /**
   * Delegated scopes, space-separated. Default `'access_as_user'` when `roles` is not given either,
   * because a real Entra access token always carries one of the two; remove with
   * `claims: { scp: undefined }`.
   */
  scp?: string;
  /** App roles (`roles` claim, an array). */
  roles?: string[];
  /** Merged over the Entra claims; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Signing key id. Default `k1`. */
  kid?: string;
  /** Epoch seconds that `iat`/`nbf`/`exp` are based on. Default: now. */
  now?: number;
}

/**
 * The issuer Entra puts in tokens of `tenantId`: v2 `https://login.microsoftonline.com/<tid>/v2.0`,
 * v1 `https://sts.windows.net/<tid>/` (with the trailing slash).
 */
export function entraIssuer(tenantId: string, version: 1 | 2 = 2): string {
  return version === 1
    ? `https://sts.windows.net/${tenantId}/`
    : `https://login.microsoftonline.com/${tenantId}/v2.0`;
}

/** The `aud` Entra puts in tokens for the API: v2 the client id, v1 the App ID URI `api://<id>`. */
export function entraAudience(clientId: string, version: 1 | 2 = 2): string {
  return version === 1 ? `api://${clientId}` : clientId;
}

/**
 * Claims shaped like an Entra access token (Microsoft identity platform access token reference):
 * `iss`, `aud`, `tid`, `oid`, `azp` (v2) or `appid` (v1), `ver`, `uti`, and `scp` and/or `roles`.
 * Entra sends `uti` instead of `jti`, so `jti` is set to `undefined` (removed by the minter).
 */
export function entraClaims(options: EntraTokenOptions): Record<string, unknown> {
  const version = options.version ?? 2;
  const scp = options.scp ?? (options.roles ? undefined : 'access_as_user');
  return {
    iss: entraIssuer(options.tenantId, version),
    aud: entraAudience(options.clientId, version),
    tid: options.tenantId,
    oid: ENTRA_TEST_OID,
    [version === 1 ? 'appid' : 'azp']: ENTRA_TEST_CLIENT_APP_ID,
    ver: version === 1 ? '1.0' : '2.0',
    uti: randomBytes(16).toString('base64url'),
    jti: undefined,
    ...(scp === undefined ? {} : { scp }),
    ...(options.roles ? { roles: [...options.roles] } : {}),
    ...options.claims,
  };
}
