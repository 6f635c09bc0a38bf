import { createHash } from 'node:crypto';
import { RefreshTokenStore } from '@app/auth';
import { TestIssuer } from '@app/auth/testing';
import {
  createRefreshApp,
  expectInvalidGrant,
  expectOAuthError,
  INVALID_TOKEN_CHALLENGE,
  RefreshApp,
} from '../support/refresh-app';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same base64url text with one character changed to another of the alphabet. */
const flip = (text: string, at: number) =>
  text.slice(0, at) + ALPHABET[(ALPHABET.indexOf(text[at]) + 1) % 64] + text.slice(at + 1);

/** ATTACKS.md G. Refresh-token endpoint abuse (RT-*), plus more of the class (RT-X*). */
describe('G. refresh-token endpoint abuse', () => {
  let t: RefreshApp;
  beforeAll(async () => {
    t = await createRefreshApp({ scopes: ['Data.Read', 'Data.Write'] });
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(Date.now()));

  const login = async (scope = 'Data.Read Data.Write') =>
    t.tokens.issue(`user-${Math.random().toString(36).slice(2)}`, { scope });
  const post = () => t.http().post('/auth/token');
  const grace = 10_000;

  it('RT-01 reuse after rotation → the RT0 replay and then RT1 are 400 invalid_grant (family revoked); a fresh login works', async () => {
    const { refresh_token: rt0, access_token: at0 } = await login();
    const first = await t.refresh(rt0);
    expect(first.status).toBe(200);
    const rt1 = first.body.refresh_token as string;
    expect(rt1).not.toBe(rt0);
    t.clock.advance(grace + 1_000);
    expectInvalidGrant(await t.refresh(rt0), rt0);
    expectInvalidGrant(await t.refresh(rt1), rt1);
    // The family's live access tokens go with it (RT9, sid).
    for (const at of [at0, first.body.access_token as string]) {
      const res = await t.probe(at);
      expect([res.status, res.headers['www-authenticate']]).toEqual([401, INVALID_TOKEN_CHALLENGE]);
    }
    const again = await login();
    expect((await t.refresh(again.refresh_token)).status).toBe(200);
  });

  it('RT-02 10 parallel refreshes of one RT → never two live successors; every 200 carries the same RT', async () => {
    const { refresh_token: rt } = await login();
    const results = await Promise.all(Array.from({ length: 10 }, () => t.refresh(rt)));
    for (const res of results) {
      if (res.status !== 200) expectInvalidGrant(res, rt);
    }
    const successors = new Set(
      results.filter((r) => r.status === 200).map((r) => r.body.refresh_token),
    );
    expect(successors.size).toBe(1);
    // The one successor is live; rotating it works once.
    const [successor] = successors;
    expect((await t.refresh(successor)).status).toBe(200);
  });

  describe('RT-05 malformed refresh requests', () => {
    let rt: string;
    beforeEach(async () => {
      rt = (await login()).refresh_token;
    });
    afterEach(async () => {
      // Nothing malformed consumed or revoked the token.
      expect((await t.refresh(rt)).status).toBe(200);
    });

    it('RT-05 GET → 405; missing grant_type → invalid_request; password / foo → unsupported_grant_type', async () => {
      const get = await t
        .http()
        .get('/auth/token')
        .query({ grant_type: 'refresh_token', refresh_token: rt });
      expect([405, 400]).toContain(get.status);
      expect(get.text).not.toContain(rt.slice(3, 23));
      expectOAuthError(
        await post().type('form').send({ refresh_token: rt }),
        400,
        'invalid_request',
      );
      for (const grant_type of [
        'password',
        'foo',
        'REFRESH_TOKEN',
        'refresh_token ',
        'client_credentials',
      ]) {
        expectOAuthError(
          await post().type('form').send({ grant_type, refresh_token: rt }),
          400,
          'unsupported_grant_type',
        );
      }
    });

    it('RT-05 refresh_token missing, empty or repeated; qs shapes; JSON objects, arrays, numbers → 400 invalid_request', async () => {
      expectOAuthError(
        await post().type('form').send({ grant_type: 'refresh_token' }),
        400,
        'invalid_request',
      );
      expectOAuthError(await t.refresh(''), 400, 'invalid_request');
      for (const body of [
        `grant_type=refresh_token&refresh_token=a&refresh_token=b`,
        `grant_type=refresh_token&refresh_token=${rt}&refresh_token=${rt}`,
        `grant_type=refresh_token&refresh_token[$ne]=x`,
        `grant_type=refresh_token&refresh_token[]=${rt}`,
        `grant_type=refresh_token&grant_type=refresh_token&refresh_token=${rt}`,
      ]) {
        expectOAuthError(await post().type('form').send(body), 400, 'invalid_request');
      }
      for (const refresh_token of [{ $ne: null }, { $gt: '' }, [rt], ['a'], 123, null, true]) {
        expectOAuthError(
          await post().send({ grant_type: 'refresh_token', refresh_token }),
          400,
          'invalid_request',
        );
      }
    });

    it('RT-05 a 1 MB value → 413/400 quickly; NUL or non-ASCII bytes → invalid_grant; bad Content-Type → 400/415', async () => {
      const started = Date.now();
      const big = await post()
        .type('form')
        .send(`grant_type=refresh_token&refresh_token=${'a'.repeat(1024 * 1024)}`);
      expect([400, 413]).toContain(big.status);
      expect(Date.now() - started).toBeLessThan(2000);
      for (const token of [
        `${rt}\u0000`,
        `\u0000${rt}`,
        `${rt.slice(0, -1)}é`,
        `${rt}\u202e`,
        `${rt.slice(0, 10)}\u200b${rt.slice(10)}`,
      ]) {
        expectInvalidGrant(await t.refresh(token));
      }
      for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
        const res = await post()
          .set('Content-Type', type)
          .send(`grant_type=refresh_token&refresh_token=${rt}`);
        expect([400, 415]).toContain(res.status);
        expect(res.text).not.toContain(rt.slice(3, 23));
      }
    });
  });

  it('RT-07 an AT or an ID token as refresh_token → invalid_grant; an RT as a bearer token → 401 IT', async () => {
    const { access_token, refresh_token } = await login();
    expectInvalidGrant(await t.refresh(access_token), access_token);
    const idp = await TestIssuer.start({
      issuer: 'https://idp.test/',
      audience: 'client-app',
      keyCount: 1,
    });
    try {
      const idToken = idp.mint({ sub: 'alice', nonce: 'n' });
      expectInvalidGrant(await t.refresh(idToken), idToken);
    } finally {
      await idp.stop();
    }
    const res = await t.probe(refresh_token);
    expect([res.status, res.headers['www-authenticate']]).toEqual([401, INVALID_TOKEN_CHALLENGE]);
    expect(res.text).not.toContain(refresh_token.slice(3, 23));
    // Neither attempt spent the refresh token.
    expect((await t.refresh(refresh_token)).status).toBe(200);
  });

  // ── More cases of the class ────────────────────────────────────────────────────────────────

  it('RT-X01 forged tokens (secret, tid or fid changed, all-A, random) → invalid_grant and revoke nothing (RT10)', async () => {
    const { refresh_token: rt } = await login();
    const [fid, tid, secret] = rt.slice(3).split('.');
    const forged = [
      `rt_${fid}.${tid}.${flip(secret, 5)}`,
      `rt_${fid}.${tid}.${flip(secret, 0)}`,
      `rt_${fid}.${flip(tid, 3)}.${secret}`,
      `rt_${flip(fid, 3)}.${tid}.${secret}`,
      `rt_${fid}.${tid}.${'A'.repeat(43)}`,
      `rt_${fid}.${'A'.repeat(22)}.${secret}`,
      `rt_${'A'.repeat(22)}.${'A'.repeat(22)}.${'A'.repeat(43)}`,
      `rt_${tid}.${fid}.${secret}`,
    ];
    for (const token of forged) expectInvalidGrant(await t.refresh(token), token);
    expect((await t.refresh(rt)).status).toBe(200);
  });

  it('RT-X02 the same bytes in another spelling (stray bits, padding, standard base64, case, spaces) → invalid_grant, nothing consumed', async () => {
    const { refresh_token: rt } = await login();
    const last = rt.at(-1)!;
    // 32 secret bytes leave 2 spare bits in the 43rd character.
    const stray = rt.slice(0, -1) + ALPHABET[ALPHABET.indexOf(last) ^ 1];
    const variants = [
      stray,
      `${rt}=`,
      `${rt}==`,
      rt.replace(/-/g, '+').replace(/_/g, '/'),
      `RT_${rt.slice(3)}`,
      ` ${rt}`,
      `${rt} `,
      `${rt}\n`,
      rt.replace('.', '..'),
      rt.slice(3),
      `rt_${rt.slice(3).split('.').reverse().join('.')}`,
    ].filter((v) => v !== rt);
    for (const token of variants) expectInvalidGrant(await t.refresh(token));
    expect((await t.refresh(rt)).status).toBe(200);
  });

  it('RT-X03 grace-window replay returns the byte-identical successor; outside it the family is gone', async () => {
    const { refresh_token: rt0 } = await login();
    const first = await t.refresh(rt0);
    t.clock.advance(grace - 1_000);
    const replay = await t.refresh(rt0);
    expect(replay.status).toBe(200);
    expect(replay.body.refresh_token).toBe(first.body.refresh_token);
    t.clock.advance(2_000);
    expectInvalidGrant(await t.refresh(rt0));
    expectInvalidGrant(await t.refresh(first.body.refresh_token));
  });

  it('RT-X04 a wider scope → invalid_scope; scope tricks never widen the grant', async () => {
    const { refresh_token: rt } = await login('Data.Read');
    for (const scope of [
      'Data.Read Data.Write',
      'Data.Write',
      'Data.Read  Data.Write',
      'data.read',
      'Data.Read\tData.Write',
      '*',
    ]) {
      const res = await t.refresh(rt, { scope });
      expect(res.status).toBe(400);
      expect(['invalid_scope', 'invalid_request']).toContain(res.body.error);
    }
    const narrowed = await t.refresh(rt, { scope: 'Data.Read' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('Data.Read');
  });

  it('RT-X05 a client_id other than the family’s → invalid_grant (RT5); Bearer credentials at the token endpoint → invalid_client', async () => {
    const { refresh_token: rt, access_token } = await login();
    expectInvalidGrant(await t.refresh(rt, { client_id: 'another-client' }), rt);
    const bearer = await post()
      .set('Authorization', `Bearer ${access_token}`)
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: rt });
    expect(bearer.status).toBe(401);
    expect(bearer.body.error).toBe('invalid_client');
    expect(bearer.headers['www-authenticate']).toBe('Basic realm="api"');
    expect(bearer.text).not.toContain(access_token.slice(-20));
    expect((await t.refresh(rt)).status).toBe(200);
  });

  it('RT-X06 prototype members in a JSON body are parameters like any other → 400 invalid_request, nothing polluted', async () => {
    const { refresh_token: rt } = await login();
    const names = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const body of [
      `{"grant_type":"refresh_token","__proto__":{"refresh_token":"${rt}"}}`,
      `{"grant_type":"refresh_token","constructor":{"prototype":{"refresh_token":"${rt}"}}}`,
      `{"__proto__":{"grant_type":"refresh_token"},"refresh_token":"${rt}"}`,
    ]) {
      const res = await post().set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.text).not.toContain(rt.slice(3, 23));
    }
    expect(({} as Record<string, unknown>).refresh_token).toBeUndefined();
    expect(({} as Record<string, unknown>).grant_type).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(names);
    expect((await t.refresh(rt)).status).toBe(200);
  });

  it('RT-X07 costly bodies: 20 000 parameters, deep JSON, a huge grant_type → 4xx fast, never 5xx', async () => {
    const shapes: [string, string][] = [
      [
        'application/x-www-form-urlencoded',
        `${'a=1&'.repeat(20_000)}grant_type=refresh_token&refresh_token=x`,
      ],
      [
        'application/json',
        `{"grant_type":"refresh_token","refresh_token":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
      ],
      ['application/x-www-form-urlencoded', `grant_type=${'r'.repeat(50_000)}&refresh_token=x`],
      [
        'application/json',
        `{"grant_type":"refresh_token","refresh_token":"${'\\u0041'.repeat(10_000)}"}`,
      ],
      [
        'application/x-www-form-urlencoded; charset=utf-16',
        'grant_type=refresh_token&refresh_token=x',
      ],
    ];
    for (const [type, body] of shapes) {
      const started = Date.now();
      const res = await post().set('Content-Type', type).send(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.text).not.toMatch(/\n\s+at |node_modules/);
    }
  });

  it('RT-X08 a refresh token in the query string is not read (RFC 6749 §3.2: the body) → invalid_request', async () => {
    const { refresh_token: rt } = await login();
    const res = await t
      .http()
      .post(`/auth/token?grant_type=refresh_token&refresh_token=${rt}`)
      .type('form')
      .send('');
    expect(res.status).toBe(400);
    expect(['invalid_request', 'unsupported_grant_type']).toContain(res.body.error);
    expect((await t.refresh(rt)).status).toBe(200);
  });

  it('RT-X09 a revoked session (POST /auth/revoke) refuses its RT and its AT', async () => {
    const { refresh_token: rt, access_token } = await login();
    expect(
      (await post().type('form').send({ grant_type: 'refresh_token', refresh_token: rt })).status,
    ).toBe(200);
    const fresh = await login();
    const revoke = await t
      .http()
      .post('/auth/revoke')
      .type('form')
      .send({ token: fresh.refresh_token });
    expect(revoke.status).toBe(200);
    expectInvalidGrant(await t.refresh(fresh.refresh_token));
    const res = await t.probe(fresh.access_token);
    expect([res.status, res.headers['www-authenticate']]).toEqual([401, INVALID_TOKEN_CHALLENGE]);
    // Revoking garbage is a 200 with nothing revoked (RFC 7009 §2.2), and never an oracle.
    for (const token of [
      'x',
      `rt_${'A'.repeat(22)}.${'A'.repeat(22)}.${'A'.repeat(43)}`,
      access_token,
    ]) {
      expect((await t.http().post('/auth/revoke').type('form').send({ token })).status).toBe(200);
    }
  });
});

describe('G. refresh: secrets are compared as fixed-length digests, looked up by id (item 6)', () => {
  let t: RefreshApp;
  beforeAll(async () => {
    t = await createRefreshApp();
  });
  afterAll(() => t.close());

  /** Every string reachable from `root` (objects, arrays, Maps, Sets), for reading a store's state. */
  const stringsIn = (root: unknown): string[] => {
    const out: string[] = [];
    const seen = new Set<unknown>();
    const walk = (value: unknown): void => {
      if (typeof value === 'string') return void out.push(value);
      if (!value || typeof value !== 'object' || seen.has(value)) return;
      seen.add(value);
      const children =
        value instanceof Map
          ? [...value].flat()
          : value instanceof Set || Array.isArray(value)
            ? [...value]
            : Object.values(value);
      for (const child of children) walk(child);
    };
    walk(root);
    return out;
  };

  it('RT-X11 after a login and a rotation the store holds SHA-256 digests of the secrets, never a secret or a token', async () => {
    const { refresh_token: rt0 } = await t.tokens.issue('dave');
    const rt1 = (await t.refresh(rt0)).body.refresh_token as string;
    const store = t.app.get(RefreshTokenStore);
    const state = stringsIn(store).join('\n');
    for (const rt of [rt0, rt1]) {
      const secret = rt.split('.')[2];
      const digest = createHash('sha256')
        .update(Buffer.from(secret, 'base64url'))
        .digest('base64url');
      expect(state).toContain(digest);
      expect(state).not.toContain(secret);
      expect(state).not.toContain(secret.slice(0, 20));
      expect(state).not.toContain(rt);
    }
  });

  it('RT-X12 the store is given ids and a 32-byte digest (never the secret); digests are compared with timingSafeEqual', async () => {
    const { refresh_token: rt } = await t.tokens.issue('erin');
    const store = t.app.get(RefreshTokenStore);
    const rotate = jest.spyOn(store, 'rotate');
    // The module object itself: an `import * as` namespace is a copy under CommonJS interop.
    const compare = jest.spyOn(
      jest.requireActual<typeof import('node:crypto')>('node:crypto'),
      'timingSafeEqual',
    );
    try {
      expect((await t.refresh(rt)).status).toBe(200);
      const [fid, tid, secret] = rt.slice(3).split('.');
      expect(rotate).toHaveBeenCalledTimes(1);
      const input = rotate.mock.calls[0][0];
      expect(input).toMatchObject({ familyId: fid, tokenId: tid });
      expect(Buffer.from(input.secretHash, 'base64url')).toHaveLength(32);
      expect(JSON.stringify(input)).not.toContain(secret);
      // The one comparison of the presented secret: two 32-byte digests, in constant time.
      const digestPairs = compare.mock.calls.filter(
        ([a, b]) => a.byteLength === 32 && b.byteLength === 32,
      );
      expect(digestPairs.length).toBeGreaterThanOrEqual(1);
      for (const [a, b] of compare.mock.calls) expect(a.byteLength).toBe(b.byteLength);
    } finally {
      rotate.mockRestore();
      compare.mockRestore();
    }
  });
});

describe('G. refresh: known defect pinned', () => {
  let t: RefreshApp;
  beforeAll(async () => {
    t = await createRefreshApp();
  });
  afterAll(() => t.close());

  // A JSON parser keeps the last of repeated members; with `rawBody: true` (as the test apps and
  // the sample run) the token endpoint sees them and refuses the request.
  it('RT-X10 a JSON body that repeats refresh_token → 400 invalid_request', async () => {
    const { refresh_token: rt } = await t.tokens.issue('alice');
    const res = await t
      .http()
      .post('/auth/token')
      .set('Content-Type', 'application/json')
      .send(`{"grant_type":"refresh_token","refresh_token":"x","refresh_token":"${rt}"}`);
    expectOAuthError(res, 400, 'invalid_request');
  });
});
