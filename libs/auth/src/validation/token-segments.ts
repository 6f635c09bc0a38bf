import { isUtf8 } from 'node:buffer';
import { countMembers } from '../json/duplicate-members';
/** A compact JWS split and decoded — not verified. */
export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** A lone UTF-16 surrogate, as `"\ud800"` decodes to (RFC 7493 §2.1: not allowed in I-JSON). */
const LONE_SURROGATE = /\p{Cs}/u;
/** Deepest nesting accepted in a header or payload (Entra's `_claim_sources` is 3 levels). */
const MAX_DEPTH = 32;

/**
 * Splits and decodes a compact JWS strictly: three non-empty base64url segments in canonical form
 * (no padding, no stray trailing bits, RFC 7515 §2), strict UTF-8, and a JSON object in the header
 * and payload without duplicate member names at any depth (RFC 7515 §4, §5.2: reject, so no two
 * parsers can disagree on which value counts) and without lone surrogates. Returns a reason string
 * for anything else. The parsed objects have a null prototype, so a `__proto__` member is only
 * data (ATTACKS CLM-15).
 */
export function decodeToken(token: string): DecodedToken | string {
  // indexOf rather than split: no array on the common path.
  const dot = token.indexOf('.');
  const dot2 = token.indexOf('.', dot + 1);
  if (dot < 0 || dot2 < 0 || token.includes('.', dot2 + 1)) {
    const parts = token.split('.').length;
    return parts === 5 ? 'Encrypted tokens (JWE) are not accepted' : 'Malformed token';
  }
  // The header and payload bytes are needed anyway, so re-encoding them checks their form; the
  // signature is only checked here (it is decoded where it is verified).
  const headerBytes = canonicalBytes(token.slice(0, dot));
  const payloadBytes = canonicalBytes(token.slice(dot + 1, dot2));
  if (!headerBytes || !payloadBytes || !isCanonical(token.slice(dot2 + 1)))
    return 'Malformed token';
  const header = parseObject(headerBytes);
  if (!header) return 'Malformed token header';
  const payload = parseObject(payloadBytes);
  if (!payload) return 'Malformed token payload';
  return { header, payload };
}

/**
 * The bytes of a non-empty segment in canonical base64url, else undefined. Node decodes leniently
 * (skips stray characters, takes `+/=`), but encodes canonically: only the one canonical spelling
 * of the bytes re-encodes to itself. Cheaper than {@link isCanonical} when the bytes are needed.
 */
function canonicalBytes(segment: string): Buffer | undefined {
  const bytes = Buffer.from(segment, 'base64url');
  return segment.length > 0 && bytes.toString('base64url') === segment ? bytes : undefined;
}

/**
 * Base64url without padding, in the one encoding of its bytes: a length of 4n + 1 never is one,
 * and the bits of the last character past the final byte (4 of them at 4n + 2, 2 at 4n + 3) must
 * be zero, or several segments would decode to the same bytes.
 */
function isCanonical(segment: string): boolean {
  if (!SEGMENT.test(segment)) return false;
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = BASE64URL.indexOf(segment[segment.length - 1]);
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

function parseObject(bytes: Buffer): Record<string, unknown> | undefined {
  // Strict UTF-8 (RFC 8259 §8.1): invalid or overlong sequences and encoded surrogates refused.
  if (!isUtf8(bytes)) return undefined;
  const text = bytes.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    // Valid UTF-8 has no lone surrogate; only an escape like `\ud800` can make one.
    const members = nullPrototypes(value, text.includes('\\u'));
    // JSON.parse keeps one property per distinct name: fewer than the members in the text means
    // a name was repeated, in whatever object and however escaped.
    return members === countMembers(bytes) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not JSON, a lone surrogate, or nested too deep to walk
  }
}

/**
 * Gives every object in a JSON.parse result a null prototype, in place (cheaper than copying;
 * JSON.parse made `__proto__` an own data property, which it stays), and returns how many
 * properties they have in all. With `surrogates`, throws on a name or string with a lone surrogate.
 * Throws past {@link MAX_DEPTH} levels of nesting: claims that deep are no real token's, and code
 * that later walks `user.claims` (a mapper, JSON.stringify) must not overflow its stack on them.
 */
function nullPrototypes(value: unknown, surrogates: boolean, depth = 0): number {
  if (depth > MAX_DEPTH) throw new RangeError('nested too deep');
  if (typeof value === 'string') {
    if (surrogates && LONE_SURROGATE.test(value)) throw new SyntaxError('lone surrogate');
    return 0;
  }
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) count += nullPrototypes(value[i], surrogates, depth + 1);
    return count;
  }
  Object.setPrototypeOf(value, null); // before for-in: then nothing inherited is ever walked
  for (const name in value) {
    if (surrogates && LONE_SURROGATE.test(name)) throw new SyntaxError('lone surrogate');
    count += 1 + nullPrototypes((value as Record<string, unknown>)[name], surrogates, depth + 1);
  }
  return count;
}
