import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthModule, Clock, RevocationStore } from '@app/auth';
import { TokenService } from '../libs/auth/src/issuing';
import { RefreshTokenStore } from '../libs/auth/src/stores';
import { ProbeController } from './support/probe.controller';
import {
  AUDIENCE,
  createRefreshApp,
  decodeJwt,
  expectInvalidGrant,
  expectOAuthError,
  INVALID_TOKEN_CHALLENGE,
  ISSUER,
  RefreshApp,
} from './support/refresh-app';
import { ManualClock } from './support/test-app';

const DAY = 86_400_000;

describe('refresh endpoint: shapes and rotation (RT1–RT13, RT17)', () => {
  let t: RefreshApp;
  beforeEach(async () => (t = await createRefreshApp()));
  afterEach(() => t.close());

  describe('RT1: request forms', () => {
    it('RT1: takes a form body', async () => {
      const { refresh_token } = await t.tokens.issue('alice');
      const res = await t.refresh(refresh_token);
      expect(res.status).toBe(200);
    });

    it('RT1: takes a JSON body', async () => {
      const { refresh_token } = await t.tokens.issue('alice');
      const res = await t
        .http()
        .post('/auth/token')
        .send({ grant_type: 'refresh_token', refresh_token });
      expect(res.status).toBe(200);
    });

    it('RT1: no token is 400 invalid_request', async () => {
      const form = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'refresh_token' });
      expectOAuthError(form, 400, 'invalid_request');
      const empty = await t.refresh('');
      expectOAuthError(empty, 400, 'invalid_request');
      const nothing = await t.http().post('/auth/token');
      expectOAuthError(nothing, 400, 'invalid_request');
    });

    it('RT1: a repeated parameter is 400 invalid_request, and the token is not consumed', async () => {
      const { refresh_token } = await t.tokens.issue('alice');
      const twice = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send(
          `grant_type=refresh_token&refresh_token=${refresh_token}&refresh_token=${refresh_token}`,
        );
      expectOAuthError(twice, 400, 'invalid_request');
      const grantTwice = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send(`grant_type=refresh_token&grant_type=refresh_token&refresh_token=${refresh_token}`);
      expectOAuthError(grantTwice, 400, 'invalid_request');
      expect((await t.refresh(refresh_token)).status).toBe(200);
    });

    it('RT1: another grant type is 400 unsupported_grant_type; none is invalid_request', async () => {
      const { refresh_token } = await t.tokens.issue('alice');
      for (const grant of ['password', 'authorization_code', 'client_credentials', 'foo']) {
        const res = await t
          .http()
          .post('/auth/token')
          .type('form')
          .send({ grant_type: grant, refresh_token });
        expectOAuthError(res, 400, 'unsupported_grant_type');
      }
      const none = await t.http().post('/auth/token').type('form').send({ refresh_token });
      expectOAuthError(none, 400, 'invalid_request');
    });
  });

  it('RT2: success is 200 with exactly the RFC 6749 §5.1 body and no-store', async () => {
    const { refresh_token } = await t.tokens.issue('alice', {
      scope: 'Payments.Read Payments.Write',
    });
    const res = await t.refresh(refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(Object.keys(res.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'Payments.Read Payments.Write',
    });
    expect(res.body.refresh_token).toMatch(/^rt_/);
    expect(res.body.access_token.split('.')).toHaveLength(3);
  });

  it('RT3: unknown, expired, reused and revoked tokens get the same body; events tell them apart', async () => {
    const unknown = await t.tokens.issue('alice');
    const forged = unknown.refresh_token.replace(/\.[^.]+$/, `.${'A'.repeat(42)}A`);
    const reused = await t.tokens.issue('alice');
    await t.refresh(reused.refresh_token);
    t.clock.advance(11_000);
    const revoked = await t.tokens.issue('alice');
    await t.http().post('/auth/revoke').type('form').send({ token: revoked.refresh_token });
    const expired = await t.tokens.issue('alice');
    t.clock.advance(14 * DAY);
    t.events.clear();

    for (const token of [
      forged,
      reused.refresh_token,
      revoked.refresh_token,
      expired.refresh_token,
    ]) {
      expectInvalidGrant(await t.refresh(token), token);
    }
    const reasons = t.events.events.map((e) => `${e.name}:${e.data.reason ?? ''}`);
    expect(reasons).toContain('refresh.invalid:mismatch');
    expect(reasons).toContain('refresh.reuse_detected:');
    expect(reasons).toContain('refresh.invalid:revoked');
    expect(reasons).toContain('refresh.invalid:expired');
    const logged = JSON.stringify(t.events.events);
    for (const token of [reused.refresh_token, revoked.refresh_token, expired.refresh_token]) {
      expect(logged).not.toContain(token.split('.')[2]);
    }
  });

  it('RT4: a wider scope is invalid_scope; a narrower one narrows only the access token', async () => {
    const { refresh_token } = await t.tokens.issue('alice', { scope: 'a b' });
    const wider = await t.refresh(refresh_token, { scope: 'a b c' });
    expectOAuthError(wider, 400, 'invalid_scope');
    const narrow = await t.refresh(refresh_token, { scope: 'a' });
    expect(narrow.status).toBe(200);
    expect(narrow.body.scope).toBe('a');
    expect(decodeJwt(narrow.body.access_token).payload.scope).toBe('a');
    const next = await t.refresh(narrow.body.refresh_token);
    expect(next.body.scope).toBe('a b');
    expect(decodeJwt(next.body.access_token).payload.scope).toBe('a b');
  });

  it('RT5: a client_id that differs from the family is invalid_grant', async () => {
    const { refresh_token } = await t.tokens.issue('alice', { clientId: 'web' });
    expectInvalidGrant(await t.refresh(refresh_token, { client_id: 'mobile' }));
    const ok = await t.refresh(refresh_token, { client_id: 'web' });
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.access_token).payload.client_id).toBe('web');
  });

  it('RT7: a token is consumed once and yields an RFC 9068 access token in the same family', async () => {
    const first = await t.tokens.issue('alice', {
      scope: 'a',
      clientId: 'web',
      claims: { tenant: 't1' },
    });
    const res = await t.refresh(first.refresh_token);
    expect(res.status).toBe(200);
    const fid = first.refresh_token.slice(3).split('.')[0];
    expect(res.body.refresh_token.slice(3).split('.')[0]).toBe(fid);
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    const { header, payload } = decodeJwt(res.body.access_token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(Object.keys(payload).sort()).toEqual(
      ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sid', 'sub', 'tenant'].sort(),
    );
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: 'alice',
      aud: AUDIENCE,
      client_id: 'web',
      scope: 'a',
      sid: fid,
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    expect((await t.probe(res.body.access_token)).status).toBe(200);
  });

  it('RT7: extra claims never override registered ones', async () => {
    await expect(t.tokens.issue('alice', { claims: { sub: 'mallory' } })).rejects.toThrow(
      TypeError,
    );
    await expect(t.tokens.issue('alice', { claims: { sid: 'x' } })).rejects.toThrow('`sid`');
  });

  it('RT8: a replay within grace returns the byte-identical successor and a new access token', async () => {
    const first = await t.tokens.issue('alice');
    const a = await t.refresh(first.refresh_token);
    t.clock.advance(9_000);
    const b = await t.refresh(first.refresh_token);
    expect(b.status).toBe(200);
    expect(b.body.refresh_token).toBe(a.body.refresh_token);
    expect(b.body.access_token).not.toBe(a.body.access_token);
    expect(decodeJwt(b.body.access_token).payload.jti).not.toBe(
      decodeJwt(a.body.access_token).payload.jti,
    );
    expect(t.events.names()).toContain('refresh.grace_replay');
    expect((await t.refresh(a.body.refresh_token)).status).toBe(200);
  });

  it('RT8: the window runs from the first rotation and is never extended', async () => {
    const first = await t.tokens.issue('alice');
    await t.refresh(first.refresh_token);
    t.clock.advance(5_000);
    expect((await t.refresh(first.refresh_token)).status).toBe(200);
    t.clock.advance(5_000);
    expectInvalidGrant(await t.refresh(first.refresh_token));
  });

  it('RT8: no replay once the successor has been used', async () => {
    const first = await t.tokens.issue('alice');
    const a = await t.refresh(first.refresh_token);
    await t.refresh(a.body.refresh_token);
    expectInvalidGrant(await t.refresh(first.refresh_token));
  });

  it('RT9: reuse outside the window revokes the family and its live access tokens', async () => {
    const first = await t.tokens.issue('alice');
    const a = await t.refresh(first.refresh_token);
    expect((await t.probe(a.body.access_token)).status).toBe(200);
    t.clock.advance(11_000);
    expectInvalidGrant(await t.refresh(first.refresh_token));
    expect(t.events.names()).toEqual(
      expect.arrayContaining(['refresh.reuse_detected', 'family.revoked']),
    );
    expectInvalidGrant(await t.refresh(a.body.refresh_token));
    const probe = await t.probe(a.body.access_token);
    expect(probe.status).toBe(401);
    expect(probe.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    expect((await t.probe(first.access_token)).status).toBe(401);
  });

  it('RT9: presenting an older ancestor revokes the family too', async () => {
    const r0 = await t.tokens.issue('alice');
    const r1 = await t.refresh(r0.refresh_token);
    const r2 = await t.refresh(r1.body.refresh_token);
    expectInvalidGrant(await t.refresh(r0.refresh_token));
    expectInvalidGrant(await t.refresh(r2.body.refresh_token));
  });

  it('RT10: malformed, unknown or forged tokens revoke nothing', async () => {
    const { refresh_token, access_token } = await t.tokens.issue('alice');
    const [fid, tid] = refresh_token.slice(3).split('.');
    const other = (await t.tokens.issue('bob')).refresh_token.slice(3).split('.');
    const attempts = [
      'garbage',
      `rt_${fid}.${tid}`,
      `rt_${other[0]}.${tid}.${other[2]}`, // unknown tid in that family
      `rt_${fid}.${other[1]}.${other[2]}`,
      `rt_${fid}.${tid}.${other[2]}`, // secret mismatch
      `rt_${'A'.repeat(21)}A.${tid}.${other[2]}`, // unknown fid
    ];
    for (const token of attempts) expectInvalidGrant(await t.refresh(token), token);
    expect(t.events.names()).not.toContain('family.revoked');
    expect((await t.probe(access_token)).status).toBe(200);
    expect((await t.refresh(refresh_token)).status).toBe(200);
  });

  it('RT10: a token of a revoked family gets 400 and nothing further happens', async () => {
    const { refresh_token } = await t.tokens.issue('alice');
    await t.http().post('/auth/revoke').type('form').send({ token: refresh_token });
    t.events.clear();
    expectInvalidGrant(await t.refresh(refresh_token));
    expect(t.events.names()).toEqual(['refresh.invalid']);
  });

  it('RT11: reuse is still caught after the idle lifetime', async () => {
    const first = await t.tokens.issue('alice');
    await t.refresh(first.refresh_token);
    t.clock.advance(15 * DAY);
    t.events.clear();
    expectInvalidGrant(await t.refresh(first.refresh_token));
    expect(t.events.names()).toContain('refresh.reuse_detected');
  });

  it('RT12: the idle lifetime runs from the last rotation (default 14 d)', async () => {
    const first = await t.tokens.issue('alice');
    t.clock.advance(14 * DAY - 1000);
    const a = await t.refresh(first.refresh_token);
    expect(a.status).toBe(200);
    t.clock.advance(14 * DAY - 1000);
    const b = await t.refresh(a.body.refresh_token);
    expect(b.status).toBe(200);
    t.clock.advance(14 * DAY);
    expectInvalidGrant(await t.refresh(b.body.refresh_token));
  });

  it('RT12: the absolute lifetime is fixed at login (default 30 d)', async () => {
    let token = (await t.tokens.issue('alice')).refresh_token;
    for (let day = 0; day < 3; day++) {
      t.clock.advance(10 * DAY - 1000);
      const res = await t.refresh(token);
      expect(res.status).toBe(200);
      token = res.body.refresh_token;
    }
    t.clock.advance(3000);
    expectInvalidGrant(await t.refresh(token));
  });

  it('RT17: the token has the rt_ format and the store keeps only hashes and ciphertext', async () => {
    const first = await t.tokens.issue('alice');
    const res = await t.refresh(first.refresh_token);
    for (const token of [first.refresh_token, res.body.refresh_token]) {
      expect(token).toMatch(/^rt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    }
    const store = t.app.get(RefreshTokenStore) as unknown as { families: Map<string, unknown> };
    const dump = JSON.stringify([...store.families.values()], (_k, v) =>
      v instanceof Map ? [...v.entries()] : v,
    );
    for (const token of [first.refresh_token, res.body.refresh_token]) {
      expect(dump).not.toContain(token.split('.')[2]);
    }
  });
});

describe('RT13: sessions per subject', () => {
  it('RT13: one family over maxFamiliesPerSubject revokes the oldest, with its access tokens', async () => {
    const t = await createRefreshApp({ maxFamiliesPerSubject: 2 });
    try {
      const oldest = await t.tokens.issue('alice');
      const middle = await t.tokens.issue('alice');
      const newest = await t.tokens.issue('alice');
      await t.tokens.issue('bob');
      expectInvalidGrant(await t.refresh(oldest.refresh_token));
      expect((await t.probe(oldest.access_token)).status).toBe(401);
      expect((await t.refresh(middle.refresh_token)).status).toBe(200);
      expect((await t.refresh(newest.refresh_token)).status).toBe(200);
      expect(t.events.events).toContainEqual(
        expect.objectContaining({
          name: 'family.revoked',
          data: expect.objectContaining({ reason: 'evicted' }),
        }),
      );
    } finally {
      await t.close();
    }
  });

  it('RT13: the default cap is 50', async () => {
    const t = await createRefreshApp();
    try {
      const first = await t.tokens.issue('alice');
      for (let i = 0; i < 49; i++) await t.tokens.issue('alice');
      expect((await t.refresh(first.refresh_token)).status).toBe(200);
      await t.tokens.issue('alice');
      t.clock.advance(11_000);
      const sessions = await t.app.get(RefreshTokenStore).listFamilies('alice', t.clock.now(), DAY);
      expect(sessions).toHaveLength(50);
      expect(sessions.map((s) => s.id)).not.toContain(first.refresh_token.slice(3, 25));
    } finally {
      await t.close();
    }
  });
});

describe('RT5: confidential clients', () => {
  const secret = 'a-long-client-secret';
  let t: RefreshApp;
  beforeAll(
    async () =>
      (t = await createRefreshApp({ clients: [{ clientId: 'backend', clientSecret: secret }] })),
  );
  afterAll(() => t.close());
  const basic = (id: string, s: string) => `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`;

  it('RT5: a wrong secret is 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const { refresh_token } = await t.tokens.issue('alice', { clientId: 'backend' });
    const res = await t
      .refresh(refresh_token)
      .set('Authorization', basic('backend', 'wrong-secret-value'));
    expectOAuthError(res, 401, 'invalid_client');
    expect(res.headers['www-authenticate']).toBe('Basic realm="api"');
    const post = await t.refresh(refresh_token, { client_id: 'backend', client_secret: 'nope' });
    expectOAuthError(post, 401, 'invalid_client');
    const unknown = await t.refresh(refresh_token).set('Authorization', basic('who', secret));
    expectOAuthError(unknown, 401, 'invalid_client');
    const bearer = await t.refresh(refresh_token).set('Authorization', 'Bearer abc');
    expectOAuthError(bearer, 401, 'invalid_client');
  });

  it("RT5: a confidential client's token needs that client's credentials", async () => {
    const { refresh_token } = await t.tokens.issue('alice', { clientId: 'backend' });
    expectOAuthError(await t.refresh(refresh_token), 401, 'invalid_client');
    expectOAuthError(
      await t.refresh(refresh_token, { client_id: 'backend' }),
      401,
      'invalid_client',
    );
    const ok = await t.refresh(refresh_token).set('Authorization', basic('backend', secret));
    expect(ok.status).toBe(200);
    const post = await t.refresh(ok.body.refresh_token, {
      client_id: 'backend',
      client_secret: secret,
    });
    expect(post.status).toBe(200);
  });

  it('RT5: an authenticated client presenting another client’s token gets invalid_grant', async () => {
    const { refresh_token } = await t.tokens.issue('alice', { clientId: 'web' });
    expectInvalidGrant(
      await t.refresh(refresh_token).set('Authorization', basic('backend', secret)),
    );
    expect((await t.refresh(refresh_token)).status).toBe(200);
  });
});

describe('RT21: subject revocation during rotation', () => {
  it('RT21: a family created before subjectRevokedBefore is refused at rotation even if the index missed it', async () => {
    const t = await createRefreshApp();
    try {
      const { refresh_token } = await t.tokens.issue('alice');
      t.clock.advance(2000);
      // As if logout-all ran on another instance whose index did not yet hold this family.
      const now = t.clock.nowSeconds();
      await t.app.get(RevocationStore).revokeSubject('alice', now, now + 960);
      expectInvalidGrant(await t.refresh(refresh_token));
      expect(t.events.events).toContainEqual(
        expect.objectContaining({ data: expect.objectContaining({ reason: 'subject_revoked' }) }),
      );
      t.clock.advance(1000);
      const fresh = await t.tokens.issue('alice');
      expect((await t.refresh(fresh.refresh_token)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe.each([
  ['forRoot', false],
  ['forRootAsync', true],
])('the refresh flow with %s', (_name, async) => {
  it('RT7: login, refresh, call, with the routes mounted and the own tokens validated via JWKS', async () => {
    const issuing = { issuer: ISSUER, audience: AUDIENCE };
    const module = async
      ? AuthModule.forRootAsync({ useFactory: () => ({ issuing }), mountTokenEndpoints: true })
      : AuthModule.forRoot({ issuing });
    const moduleRef = await Test.createTestingModule({
      imports: [module],
      controllers: [ProbeController],
    })
      .overrideProvider(Clock)
      .useValue(new ManualClock())
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const first = await app.get(TokenService).issue('alice', { scope: 'a' });
      const res = await request(url)
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      expect(res.status).toBe(200);
      const probe = await request(url)
        .get('/probe')
        .set('Authorization', `Bearer ${res.body.access_token}`);
      expect(probe.status).toBe(200);
      expect(probe.body).toMatchObject({ subject: 'alice', issuer: ISSUER, scopes: ['a'] });
    } finally {
      await app.close();
    }
  });
});

describe('routePrefix', () => {
  it('mounts the token and session routes under issuing.routePrefix', async () => {
    const t = await createRefreshApp({ routePrefix: 'api/v1/auth' });
    try {
      const { refresh_token } = await t.tokens.issue('alice');
      expect((await t.http().post('/auth/token').type('form').send({})).status).toBe(404);
      const res = await t
        .http()
        .post('/api/v1/auth/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token });
      expect(res.status).toBe(200);
      const sessions = await t
        .http()
        .get('/api/v1/auth/sessions')
        .set('Authorization', `Bearer ${res.body.access_token}`);
      expect(sessions.status).toBe(200);
      expect((await t.http().get('/api/v1/auth/sessions')).status).toBe(401);
      const discovery = await t.http().get('/.well-known/openid-configuration');
      expect(discovery.body.token_endpoint).toBe(`${ISSUER}/api/v1/auth/token`);
    } finally {
      await t.close();
    }
  });

  it('forRootAsync with another routePrefix fails at start-up instead of serving the wrong path', async () => {
    const module = AuthModule.forRootAsync({
      useFactory: () => ({
        issuing: { issuer: ISSUER, audience: AUDIENCE, routePrefix: 'api/auth' },
      }),
      mountTokenEndpoints: true,
    });
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow('`issuing.routePrefix`');
    await app.close().catch(() => undefined);
  });

  it('forRootAsync without issuing but with mountTokenEndpoints fails at start-up', async () => {
    const module = AuthModule.forRootAsync({
      useFactory: () => ({
        issuer: 'https://idp.test/',
        audience: 'api',
        jwksUri: 'https://idp.test/jwks',
      }),
      mountTokenEndpoints: true,
    });
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow('`issuing`');
    await app.close().catch(() => undefined);
  });

  it('RT8: an out-of-range graceSeconds fails at start-up with a TypeError naming the field', async () => {
    await expect(createRefreshApp({ graceSeconds: 61 })).rejects.toThrow(
      'AuthModule: invalid option `issuing.graceSeconds`',
    );
  });
});
