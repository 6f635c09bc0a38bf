import { decodeToken, DecodedToken } from './token-segments';

const b64u = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const HEADER = '{"alg":"RS256","kid":"k1"}';
const PAYLOAD = '{"sub":"s","n":{"a":[1,{"b":null}]}}';
/** A token from header and payload text (or bytes) and a signature segment. */
const token = (header: string | Buffer, payload: string | Buffer = PAYLOAD, signature = 'c2ln') =>
  `${b64u(header)}.${b64u(payload)}.${signature}`;
const decoded = (jwt: string) => {
  const result = decodeToken(jwt);
  if (typeof result === 'string') throw new Error(result);
  return result;
};
const latin = (s: string) => Buffer.from(s, 'latin1');
/** The bytes of `prefix`, then `bytes`, then `suffix`: JSON with raw, maybe invalid, UTF-8. */
const withBytes = (prefix: string, bytes: number[], suffix: string) =>
  Buffer.concat([latin(prefix), Buffer.from(bytes), latin(suffix)]);

describe('decodeToken', () => {
  it('decodes a compact JWS into its header and payload', () => {
    expect(decoded(token(HEADER))).toEqual({
      header: { alg: 'RS256', kid: 'k1' },
      payload: { sub: 's', n: { a: [1, { b: null }] } },
    });
  });

  describe('segments', () => {
    const [h, p, s] = token(HEADER).split('.');

    it('needs exactly three non-empty segments; five is JWE', () => {
      for (const jwt of [
        '',
        h,
        `${h}.${p}`,
        `${h}.${p}.${s}.`,
        `${h}.${p}.${s}.${s}`,
        `.${p}.${s}`,
      ])
        expect([jwt, decodeToken(jwt)]).toEqual([jwt, 'Malformed token']);
      expect(decodeToken(`${h}.${p}..`)).toBe('Malformed token');
      expect(decodeToken(`${h}.${p}.`)).toBe('Malformed token');
      expect(decodeToken(`${h}..${s}`)).toBe('Malformed token');
      expect(decodeToken(`${h}.${p}.${s}.${s}.${s}`)).toBe(
        'Encrypted tokens (JWE) are not accepted',
      );
      expect(decodeToken('a.b.c.d.e')).toBe('Encrypted tokens (JWE) are not accepted');
    });

    it('takes only the base64url alphabet, in any segment', () => {
      const plain = (header: string) => Buffer.from(header).toString('base64');
      // A header whose base64 has `+` and `/`: the same bytes are fine in base64url.
      const header = '{"alg":"RS256","kid":"k1","x":"?>?>"}';
      expect(plain(header)).toMatch(/[+/]/);
      expect(typeof decodeToken(`${b64u(header)}.${p}.${s}`)).toBe('object');
      for (const jwt of [
        `${plain(header).replace(/=+$/, '')}.${p}.${s}`,
        `${h}.${p}.ab+/`,
        `${h}.${p} .${s}`,
        `${h}.${p}.c2l\nn`,
        `${h}.${p}.c2ln\u00e9`,
        `${h}!.${p}.${s}`,
      ])
        expect([jwt, decodeToken(jwt)]).toEqual([jwt, 'Malformed token']);
    });

    it('takes only the canonical form: no padding, no length 4n + 1, no stray trailing bits', () => {
      // Segments of length 4n + 2 (one byte) and 4n + 3 (two bytes) end in a character with
      // 4 and 2 unused bits: 'A' and 'E' (000000, 000100) leave them zero, 'B' and 'F' do not.
      expect(typeof decodeToken(`${h}.${p}.AA`)).toBe('object');
      expect(typeof decodeToken(`${h}.${p}.AQ`)).toBe('object');
      expect(typeof decodeToken(`${h}.${p}.AAE`)).toBe('object');
      expect(typeof decodeToken(`${h}.${p}.AAAA`)).toBe('object');
      expect(typeof decodeToken(`${h}.${p}.__8`)).toBe('object');
      expect(typeof decodeToken(`${h}.${p}._w`)).toBe('object');
      for (const signature of [
        'AB',
        'AR',
        'AAF',
        'AAB',
        'AAC',
        '__9',
        '_x',
        'c2ln=',
        'AA==',
        'A',
        'AAAAA',
      ])
        expect([signature, decodeToken(`${h}.${p}.${signature}`)]).toEqual([
          signature,
          'Malformed token',
        ]);
      // The same in the header and payload, whose bytes are decoded.
      const header = b64u('{"alg":"RS256"}'); // 20 characters: 4n
      const payload = b64u('{"sub":"s"}'); // 15 characters: 4n + 3
      expect(payload.length % 4).toBe(3);
      expect(typeof decodeToken(`${header}.${payload}.${s}`)).toBe('object');
      // The last character with its lowest (unused) bit set: same bytes in Node, not canonical.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const bump = (segment: string) =>
        segment.slice(0, -1) + alphabet[alphabet.indexOf(segment.slice(-1)) + 1];
      expect(Buffer.from(bump(payload), 'base64url')).toEqual(Buffer.from(payload, 'base64url'));
      for (const jwt of [
        `${header}.${bump(payload)}.${s}`,
        `${header}.${payload}=.${s}`,
        `${header}=.${payload}.${s}`,
        `${header}A.${payload}.${s}`,
        `${header}.${payload}AA.${s}`,
      ])
        expect([jwt, decodeToken(jwt)]).toEqual([jwt, 'Malformed token']);
    });
  });

  describe('header and payload text', () => {
    const refusals = (make: (text: string | Buffer) => string, reason: string) => {
      const [prefix, suffix] = ['{"alg":"RS256","x":"', '"}'];
      const refused = [
        withBytes(prefix, [0xff, 0xfe], suffix), // not UTF-8
        withBytes(prefix, [0xc0, 0xaf], suffix), // overlong "/"
        withBytes(prefix.slice(0, -1), [0xc0, 0xa2], '}'), // overlong '"'
        withBytes(prefix, [0xe0, 0x80, 0xaf], suffix), // overlong "/" in three bytes
        withBytes(prefix, [0xed, 0xa0, 0x80], suffix), // a surrogate (U+D800) encoded
        withBytes(prefix, [0xf4, 0x90, 0x80, 0x80], suffix), // past U+10FFFF
        withBytes(prefix, [0xe2, 0x82], suffix), // truncated
        '\ufeff{"alg":"RS256"}', // a BOM is not JSON whitespace
        '{"alg":"RS256","x":"\\ud800"}', // lone surrogates in a value, a name, nested, in arrays
        '{"alg":"RS256","\\udc00":1}',
        '{"alg":"RS256","x":{"y":["a",["\\uDBFF"]]}}',
        '{"alg":"RS256","x":[{"\\ud83d":1}]}',
        '{"alg":"RS256","x":"\\ude00\\ud83d"}', // a pair in the wrong order
        '{"alg":"RS256","x":"\\ud83d\\\\ude00"}', // the second half is not an escape
        '{"alg":"RS256","alg":"RS256"}', // repeated names at the top, nested, and spelled with escapes
        '{"alg":"RS256","x":{"a":1,"b":[{"c":1,"c":2}]}}',
        '{"alg":"RS256","x":{"a":1,"\\u0061":2}}',
        '{"alg":"RS256","\\u0061lg":"none"}',
        '{"alg":"RS256","__proto__":1,"__proto__":2}',
        '[{"alg":"RS256"}]', // not an object
        '"RS256"',
        '1',
        'null',
        'true',
        '{"alg":"RS256"', // not JSON
        '{"alg":"RS256",}',
        "{'alg':'RS256'}",
        '{"alg":"RS256"} {}',
      ];
      for (const text of refused)
        expect([String(text), decodeToken(make(text))]).toEqual([String(text), reason]);
    };

    it('refuses invalid or overlong UTF-8, surrogates, repeated names and non-objects in the header', () =>
      refusals((text) => token(text), 'Malformed token header'));

    it('refuses the same in the payload', () =>
      refusals((text) => token(HEADER, text), 'Malformed token payload'));

    it('takes strict UTF-8 beyond ASCII, surrogate pairs and escaped backslashes before u', () => {
      const texts = [
        '{"x":"ü€😀","ü":"a"}',
        withBytes('{"x":"', [0xf0, 0x9f, 0x98, 0x80, 0xef, 0xbf, 0xbf], '"}'),
        '{"x":"\\ud83d\\ude00","\\uD83D\\uDE00":["\\u00fc"]}',
        '{"x":"\\\\ud800","\\\\udc00":"\\\\\\\\ud800"}', // `\\` then `ud800`: no escape
        '{"x":"\\u0000\\u001f\\"\\\\\\/\\b\\f\\n\\r\\t"}',
        ' \t\r\n{ "x" : [ ] , "y" : { } }\n',
      ];
      for (const text of texts) expect(typeof decodeToken(token(HEADER, text))).toBe('object');
      expect(decoded(token(HEADER, texts[3])).payload).toEqual({
        x: '\\ud800',
        '\\udc00': '\\\\ud800',
      });
      expect(decoded(token(HEADER, texts[2])).payload.x).toBe('😀');
    });

    it('takes the same names in different objects, integer-like names and colons in strings', () => {
      const payload = '{"a":{"a":1},"b":[{"a":1},{"a":2}],"2":1,"1":{"1":2},"u":"https://x:1/"}';
      expect(decoded(token(HEADER, payload)).payload).toEqual(JSON.parse(payload));
      expect(decoded(token('{"alg":"RS256","x:y":"a\\":\\"b"}')).header).toEqual({
        alg: 'RS256',
        'x:y': 'a":"b',
      });
    });

    it('refuses, and does not throw on, nesting too deep to walk', () => {
      const deep = '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
      expect(decodeToken(token(HEADER, deep))).toBe('Malformed token payload');
    });

    it('takes 32 levels of nesting below the payload and refuses more', () => {
      const nested = (levels: number) => '{"a":' + '['.repeat(levels) + ']'.repeat(levels) + '}';
      expect(typeof decodeToken(token(HEADER, nested(32)))).toBe('object');
      expect(decodeToken(token(HEADER, nested(33)))).toBe('Malformed token payload');
      expect(decodeToken(token(HEADER, nested(3000)))).toBe('Malformed token payload');
    });
  });

  describe('prototypes (CLM-15)', () => {
    const everyObject = (value: unknown, seen: object[] = []): object[] => {
      if (value && typeof value === 'object') {
        if (!Array.isArray(value)) seen.push(value);
        for (const item of Object.values(value)) everyObject(item, seen);
      }
      return seen;
    };

    it('gives every object a null prototype, so __proto__ is only an own data member', () => {
      const payload =
        '{"__proto__":{"roles":["Admin"],"__proto__":{"x":1}},"a":[{"__proto__":null},[{"b":{}}]],' +
        '"constructor":{"prototype":{"alg":"none"}}}';
      const { header, payload: claims }: DecodedToken = decoded(
        token('{"alg":"RS256","__proto__":{"alg":"none"}}', payload),
      );
      const objects = everyObject([header, claims]);
      expect(objects).toHaveLength(10);
      for (const object of objects) expect(Object.getPrototypeOf(object)).toBeNull();
      expect(Object.keys(header)).toEqual(['alg', '__proto__']);
      expect(header.alg).toBe('RS256');
      expect(Object.keys(claims)).toEqual(['__proto__', 'a', 'constructor']);
      expect((claims as Record<string, unknown>).roles).toBeUndefined();
      const proto = Object.getOwnPropertyDescriptor(claims, '__proto__');
      expect(proto?.value).toEqual({ roles: ['Admin'], ['__proto__']: { x: 1 } });
      expect(Object.keys(proto?.value as object)).toEqual(['roles', '__proto__']);
      expect((claims.a as unknown[])[0]).toEqual(
        Object.assign(Object.create(null), { ['__proto__']: null }),
      );
      expect(Array.isArray(claims.a)).toBe(true);
      expect(({} as Record<string, unknown>).roles).toBeUndefined();
    });

    it('inherits nothing even from a polluted Object.prototype', () => {
      const polluted = Object.prototype as Record<string, unknown>;
      polluted.injected = 'yes';
      try {
        const { payload } = decoded(token(HEADER, '{"sub":"s","n":{"m":1}}'));
        expect(Object.keys(payload)).toEqual(['sub', 'n']);
        expect(payload.injected).toBeUndefined();
        expect((payload.n as Record<string, unknown>).injected).toBeUndefined();
      } finally {
        delete polluted.injected;
      }
    });
  });
});
