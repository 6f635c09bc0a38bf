import { TestIssuer } from '@app/auth/testing';
import {
  AttackFixture,
  AUD,
  CLIENT,
  ISS,
  startAttackApp,
  TID,
  TID2,
  V_HEADER,
} from '../support/attack-app';
import { expectInsufficientScope, expectInvalidToken } from '../support/attack-expect';

/** A V payload as raw JSON text with `extra` (raw JSON members) appended, for duplicate keys etc. */
const rawPayload = (payload: Record<string, unknown>, extra: string) =>
  `${JSON.stringify(payload).slice(0, -1)},${extra}}`;

/** ATTACKS.md C. Claims and claim-based authorization (CLM-*), plus more of the class (CLM-X*). */
describe('C. claims and claim-based authorization', () => {
  let f: AttackFixture;
  let S: number;
  let L: number;

  beforeAll(async () => {
    f = await startAttackApp();
    S = f.config.clockTolerance;
    L = f.config.maxTokenLifetime;
  });
  afterAll(() => f.close());
  beforeEach(() => f.clock.set(Date.now()));

  const refused = async (tokens: string[], path = '/probe') => {
    for (const token of tokens) expectInvalidToken(await f.bearer(token, path), token);
  };
  const ok = async (token: string, path = '/probe') => {
    const res = await f.bearer(token, path);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
  };
  const forbidden = async (tokens: string[], path: string, scope: string) => {
    for (const token of tokens) expectInsufficientScope(await f.bearer(token, path), scope);
  };

  it('CLM-01 exp boundaries with leeway S: now−S−60 → 401, now−S+30 → 200, now−S−1 → 401', async () => {
    const t = f.now();
    await refused([f.v({ exp: t - S - 60 })]);
    await ok(f.v({ exp: t - S + 30 }));
    await refused([f.v({ exp: t - S - 1 })]);
  });

  it('CLM-02 missing exp (iat and nbf kept) → 401 IT', async () => {
    await refused([f.v({ exp: undefined })]);
  });

  it('CLM-05 nbf in the future: now+S+120 → 401, now+S−30 → 200', async () => {
    const t = f.now();
    await refused([f.v({ nbf: t + S + 120 })]);
    await ok(f.v({ nbf: t + S - 30 }));
  });

  it('CLM-07 issuer string variants → 401 IT (exact, case-sensitive, no normalisation)', async () => {
    const variants: unknown[] = [
      `${ISS}/`,
      `https://LOGIN.microsoftonline.com/${TID}/v2.0`,
      `http://login.microsoftonline.com/${TID}/v2.0`,
      `https://login.microsoftonline.com/${TID.toUpperCase()}/v2.0`,
      `https://sts.windows.net/${TID}/`,
      `${ISS}.evil.example`,
      `${ISS}?x=1`,
      'https://login.microsoftonline.com/common/v2.0',
      'https://login.microsoftonline.com/{tenantid}/v2.0',
      [ISS],
      '',
      undefined,
    ];
    await refused(variants.map((iss) => f.v({ iss })));
  });

  it('CLM-09 audience variants → 401; [other, AUD] → 200 (pinned: any match, RFC 7519 §4.1.3)', async () => {
    const variants: unknown[] = [
      'api://other-api',
      `${AUD}/`,
      AUD.toUpperCase(),
      [],
      null,
      123,
      {},
      undefined,
      ['api://other'],
    ];
    await refused(variants.map((aud) => f.v({ aud })));
    await ok(f.v({ aud: ['api://other', AUD] }));
  });

  it('CLM-10 (a) an ID token (aud = CLIENT, nonce, at_hash, no scp/roles) → 401 IT', async () => {
    const idToken = f.v({
      aud: CLIENT,
      nonce: 'n-0S6_WzA2Mj',
      at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
      scp: undefined,
    });
    await refused([idToken]);
  });

  it('CLM-14 scope matching at /scoped → 403 IS for near misses; "User.Read  Data.Read " → 200', async () => {
    const near: unknown[] = [
      'Data.ReadWrite',
      'Data.Read.All',
      'data.read',
      'XData.Read',
      ['Data.Read'],
      '',
    ];
    await forbidden(
      [...near.map((scp) => f.v({ scp })), f.v({ scp: undefined, roles: ['Data.Read'] })],
      '/scoped',
      'Data.Read',
    );
    await ok(f.v({ scp: 'User.Read  Data.Read ' }), '/scoped');
  });

  it('CLM-14 role matching at /admin → 403 IS for strings, case, spaces, nesting, objects; ["Reader","Admin"] → 200', async () => {
    const near: unknown[] = [
      'NotAdmin',
      'Admin',
      ['admin'],
      ['Admin '],
      ['SuperAdmin'],
      [['Admin']],
      { 0: 'Admin' },
    ];
    await forbidden(
      near.map((roles) => f.v({ roles })),
      '/admin',
      'Admin',
    );
    await ok(f.v({ roles: ['Reader', 'Admin'] }), '/admin');
  });

  it('CLM-15 prototype pollution through claims → 403 IS, 403 IS; Object.prototype untouched', async () => {
    const names = Object.getOwnPropertyNames(Object.prototype).sort();
    const proto = f.signed(
      V_HEADER,
      rawPayload(f.payload(), '"__proto__":{"roles":["Admin"],"scp":"Admin.All"}'),
    );
    const ctor = f.signed(
      V_HEADER,
      rawPayload(f.payload(), '"constructor":{"prototype":{"isAdmin":true}}'),
    );
    await forbidden([proto], '/admin', 'Admin');
    await forbidden([proto], '/scoped-admin', 'Admin.All');
    await ok(ctor, '/probe');
    await forbidden([ctor], '/admin', 'Admin');
    await ok(proto, '/probe');
    expect(({} as Record<string, unknown>).roles).toBeUndefined();
    expect(({} as Record<string, unknown>).scp).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(names);
  });

  // ── More cases of the class ────────────────────────────────────────────────────────────────

  it('CLM-X01 exp number edge cases: 1e309, -1e309, strings, null, bool, array, -0, 1.0, 0, 1e20 → 401 IT', async () => {
    const t = f.now();
    const raw = (exp: string) =>
      f.signed(V_HEADER, rawPayload(f.payload({ exp: undefined }), `"exp":${exp}`));
    await refused([
      raw('1e309'),
      raw('-1e309'),
      raw(`"${t + 3600}"`),
      raw('"123"'),
      raw('null'),
      raw('true'),
      raw(`[${t + 3600}]`),
      raw(`{"v":${t + 3600}}`),
      raw('-0'),
      raw('1.0'),
      raw('0'),
      raw('1e20'),
      raw('9007199254740993'),
      raw(`${t + 3600}e0`.replace('e0', 'E999')),
    ]);
    // A fractional NumericDate is a NumericDate (RFC 7519 §2).
    await ok(raw(`${t + 3600}.5`));
  });

  it('CLM-X02 iat: required and finite, not in the future beyond S, exp after it; exp far future without iat → 401', async () => {
    const t = f.now();
    const raw = (iat: string) =>
      f.signed(V_HEADER, rawPayload(f.payload({ iat: undefined }), `"iat":${iat}`));
    await refused([
      f.v({ iat: undefined, exp: t + 10 * 365 * 86400 }),
      f.v({ iat: undefined }),
      raw('1e309'),
      raw('-1e309'),
      raw(`"${t}"`),
      raw('null'),
      f.v({ iat: t + S + 10 }),
      f.v({ iat: -1 }),
      f.v({ iat: 0 }),
      f.v({ iat: t - 10, exp: t - 10 + 0 }), // zero lifetime
      f.v({ iat: t + 30, exp: t + 20 }), // expires before it was issued
    ]);
    await ok(f.v({ iat: t + S - 10, nbf: undefined }));
  });

  it('CLM-X03 nbf edge cases: null, strings, ±1e309, array → 401; nbf 0 (long past) → 200', async () => {
    const raw = (nbf: string) =>
      f.signed(V_HEADER, rawPayload(f.payload({ nbf: undefined }), `"nbf":${nbf}`));
    await refused([raw('null'), raw('"0"'), raw('1e309'), raw('-1e309'), raw('[0]'), raw('false')]);
    await ok(f.v({ nbf: 0 }));
  });

  it('CLM-X04 maximum lifetime L: exp − iat = L → 200, L + 1 → 401', async () => {
    const t = f.now();
    await ok(f.v({ iat: t - 60, nbf: t - 60, exp: t - 60 + L }));
    await refused([f.v({ iat: t - 60, nbf: t - 60, exp: t - 60 + L + 1 })]);
  });

  it('CLM-X05 aud: nested arrays, mixed types, lookalikes, whitespace, NUL → 401; 200 entries ending with AUD → 200', async () => {
    const variants: unknown[] = [
      [[AUD]],
      [AUD, 1],
      [AUD, null],
      [{ aud: AUD }],
      ` ${AUD}`,
      `${AUD} `,
      `${AUD}\u0000`,
      `${AUD}\n`,
      AUD.replace('e', '\u0435'),
      `api://${AUD}`, // the v1 form is not configured here
      true,
    ];
    await refused(variants.map((aud) => f.v({ aud })));
    const many = Array.from({ length: 200 }, (_, i) => `api://other-${i}`);
    await ok(f.v({ aud: [...many, AUD] }));
  });

  it('CLM-X06 issuer lookalikes: homoglyphs, fullwidth, NUL, port, double slash, percent-encoding, foreign tenant → 401', async () => {
    const variants = [
      ISS.replace('login', 'l\u043egin'),
      ISS.replace('microsoftonline', 'micr\u043esoftonline'),
      ISS.replace('https', 'ｈttps'),
      `${ISS}\u0000`,
      ` ${ISS}`,
      `${ISS} `,
      ISS.replace('.com/', '.com:443/'),
      ISS.replace('.com/', '.com//'),
      ISS.replace(TID, encodeURIComponent(TID).replace('7', '%37')),
      ISS.replace('https://', 'HTTPS://'),
      ISS.replace('v2.0', 'V2.0'),
      ISS.replace(TID, TID2),
      `https://login.microsoftonline.com/${TID}/v2.0#`,
      `https://login.microsoftonline.com/${TID}/v2.0/../v2.0`,
    ];
    await refused(variants.map((iss) => f.v({ iss })));
  });

  it('CLM-X07 payload that is not a JSON object (null, [], "s", 1, true) → 401 IT', async () => {
    await refused(
      ['null', '[]', '"s"', '1', 'true', '{}', '[{}]'].map((p) => f.signed(V_HEADER, p)),
    );
  });

  it('CLM-X08 duplicate payload members (exp, aud, iss, roles, nested) are refused (pinned: reject) → 401 IT', async () => {
    const t = f.now();
    const p = (omit: string[]) => {
      const payload = f.payload();
      for (const name of omit) delete payload[name];
      return payload;
    };
    await refused(
      [
        f.signed(V_HEADER, rawPayload(p(['exp']), `"exp":${t - 3600},"exp":${t + 3600}`)),
        f.signed(V_HEADER, rawPayload(p(['aud']), `"aud":"api://other","aud":"${AUD}"`)),
        f.signed(V_HEADER, rawPayload(p(['iss']), `"iss":"https://evil.example/","iss":"${ISS}"`)),
        f.signed(V_HEADER, rawPayload(p([]), '"roles":[],"roles":["Admin"]')),
        f.signed(V_HEADER, rawPayload(p([]), '"\\u0072oles":["Admin"],"roles":["Admin"]')),
        f.signed(V_HEADER, rawPayload(p([]), '"x":{"y":1,"y":2}')),
      ],
      '/admin',
    );
  });

  it('CLM-X09 invalid UTF-8, overlong UTF-8 and lone surrogates in the payload → 401 IT', async () => {
    const payload = JSON.stringify(f.payload({ sub: undefined })).slice(0, -1);
    const bytes = (b: number[]) =>
      Buffer.concat([Buffer.from(`${payload},"sub":"a`), Buffer.from(b), Buffer.from('"}')]);
    await refused([
      f.signed(V_HEADER, bytes([0xc0, 0xaf])), // overlong "/"
      f.signed(V_HEADER, bytes([0xe0, 0x80, 0xaf])), // overlong "/" in 3 bytes
      f.signed(V_HEADER, bytes([0xff])),
      f.signed(V_HEADER, bytes([0xed, 0xa0, 0x80])), // a surrogate encoded in UTF-8
      f.signed(V_HEADER, bytes([0xf4, 0x90, 0x80, 0x80])), // above U+10FFFF
      f.signed(V_HEADER, `${payload},"sub":"\\ud800"}`),
      f.signed(V_HEADER, `${payload},"sub":"a\\udfff"}`),
    ]);
    await ok(f.signed(V_HEADER, `${payload},"sub":"\\ud83d\\ude00 é"}`));
  });

  it('CLM-X10 sub: missing, empty, number, null, array → 401 IT', async () => {
    await refused([undefined, '', 123, null, ['u']].map((sub) => f.v({ sub })));
  });

  it('CLM-X11 groups at /group: only an array of strings, whole and case-sensitive; overage defers to the resolver', async () => {
    await ok(f.v({ groups: ['A', 'G'] }), '/group');
    const near: unknown[] = ['G', ['g'], ['G '], [['G']], { 0: 'G' }, ['G', 1], ['GG'], []];
    await forbidden(
      near.map((groups) => f.v({ groups })),
      '/group',
      'G',
    );
    // Overage (Entra puts a _claim_names pointer instead of the list): the default resolver denies.
    await forbidden(
      [
        f.v({ groups: ['G'], _claim_names: { groups: 'src1' } }),
        f.v({ groups: ['G'], hasgroups: true }),
      ],
      '/group',
      'G',
    );
  });

  it('CLM-X12 roles and scp: mixed arrays, other whitespace, invisible characters grant nothing → 403 IS', async () => {
    await forbidden(
      [['Admin', 1], ['Admin', null], ['\u200bAdmin'], ['Admin\u0000'], ['ＡＤＭＩＮ']].map(
        (roles) => f.v({ roles }),
      ),
      '/admin',
      'Admin',
    );
    await forbidden(
      [
        'Data.Read\tUser.Read',
        'Data.Read\u00a0',
        '\u200bData.Read',
        'Data.Read,User.Read',
        'Data%2ERead',
      ].map((scp) => f.v({ scp })),
      '/scoped',
      'Data.Read',
    );
  });

  it('CLM-X13 prototype names as claims, scopes or roles are only strings; Object.prototype untouched', async () => {
    const names = Object.getOwnPropertyNames(Object.prototype).sort();
    await forbidden([f.v({ roles: ['__proto__', 'constructor', 'toString'] })], '/admin', 'Admin');
    await forbidden([f.v({ scp: '__proto__ constructor hasOwnProperty' })], '/scoped', 'Data.Read');
    const nested = f.signed(
      V_HEADER,
      rawPayload(
        f.payload(),
        '"_claim_names":{"__proto__":{"groups":"x"}},"xms":{"__proto__":{"polluted":1}}',
      ),
    );
    await ok(nested, '/probe');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).groups).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(names);
  });

  it('CLM-X14 a token for a v1 issuer form with ver "2.0" (or the reverse) is not an Entra token → 401 IT', async () => {
    await refused([f.v({ iss: `https://sts.windows.net/${TID}/` }), f.v({ ver: '1.0' })]);
  });

  it('CLM-X15 the `scope` claim (RFC 9068) counts like scp, as a string or array of strings', async () => {
    await ok(f.v({ scp: undefined, scope: 'Data.Read' }), '/scoped');
    await forbidden(
      [f.v({ scp: undefined, scope: 'data.read Data.ReadWrite' })],
      '/scoped',
      'Data.Read',
    );
  });
});

describe('C. claims with A8 on (neither scope nor role → 401), as the Entra preset sets', () => {
  let f: AttackFixture;
  beforeAll(async () => {
    f = await startAttackApp({ requireScopeOrRole: true });
  });
  afterAll(() => f.close());
  beforeEach(() => f.clock.set(Date.now()));

  it('CLM-10 (b) an ID token with aud = AUD (shared registration), no scp and no roles → 401 IT', async () => {
    const token = f.v({ nonce: 'n-0S6_WzA2Mj', at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q', scp: undefined });
    expectInvalidToken(await f.bearer(token, '/probe'), token);
    expectInvalidToken(await f.bearer(token, '/scoped'), token);
  });

  it('CLM-14 under A8: near-miss scopes are 403 IS (the claim is present, so A8 passes)', async () => {
    for (const scp of ['Data.ReadWrite', 'data.read', ['Data.Read'], '']) {
      const token = f.v({ scp });
      expectInsufficientScope(await f.bearer(token, '/scoped'), 'Data.Read');
    }
  });
});

describe('C. claims through the Entra multi-tenant preset (tenant template, allow-list)', () => {
  let f: AttackFixture;
  let idp: TestIssuer;
  beforeAll(async () => {
    idp = await TestIssuer.start({ issuer: ISS, audience: AUD });
    f = await startAttackApp(
      {
        entra: {
          tenantId: 'organizations',
          clientId: AUD,
          allowedTenants: [TID],
          jwksUri: idp.jwksUri,
        },
      },
      { issuer: idp },
    );
  });
  afterAll(async () => {
    await f.close();
    await idp.stop();
  });
  beforeEach(() => f.clock.set(Date.now()));

  const v2 = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;

  it('CLM-X16 {tenantid} template: only the token’s own, allowed tid; v1 only with ver 1.0 → else 401 IT', async () => {
    expect((await f.bearer(f.v())).status).toBe(200);
    expect(
      (
        await f.bearer(
          f.v({ iss: `https://sts.windows.net/${TID}/`, ver: '1.0', aud: `api://${AUD}` }),
        )
      ).status,
    ).toBe(200);
    const variants: Record<string, unknown>[] = [
      { iss: v2(TID2), tid: TID2 }, // a real tenant, not allowed
      { iss: v2(TID), tid: TID2 },
      { iss: v2(TID2), tid: TID },
      { iss: v2('{tenantid}'), tid: '{tenantid}' },
      { iss: v2(TID.toUpperCase()), tid: TID.toUpperCase() },
      { tid: undefined },
      { tid: [TID] },
      { iss: `${v2(TID)}/` },
      { iss: v2(`${TID}/v2.0/x`), tid: `${TID}/v2.0/x` },
      { iss: 'https://login.microsoftonline.com/common/v2.0', tid: 'common' },
      { iss: `https://sts.windows.net/${TID}/` }, // ver 2.0
      { iss: `https://sts.windows.net/${TID2}/`, tid: TID2, ver: '1.0' },
    ];
    for (const changes of variants) {
      const token = f.v(changes);
      expectInvalidToken(await f.bearer(token), token);
    }
  });
});
