import type { IssuingOptions } from './issuing/issuing.options';
import type { RedisStoresOptions } from './stores/redis/redis-stores.options';

/** One trusted token issuer (DESIGN V11): a token is checked only against the provider its `iss` names. */
export interface TokenProviderOptions {
  /** A name for events and logs. Default: the first issuer. */
  name?: string;
  /**
   * Accepted `iss` values, compared exactly (RFC 7519 §2, no normalisation). A value may hold the
   * `{tenantid}` template; it then matches only when the substituted value equals the token's `tid`.
   */
  issuer: string | string[];
  /** Accepted `aud` values; the token's `aud` (string or array) must contain one (RFC 7519 §4.1.3). */
  audience: string | string[];
  /** The JWKS URL. Give this, `authority`, or `jwksLoader`. */
  jwksUri?: string;
  /** OIDC authority: the JWKS URL is read from `<authority>/.well-known/openid-configuration`. */
  authority?: string;
  /** Loads the key set (`{ keys: [...] }`) yourself; used for the API's own signing keys. */
  jwksLoader?: () => Promise<unknown>;
  /** Entra multi-tenant: only these tenant ids (`tid`) are accepted. Default: any. */
  allowedTenants?: string[];
  /** Accepted `alg` values. Default `['RS256']`. `none` and HMAC are never accepted. */
  algorithms?: string[];
  /** Required JOSE `typ` (e.g. `at+jwt`, RFC 9068 §2.1), compared case-insensitively. Default: not checked. */
  tokenType?: string;
  /** DESIGN A8: refuse a token that has neither a scope nor an app role. Default false (Entra preset: true). */
  requireScopeOrRole?: boolean;
}

/** The Microsoft Entra ID preset (DESIGN V3, V4). */
export interface EntraOptions {
  /** Your tenant id, or `common` / `organizations` for a multi-tenant API. */
  tenantId: string;
  /** The API's application (client) id: the `aud` of v2 tokens. */
  clientId: string;
  /** The App ID URI when it is not `api://<clientId>`: the `aud` of v1 tokens. */
  appIdUri?: string;
  /** Multi-tenant: only accept these tenants. */
  allowedTenants?: string[];
  /** Cloud instance. Default `https://login.microsoftonline.com`. */
  instance?: string;
  /** Where to fetch the keys, when not from the instance (sovereign clouds, a test kit). */
  jwksUri?: string;
}

/** JWKS fetching and caching (DESIGN V7). Durations in seconds unless the name ends in `Ms`. */
export interface JwksOptions {
  /** How long a fetched key set is fresh. Default 600. */
  cacheMaxAge?: number;
  /** Minimum time between two refetches caused by unknown `kid`s, per provider. Default 30. */
  cooldown?: number;
  /** Total deadline of one fetch, headers and body, in ms. Default 5000. */
  timeoutMs?: number;
  /** Largest accepted JWKS response body, in bytes. Default 524288 (512 KiB). */
  maxResponseBytes?: number;
  /** How long last good keys keep serving while the endpoint fails. Default 86400 (1 day). */
  staleIfErrorMaxAge?: number;
  /** Most unknown-kid refetches in any minute, whatever the cooldown. Default 10. */
  maxRefetchesPerMinute?: number;
  /** Smallest accepted RSA modulus, in bits. Default 2048. */
  minRsaModulusBits?: number;
}

/** Validation cache (DESIGN V8). */
export interface ValidationCacheOptions {
  /** Longest a result is kept, in seconds (never past the token's `exp`). Default 300. */
  maxAge?: number;
  /** Most entries kept (LRU). Default 10000. */
  maxEntries?: number;
}

/**
 * Options of `AuthModule.forRoot()` / `forRootAsync()`. Give one provider inline (`issuer`,
 * `audience`, `jwksUri`/`authority`), several in `providers`, the `entra` preset, `issuing`, or
 * any mix. Every default is listed in `AUTH_DEFAULTS`.
 */
export interface AuthModuleOptions extends Partial<Omit<TokenProviderOptions, 'name'>> {
  /** More trusted providers (DESIGN V11). */
  providers?: TokenProviderOptions[];
  /** Microsoft Entra ID preset: fills in authority, issuers (v1 and v2), audiences and JWKS. */
  entra?: EntraOptions;
  /** Issue the API's own tokens (signing keys, JWKS, token endpoint, refresh rotation). */
  issuing?: IssuingOptions;
  /** `realm` of every `WWW-Authenticate` challenge. Default `'api'`. */
  realm?: string;
  /** One tolerance for `exp`, `nbf` and `iat`, in seconds (DESIGN V5). Default 60. */
  clockTolerance?: number;
  /** Longest accepted `exp − iat`, in seconds. Default 108000 (30 h; Entra CAE tokens live > 24 h). */
  maxTokenLifetime?: number;
  /** Largest accepted bearer token, in characters, checked before any decoding. Default 12288. */
  maxTokenLength?: number;
  /** JWKS fetching and caching. */
  jwks?: JwksOptions;
  /** Validation cache; `false` turns it off (validation itself is never off). */
  validationCache?: ValidationCacheOptions | false;
  /** How long groups resolved by a `GroupsResolver` are cached per subject, in seconds. Default 300. */
  groupsCacheTtl?: number;
  /**
   * Where state lives (DESIGN S1). Default: in memory (one instance). `redis` shares refresh
   * families, revocations and signing keys between instances through Redis or Redis Cluster:
   * `{ url }` (the module opens and closes its connections) or `{ client }` (your ioredis `Redis`
   * or `Cluster`, never closed by the module), and `keyPrefix` (default `'auth:'`).
   */
  stores?: { redis?: RedisStoresOptions };
}

/** Every default, in one place (STYLE 6). */
export const AUTH_DEFAULTS = {
  realm: 'api',
  algorithms: ['RS256'],
  clockTolerance: 60,
  maxTokenLifetime: 30 * 3600,
  maxTokenLength: 12 * 1024,
  groupsCacheTtl: 300,
  jwks: {
    cacheMaxAge: 600,
    cooldown: 30,
    timeoutMs: 5000,
    maxResponseBytes: 512 * 1024,
    staleIfErrorMaxAge: 86400,
    maxRefetchesPerMinute: 10,
    minRsaModulusBits: 2048,
  },
  validationCache: { maxAge: 300, maxEntries: 10_000 },
} as const;
