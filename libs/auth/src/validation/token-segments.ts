/** A compact JWS split and decoded — not verified. */
export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Splits and decodes a compact JWS strictly: three non-empty base64url segments in canonical form
 * (no padding, no stray trailing bits, RFC 7515 §2), and a JSON object in the header and payload.
 * Returns a reason string for anything else. The parsed objects have a null prototype, so a
 * `__proto__` member is only data (ATTACKS CLM-15).
 */
export function decodeToken(token: string): DecodedToken | string {
  const parts = token.split('.');
  if (parts.length !== 3)
    return parts.length === 5 ? 'Encrypted tokens (JWE) are not accepted' : 'Malformed token';
  if (!parts.every((part) => SEGMENT.test(part) && isCanonical(part))) return 'Malformed token';
  const header = parseObject(parts[0]);
  const payload = parseObject(parts[1]);
  if (!header) return 'Malformed token header';
  if (!payload) return 'Malformed token payload';
  return { header, payload };
}

function isCanonical(segment: string): boolean {
  if (segment.length % 4 === 1) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

function parseObject(segment: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'), nullPrototype);
  } catch {
    return undefined;
  }
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** JSON.parse reviver: rebuilds every object with a null prototype. */
function nullPrototype(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.assign(Object.create(null), value);
}
