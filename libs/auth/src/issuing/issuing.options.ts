import type { SigningAlgorithm } from '../stores/signing-key-source';

/** Cookie mode (DESIGN R9, RT6): the refresh token travels in an HttpOnly cookie. */
export interface RefreshCookieOptions {
  /** Cookie name. Default `'refresh_token'`. */
  name?: string;
  /** Cookie `Path`. Default `/<routePrefix>` (`/auth`), so the cookie goes only to the token routes. */
  path?: string;
  /**
   * Also return `refresh_token` in the JSON body. Default false: in cookie mode the point is that
   * page scripts never see the refresh token.
   */
  exposeInBody?: boolean;
}

/** A PEM signing key for `PemSigningKeySource` (real deployments; every instance gets the same list). */
export interface PemSigningKeyOptions {
  /** The private key, PEM (PKCS#8, PKCS#1 RSA or SEC1 EC P-256). */
  privateKey: string;
  /**
   * When this key starts signing, epoch seconds. Omit on the first key only (active from the
   * start). To rotate, add a key with `activeFrom` ≥ now + `keys.prePublish`; the key before it
   * retires then, and may be deleted from the list `keys.retireAfter` later.
   */
  activeFrom?: number;
}

/** Signing-key schedule (RT23, RT24). Seconds. */
export interface KeyRotationOptions {
  /** How long a new key is published before it signs; ≥ the JWKS max-age (600). Default 3600. */
  prePublish?: number;
  /**
   * How long a retired key stays published; ≥ accessTokenTtl + clockTolerance + 600.
   * Default 86400.
   */
  retireAfter?: number;
  /**
   * In-memory keys only: start a rotation automatically once the active key is this old.
   * Default: never (keys generated in memory die with the process anyway).
   */
  rotateEvery?: number;
}

/**
 * A confidential client (RFC 6749 §2.3.1): it must authenticate at the token and revocation
 * endpoints with HTTP Basic or `client_secret` in the body.
 */
export interface IssuingClientOptions {
  /** The `client_id`. */
  clientId: string;
  /** The secret. Compared by SHA-256 in constant time. */
  clientSecret: string;
}

/**
 * Options for issuing the API's own tokens (DESIGN R1–R9). Durations are in seconds. Every
 * default is in `ISSUING_DEFAULTS`.
 */
export interface IssuingOptions {
  /** `iss` of the tokens this API issues, e.g. `https://api.example.com`. */
  issuer: string;
  /** `aud` of the access tokens this API issues. */
  audience: string | string[];
  /** Access-token lifetime (RFC 9068 `exp − iat`). Default 900 (15 min). */
  accessTokenTtl?: number;
  /** Refresh idle lifetime, from the last rotation (RT12). Default 1209600 (14 d). */
  refreshIdleTtl?: number;
  /** Refresh absolute lifetime, from the login (RT12). Default 2592000 (30 d). */
  refreshAbsoluteTtl?: number;
  /** RT8: how long a rotated token still gets its successor, 0–60. Default 10. */
  graceSeconds?: number;
  /** RT13: most refresh families (sessions) per subject; one more revokes the oldest. Default 50. */
  maxFamiliesPerSubject?: number;
  /** Path prefix of the token, revoke, session and logout routes. Default `'auth'`. */
  routePrefix?: string;
  /**
   * Public base URL of this API, for the discovery document's endpoint URLs (include any global
   * prefix). Default: `issuer`.
   */
  baseUrl?: string;
  /** Cookie mode (RT6): `true` or cookie settings. Default false. */
  cookie?: boolean | RefreshCookieOptions;
  /** Algorithm of generated keys. Default `'RS256'`. (PEM keys sign with their own type.) */
  algorithm?: SigningAlgorithm;
  /** PEM signing keys; when given, `PemSigningKeySource` is used instead of generated keys. */
  signingKeys?: PemSigningKeyOptions[];
  /** Signing-key schedule. */
  keys?: KeyRotationOptions;
  /** `client_id` of tokens issued without one. Default `'default'`. */
  defaultClientId?: string;
  /** Scopes that may be issued. Default: any syntactically valid scope. */
  scopes?: string[];
  /** Confidential clients; others are public (no secret). Default none. */
  clients?: IssuingClientOptions[];
  /** Longest wait for the refresh store before answering 503 (RT18), ms. Default 2000. */
  storeTimeoutMs?: number;
  /**
   * Mount the module's controllers. Default true. Set false to write your own controllers over
   * `TokenService`, `RefreshGrantService` and `SessionService`.
   */
  mountControllers?: boolean;
}

/** Every issuing default, in one place (STYLE 6). */
export const ISSUING_DEFAULTS = {
  accessTokenTtl: 900,
  refreshIdleTtl: 14 * 86400,
  refreshAbsoluteTtl: 30 * 86400,
  graceSeconds: 10,
  maxFamiliesPerSubject: 50,
  routePrefix: 'auth',
  algorithm: 'RS256' as SigningAlgorithm,
  defaultClientId: 'default',
  storeTimeoutMs: 2000,
  keys: { prePublish: 3600, retireAfter: 86400 },
  cookie: { name: 'refresh_token' },
  /** `Cache-Control: max-age` of the JWKS response; prePublish must be at least this. */
  jwksMaxAge: 600,
  /** RT8: the grace window may be at most this. */
  maxGraceSeconds: 60,
} as const;
