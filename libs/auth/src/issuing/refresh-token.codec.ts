import { createHash, createHmac, randomBytes } from 'node:crypto';
import { openText, sealText } from '../crypto/sealed-text';

/** A refresh token taken apart. Every part is base64url text; `secret` never leaves memory. */
export interface RefreshTokenParts {
  readonly familyId: string;
  readonly tokenId: string;
  readonly secret: string;
}

/** RT17: `rt_` + b64url(16 B fid) + `.` + b64url(16 B tid) + `.` + b64url(32 B secret). */
const FORMAT = /^rt_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
/** Longest token accepted before any parsing (a real one is 92 characters). */
export const MAX_REFRESH_TOKEN_LENGTH = 128;
const HKDF_INFO = Buffer.from('rt-successor');

/** A new random id: 16 bytes, base64url (fid, tid, jti). */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/** A new token of the family: a fresh tid and 32-byte secret. */
export function newRefreshToken(familyId: string): RefreshTokenParts {
  // One call for both parts: each call into the random generator costs about 2 µs.
  const random = randomBytes(48);
  return {
    familyId,
    tokenId: random.subarray(0, 16).toString('base64url'),
    secret: random.subarray(16).toString('base64url'),
  };
}

/** The token string (RT17). */
export function formatRefreshToken(parts: RefreshTokenParts): string {
  return `rt_${parts.familyId}.${parts.tokenId}.${parts.secret}`;
}

/**
 * Parses a presented token strictly: the exact RT17 shape, canonical base64url (no stray trailing
 * bits), nothing else. Returns undefined for anything malformed (RT10) — a JWT, NUL bytes,
 * non-ASCII, whitespace.
 */
export function parseRefreshToken(token: string): RefreshTokenParts | undefined {
  if (token.length > MAX_REFRESH_TOKEN_LENGTH) return undefined;
  const match = FORMAT.exec(token);
  if (!match) return undefined;
  const [, familyId, tokenId, secret] = match;
  if (!canonical(familyId, 16) || !canonical(tokenId, 16) || !canonical(secret, 32))
    return undefined;
  return { familyId, tokenId, secret };
}

/** base64url SHA-256 of the 32 secret bytes: all the store ever sees of it (RT17). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(Buffer.from(secret, 'base64url')).digest('base64url');
}

/**
 * Design choice 2: encrypts the successor token under a key only the holder of the presented
 * secret can derive — AES-256-GCM with the key HKDF-SHA256(secret, salt = tid, info =
 * "rt-successor"). Output: base64url(iv ‖ tag ‖ ciphertext). A dump of the store holds hashes and
 * this, which open nothing without a live secret.
 */
export function sealSuccessor(presented: RefreshTokenParts, successor: string): string {
  return sealText(successorKey(presented), familyAndToken(presented), successor);
}

/** Opens what {@link sealSuccessor} sealed; undefined when it does not authenticate. */
export function openSuccessor(presented: RefreshTokenParts, sealed: string): string | undefined {
  return openText(successorKey(presented), familyAndToken(presented), sealed);
}

function familyAndToken(presented: RefreshTokenParts): string {
  return `${presented.familyId}.${presented.tokenId}`;
}

function successorKey(presented: RefreshTokenParts): Buffer {
  const ikm = Buffer.from(presented.secret, 'base64url');
  const salt = Buffer.from(presented.tokenId, 'base64url');
  return hkdfSha256Block(ikm, salt, HKDF_INFO);
}

/**
 * HKDF-SHA256 (RFC 5869) for one 32-byte output block: extract, then one expand step. The same
 * bytes as `hkdfSync('sha256', ikm, salt, info, 32)` (tested), at less than half its cost per
 * call — it runs on every refresh.
 */
export function hkdfSha256Block(ikm: Buffer, salt: Buffer, info: Buffer): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  return createHmac('sha256', prk).update(info).update(FIRST_BLOCK).digest();
}
const FIRST_BLOCK = Buffer.from([1]);

function canonical(text: string, bytes: number): boolean {
  const raw = Buffer.from(text, 'base64url');
  return raw.length === bytes && raw.toString('base64url') === text;
}

/**
 * What events and logs name a family by: a short digest of its id. The id itself is the first
 * part of every refresh token of the family, so it never goes into a log (DESIGN V9).
 */
export function familyRef(familyId: string): string {
  return createHash('sha256').update(familyId).digest('base64url').slice(0, 12);
}
