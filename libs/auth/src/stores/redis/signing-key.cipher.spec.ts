import { randomBytes } from 'node:crypto';
import { loadPrivateKey, storePrivateKey } from './signing-key.cipher';

const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIB\n-----END PRIVATE KEY-----\n';

describe('signing key cipher (keys at rest)', () => {
  const key = randomBytes(32);

  it('seals with AES-256-GCM and opens with the same key and kid', () => {
    const stored = storePrivateKey(PEM, 'kid-1', key);
    expect(stored.pem).toBeUndefined();
    expect(stored.sealed).not.toContain('PRIVATE');
    expect(loadPrivateKey(stored, 'kid-1', key)).toBe(PEM);
    // A fresh IV every time.
    expect(storePrivateKey(PEM, 'kid-1', key).sealed).not.toBe(stored.sealed);
  });

  it('refuses another key, another kid (moved entry), a tampered entry', () => {
    const stored = storePrivateKey(PEM, 'kid-1', key);
    expect(() => loadPrivateKey(stored, 'kid-1', randomBytes(32))).toThrow(/does not decrypt/);
    expect(() => loadPrivateKey(stored, 'kid-2', key)).toThrow(/does not decrypt/);
    const raw = Buffer.from(stored.sealed!, 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => loadPrivateKey({ sealed: raw.toString('base64url') }, 'kid-1', key)).toThrow();
  });

  it('stores the PEM as is without a key, and refuses to mix the two modes', () => {
    expect(storePrivateKey(PEM, 'kid-1')).toEqual({ pem: PEM });
    expect(loadPrivateKey({ pem: PEM }, 'kid-1')).toBe(PEM);
    expect(() => loadPrivateKey({ pem: PEM }, 'kid-1', key)).toThrow(/unencrypted/);
    expect(() => loadPrivateKey(storePrivateKey(PEM, 'k', key), 'k')).toThrow(/configure/);
  });
});
