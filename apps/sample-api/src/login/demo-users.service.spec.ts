import { readSettings } from '../settings/sample-settings';
import { DEMO_USERS, DemoUsersService } from './demo-users.service';

describe('DemoUsersService', () => {
  const users = new DemoUsersService(
    readSettings((name) => ({ DEMO_PASSWORD: 'open sesame!' })[name]),
  );
  beforeAll(() => users.onModuleInit());

  it('lists alice, bob and carol', () => {
    expect(users.list().map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
    expect(DEMO_USERS.find((u) => u.username === 'carol')?.groups).toHaveLength(1);
  });

  it('accepts the demo password for each user', async () => {
    for (const { username } of DEMO_USERS) {
      expect((await users.verify(username, 'open sesame!'))?.username).toBe(username);
    }
  });

  it('refuses a wrong password, an unknown user, and names that differ in case', async () => {
    expect(await users.verify('alice', 'open sesame')).toBeUndefined();
    expect(await users.verify('mallory', 'open sesame!')).toBeUndefined();
    expect(await users.verify('Alice', 'open sesame!')).toBeUndefined();
    expect(await users.verify('__proto__', 'open sesame!')).toBeUndefined();
  });

  it('keeps no password, only salted scrypt hashes (a salt per user)', async () => {
    const records = await (
      users as unknown as { records: Promise<Map<string, { salt: Buffer; hash: Buffer }>> }
    ).records;
    const salts = [...records.values()].map((r) => r.salt.toString('hex'));
    expect(new Set(salts).size).toBe(3);
    expect(JSON.stringify([...records.values()])).not.toContain('open sesame');
  });
});
