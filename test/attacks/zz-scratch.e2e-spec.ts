import { startAttackApp, AttackFixture } from '../support/attack-app';
import { rawGet } from '../support/attack-raw';

describe('scratch', () => {
  let f: AttackFixture;
  beforeAll(async () => { f = await startAttackApp(); });
  afterAll(() => f.close());
  it('probes', async () => {
    const v = f.v();
    const show = async (name: string, lines: (string|Buffer)[], path = '/probe') => {
      const r = await rawGet(f.url, path, lines);
      console.log(name, r.status, r.headers['www-authenticate'], r.body.slice(0, 120));
    };
    await show('valid', [`Authorization: Bearer ${v}`]); await show('valid2', [`Authorization: Bearer ${v}`]);
    await show('empty', ['Authorization:']);
    await show('bearer-only', ['Authorization: Bearer']);
    await show('bearer-space', ['Authorization: Bearer ']);
    await show('tab', [`Authorization: Bearer\t${v}`]);
    await show('2sp', [`Authorization: Bearer  ${v}`]);
    await show('obsfold', [`Authorization: Bearer`, ` ${v}`]);
    await show('obsfold2', [`Authorization: Bearer ${v.slice(0, 50)}`, ` ${v.slice(50)}`]);
    await show('bareLF', [Buffer.from(`Authorization: Bearer ${v}\nX-A: 1`)]);
    await show('lower-header', [`authorization: Bearer ${v}`]);
    await show('two lines', [`Authorization: Bearer ${v}`, `authorization: Bearer ${v}`]);
    await show('empty second', [`Authorization: Bearer ${v}`, `Authorization:`]);
    await show('latin1', [Buffer.concat([Buffer.from('Authorization: Bearer '), Buffer.from([0xe9, 0xff]), Buffer.from(v)])]);
    await show('nul', [Buffer.concat([Buffer.from('Authorization: Bearer '), Buffer.from([0]), Buffer.from(v)])]);
    await show('ctl', [Buffer.concat([Buffer.from('Authorization: Bearer '), Buffer.from([1]), Buffer.from(v)])]);
    await show('cr', [Buffer.concat([Buffer.from('Authorization: Bearer '), Buffer.from([13]), Buffer.from(v)])]);
    await show('query 100k', [], `/probe?access_token=${'a'.repeat(100_000)}`);
    await show('query 10k', [], `/probe?access_token=${'a'.repeat(10_000)}`);
    await show('hdr 17k', [`Authorization: Bearer ${'a'.repeat(17_000)}`]);
    await show('space before colon', [`Authorization : Bearer ${v}`]);
    await show('trailing ws', [`Authorization: Bearer ${v} \t`]);
    const res = await f.http().post('/probe').type('form').send(`access_token=${'a'.repeat(100_000)}`);
    console.log('body100k', res.status, res.headers['www-authenticate']);
    const res2 = await f.http().post('/probe').send({ access_token: 'a'.repeat(100_000) });
    console.log('json100k', res2.status, res2.headers['www-authenticate']);
  });
});
