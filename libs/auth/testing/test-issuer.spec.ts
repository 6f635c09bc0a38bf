import { createPublicKey, verify } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify } from 'jose';
import { generateRsaKey } from './raw-jwt';
import { TestIssuer } from './test-issuer';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];
const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const API = '6e74172b-be56-4843-9ff4-e66a39bb12e3';

function decode(token: string): { header: any; payload: any } {
  const [h, p] = token.split('.');
  const json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  return { header: json(h), payload: json(p) };
}

async function fetchJwks(issuer: TestIssuer): Promise<{ keys: Record<string, any>[] }> {
  const res = await fetch(issuer.jwksUri);
  expect(res.status).toBe(200);
  return (await res.json()) as { keys: Record<string, any>[] };
}

/** RS256 check by hand, against a key rebuilt from the JWK as served over HTTP. */
function rs256Verifies(token: string, jwk: Record<string, unknown>): boolean {
  const [h, p, s] = token.split('.');
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  return verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
}

describe('TestIssuer', () => {
  let issuer: TestIssuer;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
  });

  afterAll(() => issuer.stop());

  beforeEach(() => {
    issuer.setFault('none');
    issuer.resetFetchCount();
  });

  it('has documented defaults', () => {
    expect(issuer.issuer).toBe('https://issuer.test/');
    expect(issuer.audience).toBe('api://test-api');
    expect(issuer.jwksUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/);
    expect(issuer.authority).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(issuer.keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(issuer.authOptions()).toEqual({
      issuer: 'https://issuer.test/',
      audience: 'api://test-api',
      jwksUri: issuer.jwksUri,
    });
  });

  it('serves its public keys, and only public members, and counts fetches', async () => {
    const jwks = await fetchJwks(issuer);
    expect(jwks.keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    for (const jwk of jwks.keys) {
      expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(jwk).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    }
    expect(jwks).toEqual(JSON.parse(issuer.jwksJson()));
    await fetchJwks(issuer);
    expect(issuer.fetchCount).toBe(2);
    issuer.resetFetchCount();
    expect(issuer.fetchCount).toBe(0);
  });

  it('serves OIDC discovery at the authority and counts it apart', async () => {
    const res = await fetch(`${issuer.authority}/.well-known/openid-configuration`);
    expect(await res.json()).toEqual({ issuer: issuer.issuer, jwks_uri: issuer.jwksUri });
    expect(issuer.discoveryCount).toBe(1);
    expect(issuer.fetchCount).toBe(0);
  });

  it('mints tokens that verify against the served JWKS (by hand and with jose)', async () => {
    const token = issuer.mint({ scp: 'Data.Read' });
    const jwks = await fetchJwks(issuer);
    expect(rs256Verifies(token, jwks.keys[0])).toBe(true);
    expect(rs256Verifies(token, jwks.keys[1])).toBe(false);

    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(issuer.jwksUri)),
      {
        issuer: issuer.issuer,
        audience: issuer.audience,
        algorithms: ['RS256'],
      },
    );
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    expect(payload).toMatchObject({ iss: issuer.issuer, aud: issuer.audience, sub: 'user-1' });
    expect(payload.exp! - payload.iat!).toBe(3660);
    expect(payload.scp).toBe('Data.Read');
  });

  it('mints with defaults, overrides and removals', () => {
    const now = 1_700_000_000;
    const plain = decode(issuer.mint({}, { now }));
    expect(plain.payload).toEqual({
      iss: issuer.issuer,
      aud: issuer.audience,
      sub: 'user-1',
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      jti: expect.any(String),
    });
    const changed = decode(
      issuer.mint({ iss: undefined, roles: ['Admin'] }, { kid: 'k2', header: { typ: undefined } }),
    );
    expect(changed.header).toEqual({ alg: 'RS256', kid: 'k2' });
    expect(changed.payload).not.toHaveProperty('iss');
    expect(changed.payload.roles).toEqual(['Admin']);
  });

  it('signs with another key behind a kid, known or unknown', () => {
    const attacker = generateRsaKey('atk');
    const behindK1 = issuer.mint({}, { signWith: attacker.privateKey });
    expect(decode(behindK1).header.kid).toBe('k1');
    expect(rs256Verifies(behindK1, attacker.publicJwk)).toBe(true);
    expect(rs256Verifies(behindK1, issuer.key('k1').publicJwk)).toBe(false);
    const unknown = issuer.mint({}, { kid: 'nope-1', signWith: attacker.privateKey });
    expect(decode(unknown).header.kid).toBe('nope-1');
    expect(() => issuer.mint({}, { kid: 'nope-2' })).toThrow(/unknown kid "nope-2"/);
  });

  it('mints Entra v2 and v1 shaped tokens', async () => {
    const v2 = issuer.mintEntra({ tenantId: TID, clientId: API, scp: 'Data.Read' });
    const local = createLocalJWKSet(await fetchJwks(issuer));
    const { payload } = await jwtVerify(v2, local, {
      issuer: `https://login.microsoftonline.com/${TID}/v2.0`,
      audience: API,
    });
    expect(payload).toMatchObject({
      tid: TID,
      ver: '2.0',
      scp: 'Data.Read',
      azp: expect.any(String),
    });
    expect(payload).not.toHaveProperty('jti');
    expect(typeof payload.uti).toBe('string');

    const v1 = issuer.mintEntra({ tenantId: TID, clientId: API, version: 1, roles: ['Admin'] });
    const v1Payload = (await jwtVerify(v1, local, { issuer: `https://sts.windows.net/${TID}/` }))
      .payload;
    expect(v1Payload).toMatchObject({ aud: `api://${API}`, ver: '1.0', roles: ['Admin'] });
    expect(v1Payload).toHaveProperty('appid');
    expect(v1Payload).not.toHaveProperty('scp');
  });

  it('adds keys of each algorithm, and unpublishes removed keys that still sign', async () => {
    const local = await TestIssuer.start({ keyCount: 1 });
    try {
      const k2 = local.addKey();
      const ec = local.addKey({ alg: 'ES256', kid: 'ec' });
      const ps = local.addKey({ alg: 'PS256' });
      const hidden = local.addKey({ publish: false, modulusLength: 1024 });
      expect([k2.kid, ec.kid, ps.kid, hidden.kid]).toEqual(['k2', 'ec', 'k4', 'k5']);
      expect(ec.publicJwk).toMatchObject({ kty: 'EC', alg: 'ES256' });
      expect(() => local.addKey({ kid: 'k1' })).toThrow(/already exists/);
      expect((await fetchJwks(local)).keys.map((k) => k.kid)).toEqual(['k1', 'k2', 'ec', 'k4']);

      const set = createLocalJWKSet(await fetchJwks(local));
      const audience = local.audience;
      for (const kid of ['ec', 'k4']) {
        const { protectedHeader } = await jwtVerify(local.mint({}, { kid }), set, { audience });
        expect(protectedHeader.alg).toBe(local.key(kid).alg);
      }

      local.removeKey('k1');
      expect(local.keys.map((k) => k.kid)).toEqual(['k2', 'ec', 'k4']);
      expect((await fetchJwks(local)).keys.map((k) => k.kid)).toEqual(['k2', 'ec', 'k4']);
      const removed = local.mint();
      expect(rs256Verifies(removed, local.key('k1').publicJwk)).toBe(true);
      expect(() => local.removeKey('zzz')).toThrow(/unknown kid/);
    } finally {
      await local.stop();
    }
  });

  it('sets and clears an issuer on every JWK', async () => {
    const template = 'https://login.microsoftonline.com/{tenantid}/v2.0';
    issuer.setKeyIssuer(template);
    try {
      const keys = (await fetchJwks(issuer)).keys;
      expect(keys.map((k) => k.issuer)).toEqual([template, template]);
      expect(issuer.key('k1').publicJwk.issuer).toBe(template);
    } finally {
      issuer.setKeyIssuer(undefined);
    }
    for (const jwk of (await fetchJwks(issuer)).keys) expect(jwk).not.toHaveProperty('issuer');
  });

  it('appends extra raw JWKS entries', async () => {
    const extra = [
      { kty: 'oct', k: 'c2VjcmV0' },
      { kty: 'RSA', use: 'enc', kid: 'enc1' },
    ];
    issuer.setExtraJwks(extra);
    try {
      const keys = (await fetchJwks(issuer)).keys;
      expect(keys.slice(2)).toEqual(extra);
    } finally {
      issuer.setExtraJwks([]);
    }
    expect((await fetchJwks(issuer)).keys).toHaveLength(2);
  });

  it('passes faults, redirect targets and delays to its server', async () => {
    issuer.setFault('redirect');
    issuer.setRedirectTarget('http://127.0.0.1:1/x');
    const res = await fetch(issuer.jwksUri, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:1/x');

    issuer.setFault('none');
    issuer.setDiscoveryFault('status500');
    const discovery = await fetch(`${issuer.authority}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(500);
    issuer.setDiscoveryFault('none');

    issuer.setDelay(200);
    const started = Date.now();
    await fetchJwks(issuer);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    issuer.setDelay(0);
    expect(issuer.fetchCount).toBe(2);
  });

  it('honours issuer, audience, keyCount and path options; stop() is idempotent', async () => {
    const custom = await TestIssuer.start({
      issuer: 'https://other.test',
      audience: 'aud-2',
      keyCount: 1,
      path: '/keys',
    });
    expect(custom.jwksUri).toMatch(/\/keys$/);
    expect(custom.keys.map((k) => k.kid)).toEqual(['k1']);
    expect(decode(custom.mint()).payload).toMatchObject({
      iss: 'https://other.test',
      aud: 'aud-2',
    });
    expect((await fetchJwks(custom)).keys).toHaveLength(1);
    await custom.stop();
    await custom.stop();
    await expect(fetch(custom.jwksUri)).rejects.toThrow();
  });
});
