/** Header members that name key material elsewhere: never followed (RFC 8725 §3.10, DESIGN V2). */
const KEY_REFERENCES = ['jku', 'jwk', 'x5u', 'x5c'];
/** Members that change how the token is processed; we support no extensions (RFC 7515 §4.1.11). */
const PROCESSING = ['crit', 'b64', 'zip', 'enc', 'cty'];
/** Printable ASCII without quote or backslash, so a kid can never break a log line or header. */
const KID = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/;
/** `typ` values of access tokens; anything else (e.g. `dpop+jwt`, `logout+jwt`) is another kind of JWT. */
const ACCESS_TOKEN_TYPES = new Set(['jwt', 'at+jwt', 'application/jwt', 'application/at+jwt']);

/** The header members the rest of validation relies on, after the checks. */
export interface CheckedHeader {
  alg: string;
  kid: string;
}

/**
 * Strict JOSE header checks, done before any key lookup so a bad header costs no JWKS fetch.
 * Returns the reason for a refusal, or the checked header.
 */
export function checkHeader(
  header: Readonly<Record<string, unknown>>,
  algorithms: readonly string[],
  requiredType: string | undefined,
): CheckedHeader | string {
  const { alg, kid, typ } = header;
  if (typeof alg !== 'string' || !algorithms.includes(alg)) return 'Token algorithm is not allowed';
  if (KEY_REFERENCES.some((name) => name in header))
    return 'Token header names key material, which is never used';
  if (PROCESSING.some((name) => name in header))
    return 'Token header uses an unsupported extension';
  if (typeof kid !== 'string' || !KID.test(kid)) return 'Token header has no usable key id (kid)';
  if (typ !== undefined) {
    if (typeof typ !== 'string' || !ACCESS_TOKEN_TYPES.has(typ.toLowerCase()))
      return 'Token type is not an access token';
  }
  if (requiredType !== undefined && !sameType(typ, requiredType))
    return `Token type must be ${requiredType}`;
  return { alg, kid };
}

/** RFC 7515 §4.1.9: `typ` is compared case-insensitively and the `application/` prefix is optional. */
function sameType(typ: unknown, required: string): boolean {
  if (typeof typ !== 'string') return false;
  const strip = (t: string) => t.toLowerCase().replace(/^application\//, '');
  return strip(typ) === strip(required);
}
