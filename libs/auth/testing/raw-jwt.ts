import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** A signing key pair with the public JWK a JWKS endpoint would serve for it. */
export interface TestKey {
  /** The `kid` in the JWK and in the headers of tokens signed with this key. */
  kid: string;
  /** The JWS algorithm this key is published for. */
  alg: 'RS256' | 'ES256' | 'PS256';
  /** Private half; signs tokens. */
  privateKey: KeyObject;
  /** Public half. */
  publicKey: KeyObject;
  /**
   * The public JWK: `kty`, `use`, `alg`, `kid` and the public parameters (`n`, `e` or `crv`, `x`,
   * `y`), plus `issuer` when a test issuer sets one. Never any private member.
   */
  publicJwk: Record<string, unknown>;
}

/** Asymmetric JWS algorithms (RFC 7518 §3.3–3.5) that {@link signJws} can produce. */
export type AsymmetricAlg =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

/** HMAC JWS algorithms (RFC 7518 §3.2), for key-confusion tokens. */
export type HmacAlg = 'HS256' | 'HS384' | 'HS512';

/**
 * How {@link rawJwt} makes the third segment: an asymmetric signature, an HMAC keyed with any
 * bytes (e.g. the victim's public key PEM), `'none'` (empty segment), or a given segment verbatim.
 */
export type RawJwtSigner =
  | { key: KeyObject; alg: AsymmetricAlg }
  | { hmacKey: Buffer | string; alg: HmacAlg }
  | 'none'
  | { signature: string };

const ASYMMETRIC_ALGS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
];

/** True when `alg` names an algorithm {@link signJws} can sign with. */
export function isAsymmetricAlg(alg: unknown): alg is AsymmetricAlg {
  return typeof alg === 'string' && ASYMMETRIC_ALGS.includes(alg);
}

/**
 * RFC 7515 §2 base64url without padding. A string is encoded as its UTF-8 bytes.
 *
 * @example b64u('{"alg":"none"}') // 'eyJhbGciOiJub25lIn0'
 */
export function b64u(input: string | Buffer): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : input).toString('base64url');
}

/**
 * Signs a JWS signing input (`header.payload`) and returns the base64url signature.
 * RS* = RSASSA-PKCS1-v1_5, PS* = RSASSA-PSS with salt length = hash length, ES* = ECDSA in the
 * JOSE `r || s` form (RFC 7518 §3.4), not DER.
 *
 * @throws Error from node:crypto when the key does not fit the algorithm.
 */
export function signJws(alg: AsymmetricAlg, key: KeyObject, signingInput: string): string {
  const bits = Number(alg.slice(2));
  const hash = `sha${bits}`;
  const data = Buffer.from(signingInput, 'utf8');
  switch (alg.slice(0, 2)) {
    case 'PS':
      return sign(hash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: bits / 8,
      }).toString('base64url');
    case 'ES':
      return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    default:
      return sign(hash, data, key).toString('base64url');
  }
}

/**
 * Builds a compact JWS by hand, for malformed and hostile tokens. Never goes through a JWT library,
 * which would normalise the input: a `string` (or `Buffer`) header or payload is encoded byte-exact,
 * so duplicate keys, `1e309`, `__proto__` members or overlong UTF-8 survive; an object is
 * `JSON.stringify`-ed.
 *
 * @example
 * rawJwt('{"alg":"RS256","kid":"k1","alg":"none"}', payload, { key: k1.privateKey, alg: 'RS256' });
 * rawJwt({ alg: 'HS256', kid: 'k1' }, payload, { hmacKey: pem, alg: 'HS256' }); // key confusion
 */
export function rawJwt(
  header: string | Buffer | object,
  payload: string | Buffer | object,
  signer: RawJwtSigner,
): string {
  const input = `${segment(header)}.${segment(payload)}`;
  if (signer === 'none') return `${input}.`;
  if ('signature' in signer) return `${input}.${signer.signature}`;
  if ('hmacKey' in signer) {
    const mac = createHmac(`sha${signer.alg.slice(2)}`, signer.hmacKey).update(input);
    return `${input}.${mac.digest('base64url')}`;
  }
  return `${input}.${signJws(signer.alg, signer.key, input)}`;
}

/**
 * Generates an RSA key pair (RSA-2048 unless told) published for RS256 (or PS256). Use it for
 * attacker keys too: just never publish them. Takes ~50–100 ms for 2048 bits.
 */
export function generateRsaKey(
  kid: string,
  modulusLength = 2048,
  alg: 'RS256' | 'PS256' = 'RS256',
): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return toTestKey(kid, alg, privateKey, publicKey);
}

/** Generates a P-256 key pair published for ES256. */
export function generateEcKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return toTestKey(kid, 'ES256', privateKey, publicKey);
}

function toTestKey(
  kid: string,
  alg: TestKey['alg'],
  privateKey: KeyObject,
  publicKey: KeyObject,
): TestKey {
  // Exporting the *public* KeyObject is what guarantees no d/p/q/dp/dq/qi can leak into the JWK.
  const { kty, n, e, crv, x, y } = publicKey.export({ format: 'jwk' });
  const params = kty === 'EC' ? { crv, x, y } : { n, e };
  return { kid, alg, privateKey, publicKey, publicJwk: { kty, use: 'sig', alg, kid, ...params } };
}

function segment(part: string | Buffer | object): string {
  if (typeof part === 'string' || Buffer.isBuffer(part)) return b64u(part);
  return b64u(JSON.stringify(part));
}
