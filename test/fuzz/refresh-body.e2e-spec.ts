import fc from 'fast-check';
import { watchProcess } from '../support/attack-fuzz';
import { rawSend } from '../support/attack-raw';
import { createRefreshApp, RefreshApp } from '../support/refresh-app';

/** Property-based: arbitrary refresh-request bodies at POST /auth/token (fast-check). */
describe('fuzz: refresh-request bodies', () => {
  let t: RefreshApp;
  let url: string;
  const watch = watchProcess();

  beforeAll(async () => {
    t = await createRefreshApp();
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
    watch.stop();
  });

  const contentType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/json',
    'application/x-www-form-urlencoded; charset=utf-8',
    'APPLICATION/JSON',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    '',
  );
  /** A value: the live RT, a mangled one, a grant type, or anything. */
  const value = (rt: string) =>
    fc.oneof(
      fc.constant(rt),
      fc.constant('refresh_token'),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.nat({ max: rt.length - 1 }).map((i) => rt.slice(0, i) + rt.slice(i + 1)),
    );
  const name = fc.oneof(
    fc.constantFrom(
      'grant_type',
      'refresh_token',
      'scope',
      'client_id',
      'client_secret',
      '__proto__',
    ),
    fc.string({ maxLength: 12 }),
  );
  /** Arbitrary parameters, half the time around a well-formed refresh request. */
  const params = (rt: string) =>
    fc
      .tuple(fc.boolean(), fc.array(fc.tuple(name, value(rt)), { maxLength: 6 }))
      .map(([wellFormed, ps]): [string, string][] =>
        wellFormed ? [['grant_type', 'refresh_token'], ['refresh_token', rt], ...ps] : ps,
      );

  /** The body for a content type: a form or a JSON object of the params, or raw junk. */
  const body = (rt: string) =>
    fc.oneof(
      params(rt).map((ps) => ({
        kind: 'form' as const,
        ps,
        text: new URLSearchParams(ps).toString(),
      })),
      params(rt).map((ps) => ({
        kind: 'json' as const,
        ps,
        text: `{${ps.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
      })),
      fc.jsonValue().map((j) => ({
        kind: 'junk' as const,
        ps: [] as [string, string][],
        text: JSON.stringify(j) ?? '',
      })),
      fc
        .string({ unit: 'binary', maxLength: 200 })
        .map((s) => ({ kind: 'junk' as const, ps: [] as [string, string][], text: s })),
    );

  it('only 200 (for exactly one live RT and grant_type=refresh_token) / 400 / 401 / 413 / 415, never 5xx or a hang', async () => {
    const { refresh_token: seed } = await t.tokens.issue('fuzz');
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(contentType, body(seed), fc.boolean(), async (type, generated, fresh) => {
        // A fresh RT per run where asked for, so a 200 is always for a live token.
        const rt = fresh ? (await t.tokens.issue('fuzz')).refresh_token : seed;
        const text = generated.text.split(seed).join(rt);
        const res = await rawSend(
          url,
          'POST',
          '/auth/token',
          type ? [`Content-Type: ${type}`] : [],
          Buffer.from(text, 'utf8'),
          3000,
        );
        expect([200, 400, 401, 413, 415]).toContain(res.status);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.body).not.toMatch(/\n\s+at |node_modules/);
        if (res.status === 200) {
          const named = (n: string) => {
            const values = generated.ps
              .filter(([k]) => k === n)
              .map(([, v]) => v.split(seed).join(rt));
            // A repeated parameter, form or JSON (RT-X10), never reaches a 200.
            return values;
          };
          expect(named('grant_type')).toEqual(['refresh_token']);
          expect(named('refresh_token')).toEqual([rt]);
          expect(res.headers['cache-control']).toBe('no-store');
        } else {
          expect(res.body).not.toContain(rt.slice(3, 23));
          if (res.status === 400 || res.status === 401) {
            const error = JSON.parse(res.body).error;
            expect(
              typeof error === 'string' || typeof JSON.parse(res.body).statusCode === 'number',
            ).toBe(true);
          }
        }
      }),
      { numRuns: 250 },
    );
    // The runs reach both sides of the endpoint: successes and refusals.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    watch.assertClean();
  });
});
