import { KeyObject, constants, createPublicKey, verify } from 'node:crypto';
import { generateEcKey, generateRsaKey } from './raw-jwt';
import { mintJwt } from './token-minter';

function decode(token: string): { header: any; payload: any; rawPayload: string; sig: Buffer } {
  const [h, p, s] = token.split('.');
  const rawPayload = Buffer.from(p, 'base64url').toString('utf8');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(rawPayload),
    rawPayload,
    sig: Buffer.from(s, 'base64url'),
  };
}

function verifies(token: string, key: KeyObject | Record<string, unknown>, alg: string): boolean {
  const publicKey = key instanceof KeyObject ? key : jwkKey(key);
  const [h, p, s] = token.split('.');
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('PS')) {
    const options = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    return verify(hash, data, options, sig);
  }
  if (alg.startsWith('ES'))
    return verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
  return verify(hash, data, publicKey, sig);
}

function jwkKey(jwk: Record<string, unknown>): KeyObject {
  return createPublicKey({ key: jwk as never, format: 'jwk' });
}

describe('mintJwt', () => {
  const k1 = generateRsaKey('k1');
  const attacker = generateRsaKey('atk');
  const ec = generateEcKey('e1');
  const now = 1_700_000_000;

  it('uses the default header and payload, based on `now`', () => {
    const { header, payload } = decode(mintJwt({ key: k1, now }));
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    expect(payload).toEqual({
      sub: 'user-1',
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('defaults `now` to the current time and gives every token its own jti', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = decode(mintJwt({ key: k1 })).payload;
    const b = decode(mintJwt({ key: k1 })).payload;
    expect(a.iat).toBeGreaterThanOrEqual(before - 60);
    expect(a.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) - 60);
    expect(a.jti).not.toBe(b.jti);
  });

  it('merges defaults, then claims; undefined removes a claim or header member', () => {
    const token = mintJwt({
      key: k1,
      now,
      defaults: { iss: 'https://i/', aud: 'a', sub: 'from-defaults' },
      claims: { aud: ['x', 'a'], exp: undefined, jti: undefined, scp: 'Data.Read' },
      header: { typ: 'at+jwt', kid: undefined, x5u: 'http://evil' },
    });
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', x5u: 'http://evil' });
    expect(payload).toEqual({
      iss: 'https://i/',
      aud: ['x', 'a'],
      sub: 'from-defaults',
      iat: now - 60,
      nbf: now - 60,
      scp: 'Data.Read',
    });
    expect(verifies(token, k1.publicJwk, 'RS256')).toBe(true);
  });

  it('keeps a __proto__ claim as a claim', () => {
    const claims = JSON.parse('{"__proto__":{"roles":["Admin"]}}');
    const { rawPayload } = decode(mintJwt({ key: k1, claims }));
    expect(rawPayload).toContain('"__proto__":{"roles":["Admin"]}');
  });

  it('signs with the alg option when the key can make it', () => {
    const ps = mintJwt({ key: k1, alg: 'PS256' });
    expect(decode(ps).header.alg).toBe('PS256');
    expect(verifies(ps, k1.publicJwk, 'PS256')).toBe(true);
    const rs384 = mintJwt({ key: k1, alg: 'RS384' });
    expect(verifies(rs384, k1.publicJwk, 'RS384')).toBe(true);
  });

  it("leaves the signature empty for alg 'none'", () => {
    const token = mintJwt({ key: k1, alg: 'none' });
    expect(token.endsWith('.')).toBe(true);
    expect(decode(token).header.alg).toBe('none');
  });

  it('puts an alg it cannot make only in the header', () => {
    const token = mintJwt({ key: k1, alg: 'HS256' });
    expect(decode(token).header.alg).toBe('HS256');
    expect(verifies(token, k1.publicJwk, 'RS256')).toBe(true);
  });

  it('signs with signWith behind the given kid', () => {
    const token = mintJwt({ key: k1, signWith: attacker.privateKey });
    expect(decode(token).header).toMatchObject({ alg: 'RS256', kid: 'k1' });
    expect(verifies(token, attacker.publicKey, 'RS256')).toBe(true);
    expect(verifies(token, k1.publicJwk, 'RS256')).toBe(false);

    const ecToken = mintJwt({ key: k1, signWith: ec.privateKey });
    expect(decode(ecToken).header).toMatchObject({ alg: 'ES256', kid: 'k1' });
    expect(verifies(ecToken, ec.publicJwk, 'ES256')).toBe(true);
  });

  it('works without a key when signWith is given', () => {
    const token = mintJwt({ signWith: attacker.privateKey, kid: 'nope-1' });
    expect(decode(token).header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'nope-1' });
    expect(verifies(token, attacker.publicJwk, 'RS256')).toBe(true);
  });

  it('signs ES256 with an EC key', () => {
    const token = mintJwt({ key: ec });
    expect(decode(token).header.alg).toBe('ES256');
    expect(decode(token).sig).toHaveLength(64);
    expect(verifies(token, ec.publicJwk, 'ES256')).toBe(true);
  });

  it('throws without any key', () => {
    expect(() => mintJwt({})).toThrow(TypeError);
  });
});
