import { ADAPTERS } from './support/test-app';
import {
  createRefreshApp,
  expectInvalidGrant,
  expectOAuthError,
  RefreshApp,
} from './support/refresh-app';

/** DESIGN V12: the issuing routes answer alike on Express and Fastify. */
describe.each(ADAPTERS)('issuing routes on %s', (adapter) => {
  let t: RefreshApp;
  beforeAll(
    async () => (t = await createRefreshApp({ cookie: { exposeInBody: true } }, { adapter })),
  );
  afterAll(() => t.close());

  it('RT1, RT2: form and JSON refreshes with the exact body and headers', async () => {
    const login = await t.tokens.issue('alice', { scope: 'a' });
    const form = await t.refresh(login.refresh_token);
    expect(form.status).toBe(200);
    expect(form.headers['cache-control']).toBe('no-store');
    expect(form.headers['pragma']).toBe('no-cache');
    expect(Object.keys(form.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    const json = await t
      .http()
      .post('/auth/token')
      .send({ grant_type: 'refresh_token', refresh_token: form.body.refresh_token });
    expect(json.status).toBe(200);
    expect(json.headers['set-cookie'][0]).toMatch(
      /; Path=\/auth; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect((await t.probe(json.body.access_token)).status).toBe(200);
  });

  it('RT3, RT-05: failures keep the RFC 6749 shape', async () => {
    const { refresh_token } = await t.tokens.issue('alice');
    expectInvalidGrant(await t.refresh('rt_nope'));
    expectOAuthError(
      await t
        .http()
        .post('/auth/token')
        .type('form')
        .send(`grant_type=refresh_token&refresh_token=a&refresh_token=b`),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await t
        .http()
        .post('/auth/token')
        .send({ grant_type: 'refresh_token', refresh_token: { $ne: null } }),
      400,
      'invalid_request',
    );
    expectOAuthError(
      await t.refresh(refresh_token, { grant_type: 'password' }),
      400,
      'unsupported_grant_type',
    );
    const get = await t.http().get('/auth/token');
    expect(get.status).toBe(405);
    const text = await t.http().post('/auth/token').set('Content-Type', 'text/plain').send('x');
    expect([400, 415]).toContain(text.status);
  });

  it('RT19, RT20, RT25: revoke, sessions and the JWKS', async () => {
    const login = await t.tokens.issue('alice');
    const sessions = await t
      .http()
      .get('/auth/sessions')
      .set('Authorization', `Bearer ${login.access_token}`);
    expect(sessions.status).toBe(200);
    expect(sessions.body.some((s: { current: boolean }) => s.current)).toBe(true);
    const revoke = await t
      .http()
      .post('/auth/revoke')
      .type('form')
      .send({ token: login.refresh_token });
    expect(revoke.status).toBe(200);
    expect(revoke.text).toBe('');
    expectInvalidGrant(await t.refresh(login.refresh_token));
    const jwks = await t.http().get('/.well-known/jwks.json');
    expect(jwks.headers['cache-control']).toBe('public, max-age=600');
    expect(Object.keys(jwks.body.keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });
});
