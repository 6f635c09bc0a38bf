import { constants, createHmac, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { b64u, generateEcKey, generateRsaKey, rawJwt, signJws } from './raw-jwt';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

function parts(token: string): [string, string, string] {
  const [h, p, s, ...rest] = token.split('.');
  expect(rest).toEqual([]);
  return [h, p, s];
}

function decode(segment: string): string {
  return Buffer.from(segment, 'base64url').toString('utf8');
}

/** Independent check: verify against a key rebuilt from the *published* JWK. */
function verifies(token: string, jwk: Record<string, unknown>, alg: string): boolean {
  const [h, p, s] = parts(token);
  const key: KeyObject = createPublicKey({ key: jwk as never, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('PS')) {
    const saltLength = Number(alg.slice(2)) / 8;
    return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig);
  }
  if (alg.startsWith('ES')) return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  return verify(hash, data, key, sig);
}

describe('raw-jwt', () => {
  const rsa = generateRsaKey('k1');
  const other = generateRsaKey('atk');
  const ec = generateEcKey('e1');
  const payload = { sub: 'user-1', exp: 2_000_000_000 };

  describe('b64u', () => {
    it('is RFC 7515 base64url without padding', () => {
      expect(b64u('{"alg":"none","typ":"JWT"}')).toBe('eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0');
      expect(b64u(Buffer.from([0xfb, 0xff]))).toBe('-_8');
      expect(b64u('a')).toBe('YQ');
    });
  });

  describe('rawJwt', () => {
    it('encodes string and Buffer segments byte-exact', () => {
      const header = '{"alg":"RS256","kid":"k1","alg":"none"}';
      const body = Buffer.from([
        0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x65, 0x33, 0x30, 0x39, 0x7d,
      ]);
      const [h, p] = parts(rawJwt(header, body, 'none'));
      expect(decode(h)).toBe(header);
      expect(Buffer.from(p, 'base64url')).toEqual(body);
    });

    it('JSON-encodes object segments', () => {
      const [h, p] = parts(rawJwt({ alg: 'RS256' }, payload, 'none'));
      expect(JSON.parse(decode(h))).toEqual({ alg: 'RS256' });
      expect(JSON.parse(decode(p))).toEqual(payload);
    });

    it.each(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const)(
      'signs %s so that the published JWK verifies it',
      (alg) => {
        const token = rawJwt({ alg, kid: 'k1' }, payload, { key: rsa.privateKey, alg });
        expect(verifies(token, rsa.publicJwk, alg)).toBe(true);
        expect(verifies(token, other.publicJwk, alg)).toBe(false);
      },
    );

    it('signs ES256 in the JOSE r||s form (64 bytes), not DER', () => {
      const token = rawJwt({ alg: 'ES256' }, payload, { key: ec.privateKey, alg: 'ES256' });
      expect(Buffer.from(parts(token)[2], 'base64url')).toHaveLength(64);
      expect(verifies(token, ec.publicJwk, 'ES256')).toBe(true);
    });

    it.each(['HS256', 'HS384', 'HS512'] as const)('makes %s with any key bytes', (alg) => {
      const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
      const token = rawJwt({ alg, kid: 'k1' }, payload, { hmacKey: pem, alg });
      const [h, p, s] = parts(token);
      const expected = createHmac(`sha${alg.slice(2)}`, pem)
        .update(`${h}.${p}`)
        .digest();
      expect(Buffer.from(s, 'base64url')).toEqual(expected);
    });

    it("leaves the signature empty for 'none' and copies a given one verbatim", () => {
      expect(rawJwt({ alg: 'none' }, payload, 'none')).toMatch(/^[\w-]+\.[\w-]+\.$/);
      expect(parts(rawJwt({ alg: 'RS256' }, payload, { signature: 'AA' }))[2]).toBe('AA');
      expect(parts(rawJwt({ alg: 'RS256' }, payload, { signature: '' }))[2]).toBe('');
    });
  });

  describe('signJws', () => {
    it('signs a signing input as rawJwt does', () => {
      const token = rawJwt({ alg: 'RS256' }, payload, { key: rsa.privateKey, alg: 'RS256' });
      const [h, p, s] = parts(token);
      // PKCS#1 v1.5 is deterministic, so the same input gives the same signature.
      expect(signJws('RS256', rsa.privateKey, `${h}.${p}`)).toBe(s);
    });
  });

  describe('key generation', () => {
    it('publishes only public RSA members, for RS256 by default', () => {
      expect(rsa.kid).toBe('k1');
      expect(rsa.alg).toBe('RS256');
      expect(Object.keys(rsa.publicJwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(rsa.publicJwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: 'k1' });
      for (const member of PRIVATE_MEMBERS) expect(rsa.publicJwk).not.toHaveProperty(member);
      expect(rsa.privateKey.type).toBe('private');
      expect(rsa.publicKey.type).toBe('public');
      expect(Buffer.from(String(rsa.publicJwk.n), 'base64url')).toHaveLength(256);
    });

    it('honours modulusLength and a PS256 alg', () => {
      const small = generateRsaKey('tiny', 1024, 'PS256');
      expect(Buffer.from(String(small.publicJwk.n), 'base64url')).toHaveLength(128);
      expect(small.publicJwk.alg).toBe('PS256');
    });

    it('publishes only public EC members', () => {
      expect(Object.keys(ec.publicJwk).sort()).toEqual([
        'alg',
        'crv',
        'kid',
        'kty',
        'use',
        'x',
        'y',
      ]);
      expect(ec.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: 'e1' });
      expect(ec.publicJwk).not.toHaveProperty('d');
    });
  });
});
