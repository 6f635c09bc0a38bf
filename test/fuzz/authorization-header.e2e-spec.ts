import fc from 'fast-check';
import { AttackFixture, startAttackApp } from '../support/attack-app';
import { assertAllowedAnswer, watchProcess } from '../support/attack-fuzz';
import { rawGet } from '../support/attack-raw';

/** Bytes Node's HTTP parser refuses in a header value (it answers a bare 400 itself): CTLs but HTAB. */
const NODE_REFUSES = {
  test: (text: string) =>
    [...text].some((c) => (c.charCodeAt(0) < 0x20 && c !== '\t') || c.charCodeAt(0) === 0x7f),
};

/** Property-based: arbitrary Authorization header values (fast-check). */
describe('fuzz: Authorization header values', () => {
  let f: AttackFixture;
  let v: string;
  const watch = watchProcess();

  beforeAll(async () => {
    f = await startAttackApp();
    v = f.v();
  });
  afterAll(async () => {
    await f.close();
    watch.stop();
  });

  /** Is this value, as Node will read it (latin1, OWS-trimmed), exactly `Bearer 1*SP V`? */
  const isValidBearer = (bytes: Buffer) => {
    const text = bytes.toString('latin1').replace(/^[ \t]+|[ \t]+$/g, '');
    return /^bearer +/i.test(text) && text.replace(/^bearer +/i, '') === v;
  };

  const send = async (value: string) => {
    const bytes = Buffer.from(value, 'utf8');
    const res = await rawGet(
      f.url,
      '/probe',
      [Buffer.concat([Buffer.from('Authorization: '), bytes])],
      3000,
    );
    if (res.status === 200) expect(isValidBearer(bytes)).toBe(true);
    else
      assertAllowedAnswer(
        res,
        NODE_REFUSES.test(bytes.toString('latin1')) || bytes.length > 16_000,
      );
    if (isValidBearer(bytes) && !NODE_REFUSES.test(bytes.toString('latin1')))
      expect(res.status).toBe(200);
    expect(res.body).not.toContain(v.slice(-20));
  };

  // CR and LF would end the header line: they are HTTP framing, not a header value.
  const noFraming = (s: string) => s.replace(/[\r\n]/g, '');
  const anyText = fc.string({ unit: 'binary', maxLength: 300 }).map(noFraming);
  const prefix = fc.constantFrom(
    'Bearer ',
    'bearer ',
    'BEARER  ',
    'Bearer\t',
    'Basic ',
    ' Bearer ',
    '',
    'Bearer',
  );

  it('arbitrary unicode values, schemes with arbitrary credentials → only 200 (exactly V) / 400 / 401, never 5xx or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyText,
          fc.tuple(prefix, anyText).map(([p, s]) => p + s),
        ),
        send,
      ),
      { numRuns: 300 },
    );
    watch.assertClean();
  });

  it('mutations of "Bearer V" (insert, delete, replace anywhere) → 200 only while still exactly V', async () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 3 }),
      insert: fc.string({ unit: 'binary', maxLength: 3 }).map(noFraming),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        let value = `Bearer ${v}`;
        for (const e of edits) {
          const at = e.at % (value.length + 1);
          value = value.slice(0, at) + e.insert + value.slice(at + e.remove);
        }
        await send(value);
      }),
      { numRuns: 200 },
    );
    watch.assertClean();
  });
});
