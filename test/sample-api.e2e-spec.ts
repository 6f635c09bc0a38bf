// The payments sample over real HTTP (supertest against a listening app): login → call → expiry
// via the overridden Clock → refresh → reuse detection → logout-all → CAE challenge, plus the
// authorization rules of each route, the login's rate limit, discovery, and the OpenAPI document.
import request from 'supertest';
import { GROUPS_OVERAGE_MESSAGE } from '@app/auth';
import { TestIssuer } from '@app/auth/testing';
import { ADMIN_GROUP_ID } from '../apps/sample-api/src/sample.constants';
import { describeRedis, REDIS_URL } from './support/redis-env';
import { DEMO_PASSWORD, login, type RunningSample, startSample } from './support/sample-app';
import { INVALID_TOKEN_CHALLENGE } from './support/test-app';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const INVALID_GRANT = {
  error: 'invalid_grant',
  error_description: 'refresh token is invalid, expired or revoked',
};

function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as never;
}

function refresh(url: string, refreshToken: string) {
  return request(url)
    .post('/auth/token')
    .type('form')
    .send({ grant_type: 'refresh_token', refresh_token: refreshToken });
}

describe('sample app: embedded defaults (in-memory stores, own keys)', () => {
  let sample: RunningSample;
  let url: string;

  beforeAll(async () => {
    // Many logins from one address: the rate limit has its own suite below.
    sample = await startSample({ LOGIN_RATE_LIMIT: '1000' });
    url = sample.url;
  });
  afterAll(() => sample.close());

  describe('routes and their requirements', () => {
    it('GET /health is public', async () => {
      await request(url).get('/health').expect(200, { status: 'ok' });
    });

    it('every other route needs a token (E1)', async () => {
      for (const path of ['/payments', '/me', '/auth/sessions']) {
        const res = await request(url).get(path).expect(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
      }
    });

    it('a garbage token is 401 invalid_token (E2)', async () => {
      const res = await request(url).get('/me').set(bearer('not.a.jwt')).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    });

    it('alice (Payments.Read Payments.Write) lists and creates payments', async () => {
      const { access_token } = await login(url, 'alice');
      const list = await request(url).get('/payments').set(bearer(access_token)).expect(200);
      expect(list.body.length).toBeGreaterThanOrEqual(2);
      const created = await request(url)
        .post('/payments')
        .set(bearer(access_token))
        .send({ amount: 42.5, currency: 'EUR', payee: 'Initech' })
        .expect(201);
      expect(created.body).toMatchObject({
        amount: 42.5,
        currency: 'EUR',
        payee: 'Initech',
        status: 'pending',
        createdBy: 'alice',
      });
      await request(url)
        .post('/payments')
        .set(bearer(access_token))
        .send({ amount: -1, currency: 'euro' })
        .expect(400);
    });

    it('bob (Payments.Read) may list but not create: 403 insufficient_scope (E4)', async () => {
      const { access_token, scope } = await login(url, 'bob');
      expect(scope).toBe('Payments.Read');
      await request(url).get('/payments').set(bearer(access_token)).expect(200);
      const res = await request(url)
        .post('/payments')
        .set(bearer(access_token))
        .send({ amount: 1, currency: 'EUR', payee: 'x' })
        .expect(403);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="api", error="insufficient_scope", error_description="Insufficient ' +
          'permissions: requires scope Payments.Write", scope="Payments.Write"',
      );
    });

    it('approving needs the app role Payments.Approver or the admin group', async () => {
      const alice = await login(url, 'alice');
      const bob = await login(url, 'bob');
      const carol = await login(url, 'carol');
      expect(decodeJwt(carol.access_token).groups).toEqual([ADMIN_GROUP_ID]);

      const { body: payment } = await request(url)
        .post('/payments')
        .set(bearer(alice.access_token))
        .send({ amount: 10, currency: 'EUR', payee: 'Hooli' })
        .expect(201);
      const denied = `Insufficient permissions: requires role Payments.Approver or group ${ADMIN_GROUP_ID}`;
      for (const token of [alice.access_token, bob.access_token]) {
        const res = await request(url)
          .post(`/payments/${payment.id}/approve`)
          .set(bearer(token))
          .expect(403);
        expect(res.headers['www-authenticate']).toBe(
          `Bearer realm="api", error="insufficient_scope", error_description="${denied}", ` +
            `scope="Payments.Approver ${ADMIN_GROUP_ID}"`,
        );
        expect(res.body).toEqual({ statusCode: 403, message: denied, error: 'Forbidden' });
      }
      const approved = await request(url)
        .post(`/payments/${payment.id}/approve`)
        .set(bearer(carol.access_token))
        .expect(201);
      expect(approved.body).toMatchObject({ status: 'approved', approvedBy: 'carol' });
      await request(url)
        .post(`/payments/${payment.id}/approve`)
        .set(bearer(carol.access_token))
        .expect(409);
      await request(url)
        .post('/payments/pay_404/approve')
        .set(bearer(carol.access_token))
        .expect(404);
    });

    it('GET /me answers with who the token says the caller is', async () => {
      const { access_token } = await login(url, 'carol');
      const { body } = await request(url).get('/me').set(bearer(access_token)).expect(200);
      expect(body).toMatchObject({
        subject: 'carol',
        name: 'Carol',
        kind: 'user',
        issuer: url,
        clientId: 'payments-sample',
        scopes: ['Payments.Read'],
        roles: [], // the admin group alone lets her approve (@AnyOf): no role is made up for her
        groups: [ADMIN_GROUP_ID],
      });
    });
  });

  describe('POST /auth/login', () => {
    it('answers like the token endpoint (RT2), with an RFC 9068 access token', async () => {
      const res = await request(url)
        .post('/auth/login')
        .send({ username: 'alice', password: DEMO_PASSWORD })
        .expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        access_token: expect.stringMatching(/^eyJ/),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.stringMatching(/^rt_/),
        scope: 'Payments.Read Payments.Write',
      });
      const header = JSON.parse(
        Buffer.from(res.body.access_token.split('.')[0], 'base64url').toString(),
      );
      expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
      expect(decodeJwt(res.body.access_token)).toMatchObject({
        iss: url,
        sub: 'alice',
        aud: 'api://payments-sample',
        client_id: 'payments-sample',
        scope: 'Payments.Read Payments.Write',
        name: 'Alice',
      });
    });

    it('refuses a wrong password and an unknown user alike: 401, one generic message', async () => {
      const wrong = await request(url)
        .post('/auth/login')
        .send({ username: 'alice', password: 'not-the-password' })
        .expect(401);
      const unknown = await request(url)
        .post('/auth/login')
        .send({ username: 'mallory', password: DEMO_PASSWORD })
        .expect(401);
      const expected = {
        statusCode: 401,
        message: 'Invalid username or password',
        error: 'Unauthorized',
      };
      expect(wrong.body).toEqual(expected);
      expect(unknown.body).toEqual(expected);
    });

    it('answers 400 to a body without username and password', async () => {
      await request(url).post('/auth/login').send({ username: 'alice' }).expect(400);
      await request(url).post('/auth/login').send('nonsense').expect(400);
    });
  });

  describe('the refresh story', () => {
    it('login → call → expiry (Clock) → refresh → reuse detection → logout-all → CAE challenge', async () => {
      const { clock } = sample;
      // 1. Log in and call.
      const first = await login(url, 'alice');
      await request(url).get('/payments').set(bearer(first.access_token)).expect(200);

      // 2. The access token expires on the server's clock (15 min + the 60 s tolerance).
      clock.advance((900 + 61) * 1000);
      const expired = await request(url).get('/payments').set(bearer(first.access_token));
      expect(expired.status).toBe(401);
      expect(expired.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(expired.body.message).toBe('Token expired');

      // 3. Refresh: a new pair, the old refresh token is consumed (RT7).
      const rotated = await refresh(url, first.refresh_token).expect(200);
      expect(rotated.headers['cache-control']).toBe('no-store');
      expect(rotated.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.stringMatching(/^rt_/),
        scope: 'Payments.Read Payments.Write',
      });
      expect(rotated.body.refresh_token).not.toBe(first.refresh_token);
      const second = rotated.body as typeof first;
      await request(url).get('/payments').set(bearer(second.access_token)).expect(200);
      expect(decodeJwt(second.access_token).sid).toBe(decodeJwt(first.access_token).sid);

      // 4. Within the grace window a replay gets the byte-identical successor (RT8)…
      const replay = await refresh(url, first.refresh_token).expect(200);
      expect(replay.body.refresh_token).toBe(second.refresh_token);

      // …after it, the replay is reuse: the whole family is revoked (RT9).
      clock.advance(11_000);
      await refresh(url, first.refresh_token).expect(400, INVALID_GRANT);
      await refresh(url, second.refresh_token).expect(400, INVALID_GRANT);
      const revoked = await request(url).get('/payments').set(bearer(second.access_token));
      expect(revoked.status).toBe(401);
      expect(revoked.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(sample.events.count('refresh.reuse_detected')).toBeGreaterThanOrEqual(1);

      // 5. Two new sessions; logout-all from one ends both (RT21, K2)…
      clock.advance(1000);
      const phone = await login(url, 'alice');
      const laptop = await login(url, 'alice');
      const sessions = await request(url)
        .get('/auth/sessions')
        .set(bearer(laptop.access_token))
        .expect(200);
      expect(sessions.body.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      // A second later (iat has whole seconds: a token of the very second stays valid, K2).
      clock.advance(1000);
      await request(url).post('/auth/logout-all').set(bearer(laptop.access_token)).expect(204);
      const logoutAt = clock.nowSeconds();

      // …so the other session's live access token meets a CAE claims challenge (E5)…
      const challenged = await request(url).get('/payments').set(bearer(phone.access_token));
      expect(challenged.status).toBe(401);
      const header = challenged.headers['www-authenticate'] as string;
      const claims = /claims="([^"]+)"/.exec(header)?.[1];
      expect(header).toBe(
        `Bearer realm="api", error="insufficient_claims", error_description="The access token ` +
          `was revoked", claims="${claims}"`,
      );
      const decoded = JSON.parse(Buffer.from(claims!, 'base64').toString());
      expect(decoded).toEqual({
        access_token: { nbf: { essential: true, value: expect.any(String) } },
      });
      // Tokens of the logout second itself are refused too: the challenge asks for a later one.
      expect(Number(decoded.access_token.nbf.value)).toBe(logoutAt + 1);

      // …and neither refresh token works any more.
      await refresh(url, phone.refresh_token).expect(400, INVALID_GRANT);
      await refresh(url, laptop.refresh_token).expect(400, INVALID_GRANT);

      // 6. Logging in again after the revocation works.
      clock.advance(1000);
      const fresh = await login(url, 'alice');
      await request(url).get('/payments').set(bearer(fresh.access_token)).expect(200);
    });

    it('refresh tokens are revoked with POST /auth/revoke (RFC 7009), sessions ended with logout', async () => {
      const pair = await login(url, 'bob');
      await request(url)
        .post('/auth/revoke')
        .type('form')
        .send({ token: pair.refresh_token, token_type_hint: 'refresh_token' })
        .expect(200);
      await refresh(url, pair.refresh_token).expect(400, INVALID_GRANT);
      expect((await request(url).get('/me').set(bearer(pair.access_token))).status).toBe(401);

      const other = await login(url, 'bob');
      await request(url).post('/auth/logout').set(bearer(other.access_token)).expect(204);
      await refresh(url, other.refresh_token).expect(400, INVALID_GRANT);
    });

    it('refresh tokens expire after REFRESH_IDLE_TTL without use', async () => {
      const pair = await login(url, 'bob');
      sample.clock.advance((14 * 86400 + 1) * 1000);
      await refresh(url, pair.refresh_token).expect(400, INVALID_GRANT);
    });
  });

  describe('discovery and keys', () => {
    it('publishes the discovery document and the JWKS (public members only)', async () => {
      const { body: discovery } = await request(url)
        .get('/.well-known/openid-configuration')
        .expect(200);
      expect(discovery).toMatchObject({
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks.json`,
        token_endpoint: `${url}/auth/token`,
        revocation_endpoint: `${url}/auth/revoke`,
        grant_types_supported: ['refresh_token'],
        scopes_supported: ['Payments.Read', 'Payments.Write'],
      });
      const { body: jwks } = await request(url).get('/.well-known/jwks.json').expect(200);
      expect(jwks.keys).toHaveLength(1); // one RSA key generated at start-up
      for (const key of jwks.keys) {
        expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      }
    });
  });

  describe('OpenAPI at /docs', () => {
    it('serves the UI and a document whose security is read from the decorators', async () => {
      const ui = await request(url).get('/docs').redirects(1).expect(200);
      expect(ui.text).toContain('swagger-ui');
      const { body: doc } = await request(url).get('/docs-json').expect(200);
      expect(doc.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
      });
      expect(doc.paths['/payments'].get).toMatchObject({
        security: [{ bearer: ['Payments.Read'] }],
        description: 'Requires scope Payments.Read.',
      });
      expect(doc.paths['/payments'].post).toMatchObject({
        security: [{ bearer: ['Payments.Read', 'Payments.Write'] }],
        description: 'Requires scope Payments.Read and scope Payments.Write.',
      });
      expect(doc.paths['/payments/{id}/approve'].post.security).toEqual([
        { bearer: ['Payments.Read', 'Payments.Approver'] },
        { bearer: ['Payments.Read', ADMIN_GROUP_ID] },
      ]);
      expect(doc.paths['/payments/{id}/approve'].post.description).toContain(
        `Requires scope Payments.Read and role Payments.Approver or group ${ADMIN_GROUP_ID}.`,
      );
      expect(doc.paths['/me'].get.security).toEqual([{ bearer: [] }]);
      expect(doc.paths['/auth/sessions'].get.security).toEqual([{ bearer: [] }]);
      for (const open of ['/health', '/auth/login', '/auth/token', '/.well-known/jwks.json']) {
        const operation = doc.paths[open].get ?? doc.paths[open].post;
        expect(operation.security).toBeUndefined();
      }
    });
  });
});

describe('sample app: login rate limit (LOGIN_RATE_LIMIT)', () => {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample({ LOGIN_RATE_LIMIT: '3' });
  });
  afterAll(() => sample.close());

  it('limits POST /auth/login per client address, and nothing else', async () => {
    const attempt = () =>
      request(sample.url)
        .post('/auth/login')
        .send({ username: 'alice', password: 'wrong-password' });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password waits now; other routes are not limited.
    const right = await request(sample.url)
      .post('/auth/login')
      .send({ username: 'alice', password: DEMO_PASSWORD });
    expect(right.status).toBe(429);
    for (let i = 0; i < 10; i++) await request(sample.url).get('/health').expect(200);
  });
});

describe('sample app: settings', () => {
  it('takes DEMO_PASSWORD, lifetimes and SAMPLE_AUDIENCE from the environment', async () => {
    const sample = await startSample({
      DEMO_PASSWORD: 'correct horse battery',
      ACCESS_TOKEN_TTL: '2m',
      SAMPLE_AUDIENCE: 'api://payments-test',
    });
    try {
      const refused = await request(sample.url)
        .post('/auth/login')
        .send({ username: 'alice', password: DEMO_PASSWORD });
      expect(refused.status).toBe(401);
      const pair = await login(sample.url, 'alice', 'correct horse battery');
      expect(pair.expires_in).toBe(120);
      expect(decodeJwt(pair.access_token).aud).toBe('api://payments-test');
    } finally {
      await sample.close();
    }
  });

  it('stops the start with a message naming each bad setting', async () => {
    const error = await startSample({
      ACCESS_TOKEN_TTL: 'soon',
      REDIS_URL: 'http://not-redis',
      AUTH_ISSUER: 'x',
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid settings — the sample did not start:/);
    expect(message).toContain(
      '  ACCESS_TOKEN_TTL: expected a number of seconds, or a number with a unit: 90s, 15m, ' +
        '12h, 14d; got "soon"',
    );
    expect(message).toContain('  AUTH_AUDIENCE: missing');
    expect(message).toContain('  AUTH_ISSUER: expected the issuer URL(s)');
    expect(message).toContain('  REDIS_URL: expected redis://');
  });
});

describe('sample app: an outside issuer beside its own (AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URI | AUTH_AUTHORITY)', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await TestIssuer.start();
  });
  afterAll(() => issuer.stop());

  it.each(['AUTH_JWKS_URI', 'AUTH_AUTHORITY'] as const)(
    'accepts the outside tokens and its own (%s)',
    async (setting) => {
      const options = issuer.authOptions();
      const where: Record<string, string> =
        setting === 'AUTH_JWKS_URI'
          ? { AUTH_JWKS_URI: options.jwksUri }
          : { AUTH_AUTHORITY: issuer.authority };
      const sample = await startSample({
        AUTH_ISSUER: options.issuer,
        AUTH_AUDIENCE: options.audience,
        ...where,
      });
      try {
        const reader = issuer.mint({ sub: 'svc-user', scp: 'Payments.Read' });
        await request(sample.url).get('/payments').set(bearer(reader)).expect(200);
        const me = await request(sample.url).get('/me').set(bearer(reader)).expect(200);
        expect(me.body).toMatchObject({ subject: 'svc-user', issuer: options.issuer });

        // An application token with the app role approves (client credentials: roles, no scp)…
        const approver = issuer.mint({
          sub: 'daemon',
          roles: ['Payments.Approver'],
          scp: 'Payments.Read',
        });
        await request(sample.url).post('/payments/pay_1/approve').set(bearer(approver)).expect(201);
        // …so does a member of the admin group without it; a groups overage cannot be checked
        // (the sample has no GroupsResolver), and the 403 says so.
        const admin = issuer.mint({ sub: 'admin', scp: 'Payments.Read', groups: [ADMIN_GROUP_ID] });
        await request(sample.url).post('/payments/pay_2/approve').set(bearer(admin)).expect(201);
        const overage = issuer.mint({ sub: 'many-groups', scp: 'Payments.Read', hasgroups: true });
        const refused = await request(sample.url)
          .post('/payments/pay_2/approve')
          .set(bearer(overage))
          .expect(403);
        expect(refused.body.message).toBe(GROUPS_OVERAGE_MESSAGE);
        // …a token for another audience does not get in.
        const wrongAudience = issuer.mint({ aud: 'api://other', scp: 'Payments.Read' });
        await request(sample.url).get('/payments').set(bearer(wrongAudience)).expect(401);

        const own = await login(sample.url, 'bob');
        await request(sample.url).get('/payments').set(bearer(own.access_token)).expect(200);
      } finally {
        await sample.close();
      }
    },
  );
});

describeRedis('sample app: Redis stores (REDIS_URL)', () => {
  let sample: RunningSample;
  beforeAll(async () => {
    sample = await startSample({ REDIS_URL });
  });
  afterAll(() => sample.close());

  // logout-all is left out here: it would store a subject revocation for a demo user in the
  // shared Redis, dated on this test's advanced clock, and refuse the next run's logins.
  it('login → call → expiry (Clock) → refresh → reuse detection, with state in Redis', async () => {
    const { url, clock } = sample;
    const first = await login(url, 'bob');
    await request(url).get('/payments').set(bearer(first.access_token)).expect(200);
    clock.advance((900 + 61) * 1000);
    await request(url).get('/payments').set(bearer(first.access_token)).expect(401);
    const rotated = await refresh(url, first.refresh_token).expect(200);
    await request(url).get('/payments').set(bearer(rotated.body.access_token)).expect(200);
    clock.advance(11_000);
    await refresh(url, first.refresh_token).expect(400, INVALID_GRANT);
    await refresh(url, rotated.body.refresh_token).expect(400, INVALID_GRANT);
    await request(url).get('/payments').set(bearer(rotated.body.access_token)).expect(401);
  });
});
