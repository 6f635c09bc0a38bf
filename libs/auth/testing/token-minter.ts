import { randomUUID, type KeyObject } from 'node:crypto';
import { isAsymmetricAlg, rawJwt, type AsymmetricAlg, type TestKey } from './raw-jwt';

/** Per-token options of {@link mintJwt} and `TestIssuer.mint`. */
export interface MintOptions {
  /** Header `kid`. Default: the signing key's kid (`k1` on a `TestIssuer`). */
  kid?: string;
  /** Merged over the default header `{ alg, typ: 'JWT', kid }`; a member set to `undefined` is removed. */
  header?: Record<string, unknown>;
  /** Private key to sign with instead of the kid's own, e.g. an attacker key behind kid `k1`. */
  signWith?: KeyObject;
  /**
   * Header `alg`, and the signing algorithm when it is RS/PS/ES 256–512 and fits the key. `'none'`
   * leaves the signature empty. Any other value only goes in the header (the signature stays the
   * key's default algorithm); use `rawJwt` for HMAC key confusion.
   */
  alg?: string;
  /** Epoch seconds the default `iat`/`nbf`/`exp` are based on. Default: now. */
  now?: number;
}

/** Everything {@link mintJwt} needs: a key (or `signWith`), base claims, and per-token options. */
export interface MintJwtOptions extends MintOptions {
  /** The key whose kid and algorithm are the defaults, and whose private key signs. */
  key?: TestKey;
  /** Claims that sit between the built-in defaults and `claims`, e.g. `{ iss, aud }`. */
  defaults?: Record<string, unknown>;
  /** Merged over all defaults; a claim set to `undefined` is removed. */
  claims?: Record<string, unknown>;
}

/**
 * Mints a signed JWT. Default header `{ alg, typ: 'JWT', kid }`; default payload `sub: 'user-1'`,
 * `iat` and `nbf` now − 60, `exp` now + 3600, a random `jti`, then `defaults`, then `claims`.
 *
 * @throws TypeError when there is neither `key` nor `signWith`, or the key type is unsupported.
 */
export function mintJwt(options: MintJwtOptions): string {
  const signingKey = options.signWith ?? options.key?.privateKey;
  if (!signingKey) throw new TypeError('mintJwt: give `key` or `signWith`');
  const fallbackAlg = defaultAlg(signingKey, options.key?.alg);
  const alg = options.alg ?? fallbackAlg;
  const now = options.now ?? Math.floor(Date.now() / 1000);

  const header = withoutUndefined({
    alg,
    typ: 'JWT',
    kid: options.kid ?? options.key?.kid,
    ...options.header,
  });
  const payload = withoutUndefined({
    sub: 'user-1',
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    jti: randomUUID(),
    ...options.defaults,
    ...options.claims,
  });

  if (alg === 'none') return rawJwt(header, payload, 'none');
  const signAlg = isAsymmetricAlg(alg) && fits(signingKey, alg) ? alg : fallbackAlg;
  return rawJwt(header, payload, { key: signingKey, alg: signAlg });
}

/** The key's published alg if the signing key can make it, else the natural alg of the key type. */
function defaultAlg(key: KeyObject, published: AsymmetricAlg | undefined): AsymmetricAlg {
  if (published && fits(key, published)) return published;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'rsa-pss':
      return 'PS256';
    case 'ec':
      return ES_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'ES256';
    default:
      throw new TypeError(`mintJwt: unsupported key type ${String(key.asymmetricKeyType)}`);
  }
}

const ES_BY_CURVE: Record<string, AsymmetricAlg> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

function fits(key: KeyObject, alg: AsymmetricAlg): boolean {
  const type = key.asymmetricKeyType;
  if (alg.startsWith('ES')) return ES_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''] === alg;
  if (alg.startsWith('PS')) return type === 'rsa' || type === 'rsa-pss';
  return type === 'rsa';
}

// Object.fromEntries defines own properties, so a `__proto__` claim stays a claim, not a prototype.
function withoutUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
