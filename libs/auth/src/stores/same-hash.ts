import { timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two base64url SHA-256 digests (RT17); shared by every store. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64url');
  const y = Buffer.from(b, 'base64url');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
