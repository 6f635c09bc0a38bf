import { ClaimsMapper } from './claims-mapper';

describe('ClaimsMapper', () => {
  const mapper = new ClaimsMapper();
  const base = { sub: 's', iss: 'https://i/', iat: 1, exp: 2 };

  it('splits scp on spaces and merges the scope claim (string or array)', () => {
    const user = mapper.map({ ...base, scp: 'User.Read  Data.Read ', scope: ['Data.Read', 'x'] });
    expect(typeof user !== 'string' && user.scopes).toEqual(['User.Read', 'Data.Read', 'x']);
  });

  it('only takes roles and groups that are arrays of strings (CLM-14)', () => {
    for (const roles of ['Admin', [['Admin']], { 0: 'Admin' }, ['Admin', 1]]) {
      const user = mapper.map({ ...base, roles, groups: roles });
      expect(typeof user !== 'string' && [user.roles, user.groups]).toEqual([[], []]);
    }
  });

  it('flags a groups overage and drops the partial groups', () => {
    for (const claims of [{ hasgroups: true }, { _claim_names: { groups: 'src1' } }]) {
      const user = mapper.map({ ...base, groups: ['g'], ...claims });
      expect(typeof user !== 'string' && [user.hasGroupsOverage, user.groups]).toEqual([true, []]);
    }
  });

  it('tells app tokens from user tokens', () => {
    const app = mapper.map({ ...base, roles: ['R'] });
    const idtyp = mapper.map({ ...base, roles: ['R'], scp: 'x', idtyp: 'app' });
    const user = mapper.map({ ...base, scp: 'x', roles: ['R'] });
    expect([app, idtyp, user].map((u) => typeof u !== 'string' && u.kind)).toEqual([
      'app',
      'app',
      'user',
    ]);
  });

  it('refuses a token without a subject', () => {
    expect(mapper.map({ ...base, sub: '' })).toMatch(/subject/);
    expect(mapper.map({ ...base, sub: 5 })).toMatch(/subject/);
  });

  it('keeps the claims frozen, without a prototype', () => {
    const user = mapper.map(
      JSON.parse('{"sub":"s","iss":"i","iat":1,"exp":2,"__proto__":{"x":1}}'),
    );
    if (typeof user === 'string') throw new Error(user);
    expect(Object.isFrozen(user.claims)).toBe(true);
    expect(Object.getPrototypeOf(user.claims)).toBeNull();
    expect((user.claims as { x?: number }).x).toBeUndefined();
  });
});
