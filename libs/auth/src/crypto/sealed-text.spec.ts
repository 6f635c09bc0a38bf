import { randomBytes } from 'node:crypto';
import { openText, sealText } from './sealed-text';

describe('sealText / openText (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('opens what it sealed, with the same key and additional data only', () => {
    const sealed = sealText(key, 'kid-1', 'secret text');
    expect(openText(key, 'kid-1', sealed)).toBe('secret text');
    expect(openText(key, 'kid-2', sealed)).toBeUndefined();
    expect(openText(randomBytes(32), 'kid-1', sealed)).toBeUndefined();
  });

  it('uses a fresh iv each time and refuses tampered or truncated input', () => {
    const a = sealText(key, 'x', 'same');
    expect(sealText(key, 'x', 'same')).not.toBe(a);
    const raw = Buffer.from(a, 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(openText(key, 'x', raw.toString('base64url'))).toBeUndefined();
    expect(openText(key, 'x', a.slice(0, 30))).toBeUndefined();
    expect(openText(key, 'x', '')).toBeUndefined();
  });
});
