import { hkdfSync, randomBytes } from 'node:crypto';
import {
  formatRefreshToken,
  hashSecret,
  hkdfSha256Block,
  newRefreshToken,
  openSuccessor,
  parseRefreshToken,
  randomId,
  sealSuccessor,
} from './refresh-token.codec';

describe('refresh token codec', () => {
  it('RT17: rt_ + b64url(16 B fid) . b64url(16 B tid) . b64url(32 B secret)', () => {
    const parts = newRefreshToken(randomId());
    const token = formatRefreshToken(parts);
    expect(token).toMatch(/^rt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(parts.familyId, 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts.tokenId, 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts.secret, 'base64url')).toHaveLength(32);
    expect(parseRefreshToken(token)).toEqual(parts);
  });

  it('RT17: the stored hash is SHA-256 of the secret, never the secret', () => {
    const { secret } = newRefreshToken(randomId());
    const h = hashSecret(secret);
    expect(Buffer.from(h, 'base64url')).toHaveLength(32);
    expect(h).not.toContain(secret);
  });

  it('RT10: rejects anything that is not exactly the format', () => {
    const good = formatRefreshToken(newRefreshToken(randomId()));
    const bad = [
      '',
      good.slice(3),
      `${good}=`,
      ` ${good}`,
      good.replace('rt_', 'RT_'),
      good.replace('.', '\u0000'),
      `${good.slice(0, -1)}\u00e9`,
      good.slice(0, -1) + 'B', // non-canonical trailing bits
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
      'rt_' + 'A'.repeat(200),
    ];
    for (const token of bad) expect(parseRefreshToken(token)).toBeUndefined();
  });

  it('design choice 2: only the presented secret opens the sealed successor', () => {
    const presented = newRefreshToken(randomId());
    const successor = formatRefreshToken(newRefreshToken(presented.familyId));
    const sealed = sealSuccessor(presented, successor);
    expect(sealed).not.toContain(successor.slice(3));
    expect(openSuccessor(presented, sealed)).toBe(successor);
    const other = { ...presented, secret: newRefreshToken(randomId()).secret };
    expect(openSuccessor(other, sealed)).toBeUndefined();
    expect(openSuccessor({ ...presented, tokenId: randomId() }, sealed)).toBeUndefined();
    expect(openSuccessor(presented, 'short')).toBeUndefined();
  });

  it('derives the successor key with HKDF-SHA256 exactly as hkdfSync does', () => {
    for (let i = 0; i < 50; i++) {
      const [ikm, salt, info] = [randomBytes(32), randomBytes(16), randomBytes(i % 20)];
      expect(hkdfSha256Block(ikm, salt, info)).toEqual(
        Buffer.from(hkdfSync('sha256', ikm, salt, info, 32)),
      );
    }
  });

  it('RT17: every new token has a tid and a secret of its own', () => {
    const made = Array.from({ length: 100 }, () => newRefreshToken('f'));
    expect(new Set(made.map((t) => t.tokenId)).size).toBe(100);
    expect(new Set(made.map((t) => t.secret)).size).toBe(100);
  });
});
