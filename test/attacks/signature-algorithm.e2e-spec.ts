import { constants, createHmac, sign } from 'node:crypto';
import { TestIssuer, b64u, generateEcKey, generateRsaKey, rawJwt } from '@app/auth/testing';
import { AttackFixture, AUD, ISS, parts, startAttackApp, V_HEADER } from '../support/attack-app';
import { expectInvalidToken, expectRefusedCredential } from '../support/attack-expect';

/** ATTACKS.md A. Signature & algorithm (SIG-*), plus more cases of the same class (SIG-X*). */
describe('A. signature & algorithm', () => {
  let f: AttackFixture;
  const attackerRsa = generateRsaKey('atk');
  const attackerEc = generateEcKey('atk-ec');

  beforeAll(async () => {
    f = await startAttackApp();
    expect((await f.bearer(f.v())).status).toBe(200); // warm: k1 and k2 are cached
  });
  afterAll(() => f.close());
  beforeEach(() => f.clock.set(Date.now()));

  /** Sends each token and expects 401 IT for all, with no JWKS fetch. */
  const refusedWithoutFetch = async (tokens: string[], path = '/probe') => {
    const before = f.issuer.fetchCount;
    for (const token of tokens) expectInvalidToken(await f.bearer(token, path), token);
    expect(f.issuer.fetchCount - before).toBe(0);
  };

  const sig01 = ['none', 'None', 'NONE', 'nOnE'].flatMap((alg) =>
    ['without kid', 'with kid "k1"'].flatMap((kid) =>
      ['(a) an empty signature', "(b) V's RS256 signature kept"].map((sig) => [alg, kid, sig]),
    ),
  );

  it('SIG-01 the header segments are byte-exact', () => {
    expect(b64u('{"alg":"none","typ":"JWT"}')).toBe('eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0');
    expect(b64u('{"alg":"None","typ":"JWT"}')).toBe('eyJhbGciOiJOb25lIiwidHlwIjoiSldUIn0');
    expect(sig01).toHaveLength(16);
  });

  it.each(sig01)('SIG-01 alg %s, %s, %s → 401 IT, jwks +0', async (alg, kid, sig) => {
    const [, p, vSignature] = parts(f.v());
    const h = b64u(`{"alg":"${alg}","typ":"JWT"${kid === 'without kid' ? '' : ',"kid":"k1"'}}`);
    await refusedWithoutFetch([`${h}.${p}.${sig.startsWith('(a)') ? '' : vSignature}`]);
  });

  it('SIG-02 null / truncated signature: h.p., h.p, AA, minus 86 chars → 401 IT', async () => {
    const [h, p, s] = parts(f.v());
    await refusedWithoutFetch([
      `${h}.${p}.`,
      `${h}.${p}`,
      `${h}.${p}.AA`,
      `${h}.${p}.${s.slice(0, -86)}`,
    ]);
  });

  it('SIG-03 tampered claims, broken, bit-flipped or borrowed signature at /admin → 401 IT, not 403', async () => {
    const token = f.v();
    const [h, p, s] = parts(token);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    const elevated = b64u(
      JSON.stringify({ ...claims, roles: ['Admin'], scp: 'Data.Read Data.Write' }),
    );
    const bytes = Buffer.from(s, 'base64url');
    bytes[0] ^= 0x01;
    const [, , other] = parts(f.v({ roles: ['Admin'] }));
    await refusedWithoutFetch(
      [
        `${h}.${elevated}.${s}`, // (a)
        `${h}.${p}.${s.slice(0, -4)}`, // (b)
        `${h}.${p}.${bytes.toString('base64url')}`, // (c)
        `${h}.${p}.${other}`, // (d)
      ],
      '/admin',
    );
  });

  describe('SIG-04 RS256→HS* key confusion', () => {
    const pem = (fx: AttackFixture) =>
      fx.issuer.key('k1').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const k1 = (fx: AttackFixture) => fx.issuer.key('k1');
    /** Every encoding of K1's public key an HMAC secret could be made of. */
    const encodings: [string, (fx: AttackFixture) => Buffer | string][] = [
      ['(a) the SPKI PEM byte-exact, trailing newline included', pem],
      ['(b) the SPKI PEM without its trailing newline', (fx) => pem(fx).replace(/\n$/, '')],
      [
        '(c) the PKCS#1 PEM',
        (fx) => k1(fx).publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      ],
      ['(d) the PEM prefixed by " "', (fx) => ` ${pem(fx)}`],
      ['(d) the PEM prefixed by "\\n"', (fx) => `\n${pem(fx)}`],
      ['(d) the PEM prefixed by U+200B', (fx) => `\u200b${pem(fx)}`],
      ['(d) the PEM prefixed by "# x\\n"', (fx) => `# x\n${pem(fx)}`],
      ['(e) the K1 JWK text exactly as served', (fx) => JSON.stringify(k1(fx).publicJwk)],
      ['(f) the whole JWKS text as served', (fx) => fx.issuer.jwksJson()],
      ['(g) the DER SPKI bytes', (fx) => k1(fx).publicKey.export({ type: 'spki', format: 'der' })],
      [
        '(h) the raw modulus n bytes',
        (fx) => Buffer.from(k1(fx).publicJwk.n as string, 'base64url'),
      ],
    ];
    const cases = (['HS256', 'HS384', 'HS512'] as const).flatMap((alg) =>
      encodings.map(([label, key]) => [label.slice(0, 3), alg, label.slice(4), key] as const),
    );

    it.each(cases)(
      'SIG-04 %s %s keyed with %s → 401 IT, jwks +0',
      async (_id, alg, _label, key) => {
        // The served JWK text is inside the served JWKS: (e) is byte-exact what a client sees.
        expect(f.issuer.jwksJson()).toContain(JSON.stringify(k1(f).publicJwk));
        await refusedWithoutFetch([
          rawJwt({ alg, typ: 'JWT', kid: 'k1' }, f.payload(), { hmacKey: key(f), alg }),
        ]);
      },
    );
  });

  it('SIG-08 wrong key behind a valid kid: A_RSA as k1, K2 as k1, K1 as k2 → 401 IT, jwks +0', async () => {
    const body = f.payload();
    await refusedWithoutFetch([
      f.signed(V_HEADER, body, attackerRsa),
      f.signed(V_HEADER, body, f.issuer.key('k2')),
      f.signed('{"alg":"RS256","typ":"JWT","kid":"k2"}', body),
    ]);
  });

  // ── More cases of the class ────────────────────────────────────────────────────────────────

  it('SIG-X01 alg spelled almost like RS256 (case, whitespace, NUL, lookalikes, non-strings) → 401 IT, jwks +0', async () => {
    const algs: unknown[] = [
      'rs256',
      'Rs256',
      'rS256',
      'RS256 ',
      ' RS256',
      'RS256\u0000',
      'RS256\n',
      'RS 256',
      'RS-256',
      'RSA256',
      'RS2560',
      'RS25６',
      'ＲS256',
      '',
      null,
      256,
      true,
      ['RS256'],
      { alg: 'RS256' },
    ];
    await refusedWithoutFetch(
      algs.map((alg) => f.signed({ alg, typ: 'JWT', kid: 'k1' }, f.payload())),
    );
  });

  it('SIG-X02 alg none in disguise (NUL, trailing space, Cyrillic e, missing alg) → 401 IT, jwks +0', async () => {
    const p = f.payload();
    const headers = [
      '{"alg":"none\\u0000","kid":"k1"}',
      '{"alg":"none ","kid":"k1"}',
      '{"alg":"non\u0435","kid":"k1"}',
      '{"kid":"k1","typ":"JWT"}',
      '{"alg":"","kid":"k1"}',
    ];
    await refusedWithoutFetch(headers.flatMap((h) => [rawJwt(h, p, 'none'), f.signed(h, p)]));
  });

  it('SIG-X03 algorithms K1 could sign but that are not allowed (RS384/512, PS256/384/512) → 401 IT, jwks +0', async () => {
    const k1 = f.issuer.key('k1').privateKey;
    const tokens = (['RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const).map((alg) =>
      rawJwt({ alg, typ: 'JWT', kid: 'k1' }, f.payload(), { key: k1, alg }),
    );
    await refusedWithoutFetch(tokens);
  });

  it('SIG-X04 ES256 under an RSA kid, HS256 keyed with "", the kid or "null" → 401 IT, jwks +0', async () => {
    const p = f.payload();
    await refusedWithoutFetch([
      rawJwt({ alg: 'ES256', typ: 'JWT', kid: 'k1' }, p, {
        key: attackerEc.privateKey,
        alg: 'ES256',
      }),
      ...['', 'k1', 'null', 'undefined', AUD].map((hmacKey) =>
        rawJwt({ alg: 'HS256', typ: 'JWT', kid: 'k1' }, p, { hmacKey, alg: 'HS256' }),
      ),
    ]);
  });

  it('SIG-X05 signature encodings: padding, standard base64, stray trailing bits, 255/257 bytes, zeros → refused', async () => {
    const [h, p, s] = parts(f.v());
    const raw = Buffer.from(s, 'base64url');
    // 256 bytes leave 4 unused bits in the last character; setting one keeps the same bytes.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(
      s.at(-1)!,
    );
    const strayBits =
      s.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last | 1];
    expect(Buffer.from(strayBits, 'base64url').equals(raw)).toBe(true);
    const tokens = [
      `${h}.${p}.${strayBits}`, // SIG-09a: same bytes, non-canonical text
      `${h}.${p}.${Buffer.concat([Buffer.alloc(1), raw]).toString('base64url')}`,
      `${h}.${p}.${raw.subarray(1).toString('base64url')}`,
      `${h}.${p}.${Buffer.alloc(256).toString('base64url')}`,
      `${h}.${p}.${Buffer.alloc(256, 0xff).toString('base64url')}`,
      `${h}.${p}.${Buffer.alloc(1).toString('base64url')}`,
    ];
    await refusedWithoutFetch(tokens);
    // Padding and standard-alphabet base64 are not base64url (RFC 7515 §2): refused either way.
    for (const token of [`${h}.${p}.${s}==`, `${h}.${p}.${raw.toString('base64')}`])
      expectRefusedCredential(await f.bearer(token), token);
  });

  it('SIG-X06 V signature over a different signing input (header or payload re-encoded) → 401 IT', async () => {
    const [h, p, s] = parts(f.v());
    const header = Buffer.from(h, 'base64url').toString('utf8');
    const payload = Buffer.from(p, 'base64url').toString('utf8');
    await refusedWithoutFetch([
      `${b64u(header.replace('"typ":"JWT"', '"typ":"at+jwt"'))}.${p}.${s}`,
      `${b64u(` ${header}`)}.${p}.${s}`,
      `${h}.${b64u(`${payload} `)}.${s}`,
      `${h}.${b64u(payload.replace('{', '{ '))}.${s}`,
      // Signature over the payload alone, or over header+payload without the dot.
      `${h}.${p}.${sign('sha256', Buffer.from(p), f.issuer.key('k1').privateKey).toString('base64url')}`,
      `${h}.${p}.${sign('sha256', Buffer.from(h + p), f.issuer.key('k1').privateKey).toString('base64url')}`,
    ]);
  });

  it('SIG-X07 JWS JSON serialization and other multi-signature shapes are never read', async () => {
    const [h, p, s] = parts(f.v());
    const general = JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] });
    const flattened = JSON.stringify({ payload: p, protected: h, signature: s });
    for (const value of [general, flattened, b64u(general), `${h}.${p}.${s}.${s}`, `${h}..${s}`]) {
      expectRefusedCredential(await f.bearer(value), value);
    }
  });

  it('SIG-X08 a valid signature by a key of another issuer (the canary IdP) behind an unknown kid → 401 IT', async () => {
    const other = await TestIssuer.start({ issuer: ISS, audience: AUD, keyCount: 0 });
    try {
      other.addKey({ kid: 'foreign' });
      const foreign = other.mint({ scp: 'Data.Read', tid: f.payload().tid }, { kid: 'foreign' });
      expectInvalidToken(await f.bearer(foreign), foreign);
      expect(other.fetchCount).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('SIG-X13 HMAC tokens stay refused whatever the key, and refusals never depend on the secret', async () => {
    const p = f.payload();
    const keys = ['secret', 'k1', '', f.issuer.jwksUri];
    const tokens = keys.map(
      (k) =>
        `${b64u('{"alg":"HS256","kid":"k1"}')}.${b64u(JSON.stringify(p))}.${createHmac('sha256', k)
          .update(`${b64u('{"alg":"HS256","kid":"k1"}')}.${b64u(JSON.stringify(p))}`)
          .digest('base64url')}`,
    );
    await refusedWithoutFetch(tokens);
    // The same for a token naming no kid at all.
    await refusedWithoutFetch([rawJwt({ alg: 'HS256' }, p, { hmacKey: 'secret', alg: 'HS256' })]);
  });

  it('all refusals above left the issuer usable: V still → 200', async () => {
    const res = await f.bearer(f.v(), '/scoped');
    expect(res.body).toEqual({ ok: true });
    expect(ISS).toContain('login.microsoftonline.com');
  });
});

describe('A. signature & algorithm, with RS256, PS256 and ES256 allowed', () => {
  const attackerEc = generateEcKey('atk-ec');
  let g: AttackFixture;
  beforeAll(async () => {
    g = await startAttackApp({ algorithms: ['RS256', 'PS256', 'ES256'] });
    g.issuer.addKey({ kid: 'e1', alg: 'ES256' });
    g.issuer.addKey({ kid: 'p1', alg: 'PS256' });
  });
  afterAll(() => g.close());

  const es = (kid: string, key = g.issuer.key('e1').privateKey) =>
    rawJwt({ alg: 'ES256', typ: 'JWT', kid }, g.payload(), { key, alg: 'ES256' });

  it('SIG-X09 positive controls: ES256 by e1, PS256 by p1, RS256 by k1 → 200', async () => {
    expect((await g.bearer(es('e1'))).status).toBe(200);
    const ps = rawJwt({ alg: 'PS256', kid: 'p1' }, g.payload(), {
      key: g.issuer.key('p1').privateKey,
      alg: 'PS256',
    });
    expect((await g.bearer(ps)).status).toBe(200);
    expect((await g.bearer(g.v())).status).toBe(200);
  });

  it('SIG-X10 an algorithm the named key does not fit → 401 IT (no fallback to key-type defaults)', async () => {
    await g.bearer(g.v());
    const before = g.issuer.fetchCount;
    const k1 = g.issuer.key('k1').privateKey;
    const tokens = [
      es('k1', attackerEc.privateKey), // ES256 under an RSA kid
      rawJwt({ alg: 'PS256', kid: 'k1' }, g.payload(), { key: k1, alg: 'PS256' }), // k1 is published for RS256
      rawJwt({ alg: 'RS256', kid: 'p1' }, g.payload(), {
        key: g.issuer.key('p1').privateKey,
        alg: 'RS256',
      }),
      g.signed('{"alg":"RS256","kid":"e1"}', g.payload()), // RS256 under an EC kid
      es('e1', attackerEc.privateKey), // the right curve, the wrong key
    ];
    for (const token of tokens) expectInvalidToken(await g.bearer(token), token);
    expect(g.issuer.fetchCount).toBe(before);
  });

  it('SIG-X11 ECDSA "psychic signatures" (r = s = 0, CVE-2022-21449), DER-encoded and truncated ES256 → 401 IT', async () => {
    const good = es('e1');
    const [h, p, s] = parts(good);
    const derSig = sign('sha256', Buffer.from(`${h}.${p}`), g.issuer.key('e1').privateKey).toString(
      'base64url',
    );
    const tokens = [
      `${h}.${p}.${Buffer.alloc(64).toString('base64url')}`,
      `${h}.${p}.${derSig}`,
      `${h}.${p}.${Buffer.from(s, 'base64url').subarray(0, 32).toString('base64url')}`,
      `${h}.${p}.${Buffer.concat([Buffer.from(s, 'base64url'), Buffer.alloc(1)]).toString('base64url')}`,
    ];
    for (const token of tokens) expectInvalidToken(await g.bearer(token), token);
  });

  it('SIG-X12 PSS with the wrong salt length or MGF hash is still a bad signature → 401 IT', async () => {
    const [h, p] = parts(
      g.v({}, { header: '{"alg":"PS256","kid":"p1"}', key: g.issuer.key('p1') }),
    );
    const key = g.issuer.key('p1').privateKey;
    const pss = (saltLength: number) =>
      sign('sha256', Buffer.from(`${h}.${p}`), {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength,
      }).toString('base64url');
    expect((await g.bearer(`${h}.${p}.${pss(32)}`)).status).toBe(200);
    // jsonwebtoken verifies PSS with salt = hash length only (RFC 7518 §3.5).
    for (const token of [`${h}.${p}.${pss(0)}`, `${h}.${p}.${pss(64)}`]) {
      expectInvalidToken(await g.bearer(token), token);
    }
    const pkcs1 = sign('sha256', Buffer.from(`${h}.${p}`), key).toString('base64url');
    expectInvalidToken(await g.bearer(`${h}.${p}.${pkcs1}`));
  });
});
