import { TestIssuer } from '@app/auth/testing';
import {
  createRefreshApp,
  expectInvalidGrant,
  expectOAuthError,
  INVALID_TOKEN_CHALLENGE,
  RefreshApp,
} from './support/refresh-app';

/** ATTACKS.md section G: refresh-token endpoint abuse. */
describe('refresh endpoint abuse (ATTACKS G: RT-01, RT-02, RT-05, RT-07)', () => {
  let t: RefreshApp;
  beforeAll(async () => (t = await createRefreshApp()));
  afterAll(() => t.close());
  const post = () => t.http().post('/auth/token');

  it('RT-01: reuse after rotation revokes the whole family; a fresh login still works', async () => {
    const rt0 = (await t.tokens.issue('alice')).refresh_token;
    const first = await t.refresh(rt0);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(rt0);
    t.clock.advance(11_000);
    expectInvalidGrant(await t.refresh(rt0));
    expectInvalidGrant(await t.refresh(first.body.refresh_token));
    const again = await t.tokens.issue('alice');
    expect((await t.refresh(again.refresh_token)).status).toBe(200);
  });

  it('RT-02: 10 parallel refreshes never make two live successors', async () => {
    const rt = (await t.tokens.issue('alice')).refresh_token;
    const results = await Promise.all(Array.from({ length: 10 }, () => t.refresh(rt)));
    const ok = results.filter((r) => r.status === 200);
    expect(new Set(ok.map((r) => r.body.refresh_token)).size).toBe(1);
    for (const r of results) expect([200, 400]).toContain(r.status);
  });

  describe('RT-05: malformed refresh requests', () => {
    let rt: string;
    beforeEach(async () => (rt = (await t.tokens.issue('alice')).refresh_token));

    it('RT-05: GET is 405', async () => {
      const res = await t
        .http()
        .get('/auth/token')
        .query({ grant_type: 'refresh_token', refresh_token: rt });
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('POST');
      expect(res.text).not.toContain(rt.slice(3));
    });

    it('RT-05: missing grant_type, wrong grant type, missing or empty token', async () => {
      expectOAuthError(
        await post().type('form').send({ refresh_token: rt }),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await post().type('form').send({ grant_type: 'password', refresh_token: rt }),
        400,
        'unsupported_grant_type',
      );
      expectOAuthError(
        await post().type('form').send({ grant_type: 'refresh_token' }),
        400,
        'invalid_request',
      );
      expectOAuthError(await t.refresh(''), 400, 'invalid_request');
    });

    it('RT-05: repeated parameters and qs-extended objects are 400, never 200', async () => {
      const shapes = [
        `grant_type=refresh_token&refresh_token=a&refresh_token=b`,
        `grant_type=refresh_token&refresh_token[$ne]=x`,
        `grant_type=refresh_token&refresh_token[]=${rt}`,
        `grant_type[]=refresh_token&refresh_token=${rt}`,
      ];
      for (const body of shapes)
        expectOAuthError(await post().type('form').send(body), 400, 'invalid_request');
    });

    it('RT-05: JSON objects, arrays and numbers as the token are 400 (NoSQL-injection shapes)', async () => {
      const values: unknown[] = [{ $ne: null }, [rt], 123, null, true];
      for (const refresh_token of values) {
        const res = await post().send({ grant_type: 'refresh_token', refresh_token });
        expectOAuthError(res, 400, 'invalid_request');
      }
      expectOAuthError(
        await post().send([{ grant_type: 'refresh_token' }]),
        400,
        'invalid_request',
      );
    });

    it('RT-05: a 1 MB value is refused quickly', async () => {
      const started = Date.now();
      const res = await post()
        .type('form')
        .send(`grant_type=refresh_token&refresh_token=${'a'.repeat(1024 * 1024)}`);
      expect([400, 413]).toContain(res.status);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(res.text).not.toMatch(/at .*\.js/);
    });

    it('RT-05: NUL or non-ASCII bytes in the token are invalid_grant', async () => {
      for (const token of [
        `${rt}\u0000`,
        `${rt.slice(0, -1)}\u00e9`,
        `rt_\u0000${rt.slice(4)}`,
        `${rt}\u202e`,
      ]) {
        expectInvalidGrant(await t.refresh(token));
      }
      expect((await t.refresh(rt)).status).toBe(200);
    });

    it('RT-05: an unsupported content type is 400', async () => {
      const res = await post()
        .set('Content-Type', 'text/plain')
        .send(`grant_type=refresh_token&refresh_token=${rt}`);
      expectOAuthError(res, 400, 'invalid_request');
      const xml = await post().set('Content-Type', 'application/xml').send('<a/>');
      expectOAuthError(xml, 400, 'invalid_request');
    });

    it('RT-05: malformed JSON is 400 with no stack trace', async () => {
      const res = await post().set('Content-Type', 'application/json').send('{"grant_type":');
      expect(res.status).toBe(400);
      expect(res.text).not.toMatch(/at .*\.js|node_modules/);
    });
  });

  describe('RT-07: token-type confusion', () => {
    it('RT-07: an access token or an ID token sent as refresh_token is invalid_grant', async () => {
      const { access_token } = await t.tokens.issue('alice');
      expectInvalidGrant(await t.refresh(access_token), access_token);
      const idp = await TestIssuer.start({ issuer: 'https://idp.test/', audience: 'client-app' });
      try {
        const idToken = await idp.mint({ sub: 'alice', nonce: 'n' });
        expectInvalidGrant(await t.refresh(idToken), idToken);
      } finally {
        await idp.stop();
      }
    });

    it('RT-07: a refresh token sent as a bearer token is 401 invalid_token', async () => {
      const { refresh_token } = await t.tokens.issue('alice');
      const res = await t.probe(refresh_token);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(res.text).not.toContain(refresh_token.slice(3));
    });
  });
});
