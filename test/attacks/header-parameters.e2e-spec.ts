import { createHash } from 'node:crypto';
import { b64u, generateRsaKey, rawJwt } from '@app/auth/testing';
import { AttackFixture, parts, startAttackApp, V_HEADER } from '../support/attack-app';
import { Canary } from '../support/attack-canary';
import { expectInvalidToken } from '../support/attack-expect';

/** ATTACKS.md B. Header parameters (HDR-*), plus more cases of the same class (HDR-X*). */
describe('B. header parameters', () => {
  let f: AttackFixture;
  let canary: Canary;
  const attacker = generateRsaKey('atk');
  const attackerJwk = attacker.publicJwk;

  beforeAll(async () => {
    [f, canary] = await Promise.all([startAttackApp(), Canary.start(attacker)]);
    expect((await f.bearer(f.v())).status).toBe(200);
  });
  afterAll(async () => {
    await f.close();
    await canary.stop();
  });
  beforeEach(() => f.clock.set(Date.now()));

  /** Signs a header (object or raw text) over V's payload with `key` (default K1). */
  const withHeader = (header: object | string, key = f.issuer.key('k1')) =>
    f.signed(header, f.payload(), key);
  const refused = async (tokens: string[], path = '/probe') => {
    for (const token of tokens) expectInvalidToken(await f.bearer(token, path), token);
  };
  const refusedWithoutFetch = async (tokens: string[], path = '/probe') => {
    const before = f.issuer.fetchCount;
    await refused(tokens, path);
    expect(f.issuer.fetchCount - before).toBe(0);
  };

  it('HDR-01 embedded jwk (kid "jwt_tool" and "k1"), signed by A_RSA, roles Admin → 401 IT; the key is never used', async () => {
    const tokens = ['jwt_tool', 'k1'].map((kid) =>
      f.signed(
        { alg: 'RS256', typ: 'JWT', kid, jwk: attackerJwk },
        f.payload({ roles: ['Admin'] }),
        attacker,
      ),
    );
    await refusedWithoutFetch(tokens, '/admin');
    await refusedWithoutFetch(tokens, '/probe');
  });

  it('HDR-02 jku / x5u / x5c injection (kid atk and k1, userinfo trick, file:, redirect) → 401 IT, canary 0, jwks +≤1', async () => {
    const before = f.issuer.fetchCount;
    const jku = `${canary.origin}/jwks.json`;
    const selfSigned = Buffer.from(
      attacker.publicKey.export({ type: 'spki', format: 'der' }),
    ).toString('base64');
    const headers: object[] = [
      { alg: 'RS256', kid: 'atk', jku },
      { alg: 'RS256', kid: 'k1', jku },
      { alg: 'RS256', kid: 'atk', x5u: `${canary.origin}/cert.pem` },
      { alg: 'RS256', kid: 'k1', x5u: `${canary.origin}/cert.pem` },
      // The member is refused by name, whatever certificate it carries.
      { alg: 'RS256', kid: 'atk', x5c: [selfSigned] },
      { alg: 'RS256', kid: 'atk', jku: `https://login.microsoftonline.com@${canary.host}/` },
      { alg: 'RS256', kid: 'atk', jku: 'file:///etc/passwd' },
      { alg: 'RS256', kid: 'atk', jku: `${canary.origin}/redirect` },
      { alg: 'RS256', kid: 'atk', jku: f.issuer.jwksUri }, // even our own JWKS URL is not followed
    ];
    await refused(headers.map((h) => withHeader({ typ: 'JWT', ...h }, attacker)));
    expect(canary.requests).toBe(0);
    expect(f.issuer.fetchCount - before).toBeLessThanOrEqual(1);
  });

  it('HDR-05 crit: ["x-unknown"], [], ["alg"], ["x-missing"], "x-unknown", ["exp"] → 401 IT, jwks +0', async () => {
    const variants: object[] = [
      { crit: ['x-unknown'], 'x-unknown': 1 },
      { crit: [] },
      { crit: ['alg'] },
      { crit: ['x-missing'] },
      { crit: 'x-unknown', 'x-unknown': 1 },
      { crit: ['exp'] },
    ];
    await refusedWithoutFetch(
      variants.map((v) => withHeader({ alg: 'RS256', typ: 'JWT', kid: 'k1', ...v })),
    );
  });

  // ── More cases of the class ────────────────────────────────────────────────────────────────

  it('HDR-X01 key references with empty or null values are refused just the same → 401 IT, canary 0', async () => {
    const variants: object[] = [
      { jku: null },
      { jku: '' },
      { jwk: {} },
      { jwk: null },
      { x5u: null },
      { x5c: [] },
      { x5c: null },
      { JKU: `${canary.origin}/jwks.json`, jku: `${canary.origin}/jwks.json` },
    ];
    await refusedWithoutFetch(variants.map((v) => withHeader({ alg: 'RS256', kid: 'k1', ...v })));
    expect(canary.requests).toBe(0);
  });

  it('HDR-X02 x5t / x5t#S256 / jwk thumbprints never select a key: K2 signature under kid k1 → 401 IT', async () => {
    const der = f.issuer.key('k2').publicKey.export({ type: 'spki', format: 'der' });
    const header = {
      alg: 'RS256',
      kid: 'k1',
      x5t: createHash('sha1').update(der).digest('base64url'),
      'x5t#S256': createHash('sha256').update(der).digest('base64url'),
    };
    await refusedWithoutFetch([withHeader(header, f.issuer.key('k2'))]);
    // An unknown member that is merely informative is ignored (RFC 7515 §4): a K1 token with it passes.
    expect((await f.bearer(withHeader({ ...header }))).status).toBe(200);
  });

  it('HDR-X03 processing extensions b64:false, zip, enc, cty (nested JWT) → 401 IT, jwks +0', async () => {
    const variants: object[] = [
      { b64: false },
      { b64: false, crit: ['b64'] },
      { b64: true },
      { zip: 'DEF' },
      { enc: 'A256GCM' },
      { cty: 'JWT' },
      { cty: 'at+jwt' },
      { cty: 'application/json' },
    ];
    await refusedWithoutFetch(variants.map((v) => withHeader({ alg: 'RS256', kid: 'k1', ...v })));
  });

  it('HDR-X04 typ: only access-token types pass (JWT, at+jwt, any case, application/ prefix, absent)', async () => {
    for (const typ of ['JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/at+jwt', undefined]) {
      expect((await f.bearer(withHeader({ alg: 'RS256', kid: 'k1', typ }))).status).toBe(200);
    }
    const refusedTypes: unknown[] = [
      'dpop+jwt',
      'logout+jwt',
      'secevent+jwt',
      'id_token+jwt',
      'JOSE',
      'JOSE+JSON',
      'JWT ',
      ' JWT',
      'jwt\u0000',
      'application/jwt/at+jwt',
      'text/jwt',
      '',
      null,
      ['JWT'],
      1,
    ];
    await refusedWithoutFetch(
      refusedTypes.map((typ) => withHeader({ alg: 'RS256', kid: 'k1', typ })),
    );
  });

  it('HDR-X05 kid shapes: NUL, CR/LF, quotes, backslash, spaces, unicode, empty, > 256, non-strings → 401 IT, jwks +0', async () => {
    const kids: unknown[] = [
      'k1\u0000',
      '\u0000',
      'k1\r\nX-Injected: 1',
      'k1\n',
      'k"1',
      'k1\\',
      "' OR 1=1 --",
      'k 1',
      'k１',
      'ｋ1',
      'k1\u200b',
      '\u202ek1',
      '',
      'k'.repeat(257),
      'x'.repeat(8_000),
      1,
      null,
      true,
      ['k1'],
      { kid: 'k1' },
    ];
    await refusedWithoutFetch([
      ...kids.map((kid) => withHeader({ alg: 'RS256', typ: 'JWT', kid })),
      withHeader({ alg: 'RS256', typ: 'JWT' }), // absent
    ]);
  });

  it('HDR-X06 kid path traversal / injection shapes that are printable: looked up as opaque names → 401 IT, jwks +≤1', async () => {
    const before = f.issuer.fetchCount;
    const kids = [
      '../../../../dev/null',
      '/etc/passwd',
      '..%2f..%2fetc%2fpasswd',
      "k1';DROP TABLE keys;--",
      '$(id)',
      '`id`',
      '${jndi:ldap://127.0.0.1/a}',
      '{{7*7}}',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      'k1/../k1',
      'K1',
    ];
    await refused(kids.map((kid) => withHeader({ alg: 'RS256', typ: 'JWT', kid }, attacker)));
    expect(f.issuer.fetchCount - before).toBeLessThanOrEqual(1);
    // A prototype-named kid signed by K1 is still only an unknown name.
    await refused([withHeader({ alg: 'RS256', kid: '__proto__' })]);
  });

  it('HDR-X07 duplicate header members are refused (pinned: reject, RFC 7515 §4), even escaped → 401 IT, jwks +0', async () => {
    await refusedWithoutFetch([
      withHeader('{"alg":"none","alg":"RS256","typ":"JWT","kid":"k1"}'),
      withHeader('{"alg":"RS256","typ":"JWT","kid":"k2","kid":"k1"}'),
      withHeader('{"alg":"RS256","typ":"JWT","kid":"k1","kid":"k1"}'),
      withHeader('{"alg":"RS256","typ":"JWT","kid":"k1","\\u0061lg":"RS256"}'),
      withHeader('{"alg":"RS256","kid":"k1","jku":"x","jku":null}'),
      withHeader('{"alg":"RS256","kid":"k1","x":{"a":1,"a":2}}'),
    ]);
    // Same names in different objects are fine.
    expect(
      (
        await f.bearer(
          withHeader('{"alg":"RS256","kid":"k1","x":{"alg":1},"y":[{"kid":1},{"kid":2}]}'),
        )
      ).status,
    ).toBe(200);
  });

  it('HDR-X08 header that is not a JSON object (null, [], "s", 1, true, nested arrays, empty) → 401 IT, jwks +0', async () => {
    const p = b64u(JSON.stringify(f.payload()));
    const headers = [
      'null',
      '[]',
      '"s"',
      '1',
      'true',
      '[{"alg":"RS256","kid":"k1"}]',
      '',
      ' ',
      '{',
      '{}',
      '[[[[[[[[[[]]]]]]]]]]',
    ];
    await refusedWithoutFetch(headers.map((h) => `${b64u(h)}.${p}.${parts(f.v())[2]}`));
    // An empty header segment is three segments with the first empty.
    await refusedWithoutFetch([`.${p}.${parts(f.v())[2]}`]);
  });

  it('HDR-X09 invalid UTF-8, overlong UTF-8, lone surrogates and a BOM in the header → 401 IT, jwks +0', async () => {
    const latin = (s: string) => Buffer.from(s, 'latin1');
    const headers: (Buffer | string)[] = [
      Buffer.concat([
        latin('{"alg":"RS256","kid":"k1","x":"'),
        Buffer.from([0xff, 0xfe]),
        latin('"}'),
      ]),
      // Overlong encodings of "/" and of '"' (C0 AF, C0 A2): never decoded to the character.
      Buffer.concat([
        latin('{"alg":"RS256","kid":"k1","x":"a'),
        Buffer.from([0xc0, 0xaf]),
        latin('"}'),
      ]),
      Buffer.concat([
        latin('{"alg":"RS256","kid":"k1","x":"a'),
        Buffer.from([0xc0, 0xa2]),
        latin('}'),
      ]),
      Buffer.concat([
        latin('{"alg":"RS256","kid":"k1","x":"'),
        Buffer.from([0xed, 0xa0, 0x80]),
        latin('"}'),
      ]),
      '{"alg":"RS256","kid":"k1","x":"\\ud800"}',
      '{"alg":"RS256","kid":"k1","\\udc00":1}',
      '\ufeff{"alg":"RS256","kid":"k1"}',
    ];
    await refusedWithoutFetch(headers.map((h) => withHeader(h)));
    // A proper surrogate pair is fine.
    expect(
      (await f.bearer(withHeader('{"alg":"RS256","kid":"k1","x":"\\ud83d\\ude00"}'))).status,
    ).toBe(200);
  });

  it('HDR-X10 prototype members in the header are only data: alg or jku under __proto__ / constructor', async () => {
    const before = f.issuer.fetchCount;
    // alg only reachable through the prototype → there is no alg → 401.
    await refused([
      withHeader('{"kid":"k1","__proto__":{"alg":"RS256"}}'),
      withHeader('{"kid":"k1","constructor":{"prototype":{"alg":"RS256"}}}'),
    ]);
    // A jku under __proto__ is an unknown member (ignored, RFC 7515 §4), never followed.
    const res = await f.bearer(
      withHeader(`{"alg":"RS256","kid":"k1","__proto__":{"jku":"${canary.origin}/jwks.json"}}`),
    );
    expect(res.status).toBe(200);
    expect(canary.requests).toBe(0);
    expect(f.issuer.fetchCount).toBe(before);
    expect(({} as Record<string, unknown>).alg).toBeUndefined();
    expect(({} as Record<string, unknown>).jku).toBeUndefined();
  });

  it('HDR-X11 a header that is huge but under the size cap (many members) → 401 IT or 200, fast, never 5xx', async () => {
    const members = Array.from({ length: 600 }, (_, i) => `"m${i}":${i}`).join(',');
    const big = withHeader(`{"alg":"RS256","kid":"k1",${members}}`);
    expect(big.length).toBeLessThan(f.config.maxTokenLength);
    const started = performance.now();
    const res = await f.bearer(big);
    expect(performance.now() - started).toBeLessThan(500);
    expect(res.status).toBe(200); // unknown members are ignored; nothing here is harmful
    expect(V_HEADER).toContain('"kid":"k1"');
  });

  it('HDR-X12 the kid picks the key, and only that key: K1 signature with kid k2, alg none with kid k2 → 401 IT', async () => {
    await refusedWithoutFetch([
      withHeader({ alg: 'RS256', kid: 'k2' }),
      rawJwt({ alg: 'none', kid: 'k2' }, f.payload(), 'none'),
    ]);
  });
});
