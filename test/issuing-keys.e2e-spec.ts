import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { SigningKeySource } from '../libs/auth/src/stores';
import {
  createRefreshApp,
  decodeJwt,
  INVALID_TOKEN_CHALLENGE,
  ISSUER,
  RefreshApp,
} from './support/refresh-app';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const HOUR = 3_600_000;

function expectPublicOnly(keys: Record<string, unknown>[]): void {
  for (const jwk of keys) {
    for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  }
}

describe('signing keys, JWKS and discovery (RT22–RT25, R1, R2)', () => {
  let t: RefreshApp;
  beforeEach(async () => (t = await createRefreshApp()));
  afterEach(() => t.close());

  it('RT22: access tokens carry alg RS256, typ at+jwt and the RFC 7638 thumbprint as kid', async () => {
    const { access_token } = await t.tokens.issue('alice');
    const { header } = decodeJwt(access_token);
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: expect.any(String) });
    const jwks = await t.http().get('/.well-known/jwks.json');
    const jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    expect(header.kid).toBe(
      await calculateJwkThumbprint({ kty: jwk.kty, n: jwk.n, e: jwk.e }, 'sha256'),
    );
  });

  it('RT25: GET /.well-known/jwks.json lists only kty n e kid alg use, cacheable for 600 s', async () => {
    const res = await t.http().get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=600');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.body)).toEqual(['keys']);
    expect(res.body.keys).toHaveLength(1);
    expect(res.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expectPublicOnly(res.body.keys);
  });

  it('RT25: pending, active and retired keys are all published, with no private member', async () => {
    const keys = t.app.get(SigningKeySource);
    await keys.rotate();
    t.clock.advance(HOUR);
    await keys.rotate();
    const res = await t.http().get('/.well-known/jwks.json');
    expect(res.body.keys).toHaveLength(3);
    expectPublicOnly(res.body.keys);
    expect(JSON.stringify(res.body)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
    const states = (await keys.status()).map((s) => s.state).sort();
    expect(states).toEqual(['active', 'pending', 'retired']);
  });

  it('RT23: a pending key is published at once but signs only after prePublish (default 1 h)', async () => {
    const keys = t.app.get(SigningKeySource);
    const before = decodeJwt((await t.tokens.issue('alice')).access_token).header.kid;
    const pending = await keys.rotate();
    const jwks = await t.http().get('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(pending.kid);
    t.clock.advance(HOUR - 1000);
    expect(decodeJwt((await t.tokens.issue('alice')).access_token).header.kid).toBe(before);
    t.clock.advance(1000);
    const after = await t.tokens.issue('alice');
    expect(decodeJwt(after.access_token).header.kid).toBe(pending.kid);
    expect((await t.probe(after.access_token)).status).toBe(200);
  });

  it('RT24, RT25: a token signed before a rotation validates until its exp; the retired key stays 24 h', async () => {
    const keys = t.app.get(SigningKeySource);
    await keys.rotate();
    t.clock.advance(HOUR - 1000);
    const old = await t.tokens.issue('alice');
    const oldKid = decodeJwt(old.access_token).header.kid;
    t.clock.advance(1000);
    const fresh = await t.tokens.issue('alice');
    expect(decodeJwt(fresh.access_token).header.kid).not.toBe(oldKid);
    // 850 s later the verifier has refetched the JWKS (max-age 600 s); the retired key is in it.
    t.clock.advance(850_000);
    expect((await t.probe(old.access_token)).status).toBe(200);
    expect((await t.probe(fresh.access_token)).status).toBe(200);
    // Past exp + clock tolerance the old token fails as expired, like any other.
    t.clock.advance(120_000);
    expect((await t.probe(old.access_token)).status).toBe(401);
    const jwks = await t.http().get('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(oldKid);
    t.clock.advance(24 * HOUR - 970_000);
    const later = await t.http().get('/.well-known/jwks.json');
    expect(later.body.keys.map((k: { kid: string }) => k.kid)).not.toContain(oldKid);
  });

  it('RT24, RT25: revokeKey removes a key at once; its tokens get 401 invalid_token', async () => {
    const keys = t.app.get(SigningKeySource);
    const old = await t.tokens.issue('alice');
    const oldKid = decodeJwt(old.access_token).header.kid;
    expect((await t.probe(old.access_token)).status).toBe(200);
    await keys.revokeKey(oldKid as string);
    const jwks = await t.http().get('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).not.toContain(oldKid);
    // Verifiers notice at their next key-set refresh (max-age 600 s).
    t.clock.advance(601_000);
    const probe = await t.probe(old.access_token);
    expect(probe.status).toBe(401);
    expect(probe.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    const next = await t.tokens.issue('alice');
    expect(decodeJwt(next.access_token).header.kid).not.toBe(oldKid);
    expect((await t.probe(next.access_token)).status).toBe(200);
  });

  it('R2: GET /.well-known/openid-configuration names the endpoints', async () => {
    const res = await t.http().get('/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=600');
    expect(res.body).toMatchObject({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      token_endpoint: `${ISSUER}/auth/token`,
      revocation_endpoint: `${ISSUER}/auth/revoke`,
      grant_types_supported: ['refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const rfc8414 = await t.http().get('/.well-known/oauth-authorization-server');
    expect(rfc8414.body).toEqual(res.body);
  });
});

describe('other key sources', () => {
  it('R1: PEM keys from issuing.signingKeys sign the tokens and are published', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const t = await createRefreshApp({ signingKeys: [{ privateKey: pem }] });
    try {
      const { access_token } = await t.tokens.issue('alice');
      const jwks = await t.http().get('/.well-known/jwks.json');
      expect(jwks.body.keys).toHaveLength(1);
      expect(decodeJwt(access_token).header.kid).toBe(jwks.body.keys[0].kid);
      expectPublicOnly(jwks.body.keys);
      expect((await t.probe(access_token)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('R1: ES256 keys sign tokens that validate through the JWKS', async () => {
    const t = await createRefreshApp({ algorithm: 'ES256' });
    try {
      const { access_token } = await t.tokens.issue('alice');
      expect(decodeJwt(access_token).header.alg).toBe('ES256');
      const jwks = await t.http().get('/.well-known/jwks.json');
      expect(Object.keys(jwks.body.keys[0]).sort()).toEqual([
        'alg',
        'crv',
        'kid',
        'kty',
        'use',
        'x',
        'y',
      ]);
      expect((await t.probe(access_token)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
