import {
  createRefreshApp,
  expectInvalidGrant,
  expectOAuthError,
  RefreshApp,
} from './support/refresh-app';

const COOKIE =
  /^refresh_token=(rt_[^;]+); Path=\/auth; Max-Age=(\d+); HttpOnly; Secure; SameSite=Strict$/;

function cookieToken(res: { headers: Record<string, unknown> }): string {
  const set = res.headers['set-cookie'] as string[] | undefined;
  expect(set).toHaveLength(1);
  const match = COOKIE.exec(set![0]);
  expect(match).not.toBeNull();
  return match![1];
}

describe('cookie mode (RT6, R9)', () => {
  let t: RefreshApp;
  beforeEach(async () => (t = await createRefreshApp({ cookie: true })));
  afterEach(() => t.close());
  const viaCookie = (token: string) =>
    t
      .http()
      .post('/auth/token')
      .type('form')
      .set('Cookie', `theme=dark; refresh_token=${token}`)
      .send({ grant_type: 'refresh_token' });

  it('RT6: every 200 sets the HttpOnly, Secure, SameSite=Strict, Path=/auth cookie to the returned RT', async () => {
    const login = await t.tokens.issue('alice');
    expect(t.tokens.refreshCookie(login)).toMatch(COOKIE);
    const res = await viaCookie(login.refresh_token);
    expect(res.status).toBe(200);
    const rt = cookieToken(res);
    expect(rt).not.toBe(login.refresh_token);
    expect(Number(COOKIE.exec(res.headers['set-cookie'][0])![2])).toBe(14 * 86400);
    expect(res.body).not.toHaveProperty('refresh_token');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(res.headers['cache-control']).toBe('no-store');
    const next = await viaCookie(rt);
    expect(next.status).toBe(200);
    expect(cookieToken(next)).not.toBe(rt);
  });

  it('RT6: grace replays set the cookie too, to the byte-identical successor', async () => {
    const login = await t.tokens.issue('alice');
    const [a, b] = await Promise.all([
      viaCookie(login.refresh_token),
      viaCookie(login.refresh_token),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(cookieToken(a)).toBe(cookieToken(b));
  });

  it('RT6: the body may still carry the token instead of the cookie; two different tokens are invalid_request', async () => {
    const login = await t.tokens.issue('alice');
    const other = await t.tokens.issue('alice');
    const both = await t
      .http()
      .post('/auth/token')
      .type('form')
      .set('Cookie', `refresh_token=${other.refresh_token}`)
      .send({ grant_type: 'refresh_token', refresh_token: login.refresh_token });
    expectOAuthError(both, 400, 'invalid_request');
    const body = await t.refresh(login.refresh_token);
    expect(body.status).toBe(200);
    cookieToken(body);
  });

  it('RT6: failures set no cookie; logout clears it', async () => {
    const bad = await viaCookie('rt_nope');
    expectInvalidGrant(bad);
    expect(bad.headers['set-cookie']).toBeUndefined();
    const login = await t.tokens.issue('alice');
    const out = await t
      .http()
      .post('/auth/logout')
      .set('Authorization', `Bearer ${login.access_token}`);
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']).toEqual([
      'refresh_token=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict',
    ]);
    expectInvalidGrant(await viaCookie(login.refresh_token));
  });

  it('RT6: exposeInBody returns the token in the body as well', async () => {
    const t2 = await createRefreshApp({ cookie: { exposeInBody: true, name: 'rt' } });
    try {
      const login = await t2.tokens.issue('alice');
      const res = await t2
        .http()
        .post('/auth/token')
        .type('form')
        .set('Cookie', `rt=${login.refresh_token}`)
        .send({ grant_type: 'refresh_token' });
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie'][0]).toMatch(
        new RegExp(`^rt=${res.body.refresh_token}; Path=/auth;`),
      );
    } finally {
      await t2.close();
    }
  });
});
