/** A public JWK as published in a key set; only the members we read. */
export interface PublishedJwk {
  kty: string;
  kid: string;
  use?: string;
  alg?: string;
  key_ops?: string[];
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
  /** Entra multi-tenant keys name the issuer they may sign for (a `{tenantid}` template). */
  issuer?: string;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const CURVES = new Set(['P-256', 'P-384', 'P-521']);

/**
 * Keeps only the entries of a key set that may verify our tokens: RSA or EC signature keys with a
 * kid, meant for `verify`, of an allowed algorithm, big enough, and public only. A kid that two
 * usable entries share names no key for sure, so both are dropped: the kid selects exactly one key
 * or none (RFC 7517 §4.5; no "try every key" fallback).
 */
export function usableJwks(
  body: unknown,
  algorithms: readonly string[],
  minRsaBits: number,
): PublishedJwk[] {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return [];
  const usable = keys.filter((jwk): jwk is PublishedJwk => isUsable(jwk, algorithms, minRsaBits));
  const seen = new Map<string, number>();
  for (const jwk of usable) seen.set(jwk.kid, (seen.get(jwk.kid) ?? 0) + 1);
  return usable.filter((jwk) => seen.get(jwk.kid) === 1);
}

function isUsable(jwk: unknown, algorithms: readonly string[], minRsaBits: number): boolean {
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return false;
  const k = jwk as Record<string, unknown>;
  if (typeof k.kid !== 'string' || k.kid.length === 0 || k.kid.length > 256) return false;
  if (PRIVATE_MEMBERS.some((m) => m in k)) return false;
  if (k.use !== undefined && k.use !== 'sig') return false;
  if (k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.includes('verify')))
    return false;
  if (k.alg !== undefined && !(typeof k.alg === 'string' && algorithms.includes(k.alg)))
    return false;
  if (k.issuer !== undefined && typeof k.issuer !== 'string') return false;
  if (k.kty === 'RSA') {
    return (
      typeof k.n === 'string' &&
      typeof k.e === 'string' &&
      modulusBits(k.n) >= minRsaBits &&
      exponentIsSound(k.e)
    );
  }
  if (k.kty === 'EC') {
    return (
      typeof k.crv === 'string' &&
      CURVES.has(k.crv) &&
      typeof k.x === 'string' &&
      typeof k.y === 'string'
    );
  }
  return false;
}

function modulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let leadingZeros = 0;
  while (leadingZeros < bytes.length && bytes[leadingZeros] === 0) leadingZeros++;
  if (leadingZeros === bytes.length) return 0;
  return (bytes.length - leadingZeros - 1) * 8 + (32 - Math.clz32(bytes[leadingZeros]));
}

/** An RSA public exponent must be odd and at least 3: with `e = 1` any value "verifies". */
function exponentIsSound(e: string): boolean {
  const bytes = Buffer.from(e, 'base64url');
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first++;
  if (first === bytes.length || (first === bytes.length - 1 && bytes[first] < 3)) return false;
  return (bytes[bytes.length - 1] & 1) === 1;
}

/** Which algorithms a key can verify: RS and PS families for RSA, the matching ES for a curve. */
export function keyFitsAlgorithm(jwk: PublishedJwk, alg: string): boolean {
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (jwk.kty === 'RSA') return /^(RS|PS)(256|384|512)$/.test(alg);
  if (jwk.kty === 'EC') {
    return (
      (jwk.crv === 'P-256' && alg === 'ES256') ||
      (jwk.crv === 'P-384' && alg === 'ES384') ||
      (jwk.crv === 'P-521' && alg === 'ES512')
    );
  }
  return false;
}
