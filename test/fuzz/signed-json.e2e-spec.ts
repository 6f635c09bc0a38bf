import fc from 'fast-check';
import { AttackFixture, startAttackApp, V_HEADER } from '../support/attack-app';
import { assertAllowedAnswer, watchProcess } from '../support/attack-fuzz';
import { rawGet } from '../support/attack-raw';

/** Members whose values the module reads; everything else in a header or payload is ignored. */
const HEADER_READ = [
  'alg',
  'kid',
  'typ',
  'crit',
  'b64',
  'zip',
  'enc',
  'cty',
  'jku',
  'jwk',
  'x5u',
  'x5c',
];
const CLAIMS_READ = [
  'iss',
  'aud',
  'exp',
  'nbf',
  'iat',
  'sub',
  'tid',
  'scp',
  'scope',
  'roles',
  'groups',
  'hasgroups',
  '_claim_names',
  'azp',
  'appid',
  'client_id',
  'oid',
  'jti',
  'uti',
  'sid',
  'idtyp',
  'ver',
];

/** `{…}` from entries, as text: keeps `__proto__` members and repeated names as they are. */
const objectText = (entries: [string, unknown][]) =>
  `{${entries.map(([k, value]) => `${JSON.stringify(k)}:${JSON.stringify(value)}`).join(',')}}`;

/** Property-based: arbitrary JSON in header and payload, signed by K1, so the signature passes. */
describe('fuzz: arbitrary JSON in signed tokens', () => {
  let f: AttackFixture;
  const watch = watchProcess();

  beforeAll(async () => {
    f = await startAttackApp();
  });
  afterAll(async () => {
    await f.close();
    watch.stop();
  });
  beforeEach(() => f.clock.set(Date.now()));

  const send = async (token: string, path: string) => {
    const res = await rawGet(f.url, path, [`Authorization: Bearer ${token}`], 3000);
    assertAllowedAnswer(res);
    expect([200, 401, 403]).toContain(res.status);
    expect(res.body).not.toContain(token.slice(-20));
    return res.status;
  };
  const route = fc.constantFrom('/probe', '/scoped', '/admin', '/group');
  const name = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'x\ud800',
    ),
  );
  const entries = (names: fc.Arbitrary<string>) =>
    fc.array(fc.tuple(names, fc.jsonValue({ maxDepth: 3 })), { maxLength: 8 });
  const vEntries = (changes: [string, unknown][]) => {
    const base = Object.entries(f.payload()).filter(([k]) => !changes.some(([c]) => c === k));
    return [...base, ...changes];
  };

  it('arbitrary JSON values for the claims and header members the module reads → only 200 / 401 / 403', async () => {
    await fc.assert(
      fc.asyncProperty(
        entries(fc.constantFrom(...CLAIMS_READ)),
        entries(fc.constantFrom(...HEADER_READ)),
        route,
        async (claims, header, path) => {
          const headerEntries = [
            ...Object.entries(JSON.parse(V_HEADER)).filter(([k]) => !header.some(([h]) => h === k)),
            ...header,
          ];
          await send(f.signed(objectText(headerEntries), objectText(vEntries(claims))), path);
        },
      ),
      { numRuns: 200 },
    );
    watch.assertClean();
  });

  it('any JSON at all as header and payload (not objects, deep, huge numbers) → only 401 / 200 / 403', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.json({ maxDepth: 4 }),
        fc.json({ maxDepth: 4 }),
        route,
        async (h, p, path) => {
          await send(f.signed(h, p), path);
        },
      ),
      { numRuns: 120 },
    );
    watch.assertClean();
  });

  it('V plus arbitrary members the module does not read (any names, prototype names included) → 200, unless a name repeats', async () => {
    await fc.assert(
      fc.asyncProperty(
        entries(name.filter((n) => !CLAIMS_READ.includes(n))),
        entries(name.filter((n) => !HEADER_READ.includes(n))),
        async (claims, header) => {
          const payload = vEntries(claims);
          const headerEntries = [...Object.entries(JSON.parse(V_HEADER)), ...header];
          const distinct = (xs: [string, unknown][]) =>
            new Set(xs.map(([k]) => k)).size === xs.length;
          // JSON.stringify escapes lone surrogates only (pairs stay raw): such a member is refused.
          const surrogate = /\\ud[89a-f][0-9a-f]{2}/i.test(JSON.stringify([claims, header]));
          const token = f.signed(objectText(headerEntries), objectText(payload));
          const status = await send(token, '/probe');
          const fits = token.length <= f.config.maxTokenLength;
          if (distinct(payload) && distinct(headerEntries) && !surrogate && fits)
            expect(status).toBe(200);
          else expect([200, 401]).toContain(status);
        },
      ),
      { numRuns: 150 },
    );
    watch.assertClean();
  });
});
