import { hasDuplicateMembers } from '../json/duplicate-members';
/** A compact JWS split and decoded — not verified. */
export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Strict UTF-8 (RFC 8259 §8.1): invalid or overlong sequences throw instead of becoming U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** A lone UTF-16 surrogate, as `"\ud800"` decodes to (RFC 7493 §2.1: not allowed in I-JSON). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Splits and decodes a compact JWS strictly: three non-empty base64url segments in canonical form
 * (no padding, no stray trailing bits, RFC 7515 §2), strict UTF-8, and a JSON object in the header
 * and payload without duplicate member names at any depth (RFC 7515 §4, §5.2: reject, so no two
 * parsers can disagree on which value counts) and without lone surrogates. Returns a reason string
 * for anything else. The parsed objects have a null prototype, so a `__proto__` member is only
 * data (ATTACKS CLM-15).
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
    const text = UTF8.decode(Buffer.from(segment, 'base64url'));
    value = JSON.parse(text, strictMembers);
    if (hasDuplicateMembers(text)) return undefined;
  } catch {
    return undefined;
  }
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * JSON.parse reviver: refuses lone surrogates in names and strings, and rebuilds every object
 * with a null prototype.
 */
function strictMembers(key: string, value: unknown): unknown {
  if (LONE_SURROGATE.test(key) || (typeof value === 'string' && LONE_SURROGATE.test(value)))
    throw new SyntaxError('lone surrogate');
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.assign(Object.create(null), value);
}
