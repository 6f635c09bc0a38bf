import fc from 'fast-check';
import { b64u } from '@app/auth/testing';
import { AttackFixture, parts, startAttackApp } from '../support/attack-app';
import { assertAllowedAnswer, watchProcess } from '../support/attack-fuzz';
import { rawGet } from '../support/attack-raw';

/** Property-based: arbitrary bytes and characters in each segment of a token (fast-check). */
describe('fuzz: token segments', () => {
  let f: AttackFixture;
  let v: string;
  const watch = watchProcess();

  beforeAll(async () => {
    f = await startAttackApp();
    v = f.v();
    expect((await f.bearer(v)).status).toBe(200);
  });
  afterAll(async () => {
    await f.close();
    watch.stop();
  });

  const send = async (token: string) => {
    const res = await rawGet(f.url, '/probe', [`Authorization: Bearer ${token}`], 3000);
    if (token === v) expect(res.status).toBe(200);
    else {
      expect(res.status).not.toBe(200);
      assertAllowedAnswer(res);
      // A refusal is 401 IT or, for characters outside b64token, 400 IR — never "no credentials".
      expect(res.headers['www-authenticate']).not.toBe('Bearer realm="api"');
    }
  };

  const bytesSegment = fc.uint8Array({ maxLength: 400 }).map((b) => b64u(Buffer.from(b)));
  const b64tokenChars = fc.string({
    unit: fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=',
    ),
    minLength: 1,
    maxLength: 400,
  });

  it('arbitrary bytes (base64url) in the header, payload or signature segment of V → 401 IT unless unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 2 }), bytesSegment, async (which, segment) => {
        const segments = parts(v);
        segments[which] = segment;
        await send(segments.join('.'));
      }),
      { numRuns: 250 },
    );
    watch.assertClean();
  });

  it('arbitrary b64token characters (dots, padding, + / ~ included) as the whole token or one segment → 400 IR / 401 IT', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -1, max: 2 }), b64tokenChars, async (which, text) => {
        if (which < 0) return send(text);
        const segments = parts(v);
        segments[which] = text;
        return send(segments.join('.'));
      }),
      { numRuns: 250 },
    );
    watch.assertClean();
  });

  it('arbitrary JSON bytes (valid or not, any UTF-8) as the header or payload, V signature kept → 401 IT', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.oneof(fc.json(), fc.string({ unit: 'binary', maxLength: 200 })),
        async (header, text) => {
          const segments = parts(v);
          segments[header ? 0 : 1] = b64u(text);
          await send(segments.join('.'));
        },
      ),
      { numRuns: 150 },
    );
    watch.assertClean();
  });
});
