import type { AuthUser } from '../auth-user';
import {
  type AnyOfRequirement,
  type ClaimRequirement,
  describeAnyOf,
  describeFailure,
  isSatisfied,
  matches,
  readsGroups,
  requiredNames,
  type ScopesOrAppPermissionsRequirement,
  stringList,
} from './requirement';

const any = (...values: string[]): ClaimRequirement => ({ list: 'scopes', mode: 'any', values });
const all = (...values: string[]): ClaimRequirement => ({ list: 'scopes', mode: 'all', values });
const anyOf = (lists: Partial<Omit<AnyOfRequirement, 'list'>>): AnyOfRequirement => ({
  list: 'anyOf',
  scopes: [],
  roles: [],
  groups: [],
  ...lists,
});

function user(fields: Partial<Record<keyof AuthUser, unknown>>): AuthUser {
  return {
    subject: 's',
    issuer: 'https://i.test/',
    scopes: [],
    roles: [],
    groups: [],
    hasGroupsOverage: false,
    kind: 'user',
    issuedAt: 0,
    expiresAt: 0,
    claims: {},
    ...fields,
  } as AuthUser;
}

describe('stringList', () => {
  it.each<[unknown, string[]]>([
    [
      ['a', 'b'],
      ['a', 'b'],
    ],
    ['a', []],
    ['NotAdmin', []],
    [{ 0: 'Admin', length: 1 }, []],
    [[['Admin']], []],
    [
      ['a', 1, null, { x: 1 }, 'b'],
      ['a', 'b'],
    ],
    [undefined, []],
    [null, []],
  ])('%j → %j', (value, expected) => {
    expect(stringList(value)).toEqual(expected);
  });
});

describe('matches (ATTACKS CLM-14: whole, case-sensitive names)', () => {
  it.each<[unknown, boolean]>([
    [['Data.Read'], true],
    [['User.Read', 'Data.Read'], true],
    [['Data.ReadWrite'], false],
    [['Data.Read.All'], false],
    [['data.read'], false],
    [['XData.Read'], false],
    [['Data.Read '], false],
    [[' Data.Read'], false],
    [['User.Read Data.Read'], false], // an unsplit list is not a scope
    [[], false],
    ['Data.Read', false], // a string, not a list
    ['XData.Read', false],
    [[['Data.Read']], false],
    [{ 0: 'Data.Read' }, false],
  ])('any(Data.Read) with %j → %s', (have, expected) => {
    expect(matches(any('Data.Read'), have)).toBe(expected);
  });

  it('any passes with one name, all needs every name', () => {
    expect(matches(any('A', 'B'), ['B'])).toBe(true);
    expect(matches(all('A', 'B'), ['B'])).toBe(false);
    expect(matches(all('A', 'B'), ['B', 'X', 'A'])).toBe(true);
  });
});

describe('isSatisfied', () => {
  it('reads each list from its own field', () => {
    const u = user({ scopes: ['S'], roles: ['R'], groups: ['G'] });
    expect(isSatisfied({ list: 'scopes', mode: 'any', values: ['S'] }, u)).toBe(true);
    expect(isSatisfied({ list: 'scopes', mode: 'any', values: ['R'] }, u)).toBe(false);
    expect(isSatisfied({ list: 'roles', mode: 'any', values: ['R'] }, u)).toBe(true);
    expect(isSatisfied({ list: 'roles', mode: 'any', values: ['S'] }, u)).toBe(false);
    expect(isSatisfied({ list: 'groups', mode: 'any', values: ['G'] }, u)).toBe(true);
    expect(isSatisfied({ list: 'groups', mode: 'any', values: ['X'] }, u, ['X'])).toBe(true);
  });

  it('treats non-array fields as empty', () => {
    const u = user({ scopes: 'S', roles: 'R', groups: { 0: 'G' } });
    expect(isSatisfied({ list: 'scopes', mode: 'any', values: ['S'] }, u)).toBe(false);
    expect(isSatisfied({ list: 'roles', mode: 'any', values: ['R'] }, u)).toBe(false);
    expect(isSatisfied({ list: 'groups', mode: 'any', values: ['G'] }, u)).toBe(false);
  });

  const a4: ScopesOrAppPermissionsRequirement = {
    list: 'scopesOrAppPermissions',
    scopes: ['Data.Read'],
    appPermissions: ['Data.Read.All'],
  };
  it.each<[string, Partial<Record<keyof AuthUser, unknown>>, boolean]>([
    ['user token with the scope', { kind: 'user', scopes: ['Data.Read'] }, true],
    ['app token with the app role', { kind: 'app', roles: ['Data.Read.All'] }, true],
    ['user token with the app role only', { kind: 'user', roles: ['Data.Read.All'] }, false],
    ['app token with the scope only', { kind: 'app', scopes: ['Data.Read'] }, false],
    ['unknown kind', { kind: 'other', scopes: ['Data.Read'], roles: ['Data.Read.All'] }, false],
    ['neither', { kind: 'user' }, false],
  ])('scopes-or-app-permissions: %s → %s', (_name, fields, expected) => {
    expect(isSatisfied(a4, user(fields))).toBe(expected);
  });

  const approver = anyOf({ scopes: ['Data.Read'], roles: ['Approver'], groups: ['admins'] });
  it.each<[string, Partial<Record<keyof AuthUser, unknown>>, boolean]>([
    ['user token with the scope', { kind: 'user', scopes: ['Data.Read'] }, true],
    ['user token with the role', { kind: 'user', roles: ['Approver'] }, true],
    ['app token with the role', { kind: 'app', roles: ['Approver'] }, true],
    ['user token in the group', { kind: 'user', groups: ['admins'] }, true],
    ['app token in the group', { kind: 'app', groups: ['admins'] }, true],
    ['app token with the scope only (delegated)', { kind: 'app', scopes: ['Data.Read'] }, false],
    ['the role as a scope', { kind: 'user', scopes: ['Approver'] }, false],
    ['the group as a role', { kind: 'user', roles: ['admins'] }, false],
    ['the scope as a group', { kind: 'user', groups: ['Data.Read'] }, false],
    ['a string for a list', { kind: 'user', roles: 'Approver', groups: 'admins' }, false],
    ['case differs', { kind: 'user', roles: ['approver'], groups: ['Admins'] }, false],
    ['neither', { kind: 'user' }, false],
  ])('any-of: %s → %s', (_name, fields, expected) => {
    expect(isSatisfied(approver, user(fields))).toBe(expected);
  });

  it('any-of checks the groups it is given (the resolved ones on an overage)', () => {
    const overage = user({ groups: [], hasGroupsOverage: true });
    expect(isSatisfied(approver, overage)).toBe(false);
    expect(isSatisfied(approver, overage, ['admins'])).toBe(true);
  });

  it('readsGroups: @Groups, and @AnyOf only when it has groups', () => {
    expect(readsGroups({ list: 'groups', mode: 'any', values: ['g'] })).toBe(true);
    expect(readsGroups(approver)).toBe(true);
    expect(readsGroups(anyOf({ roles: ['R'], scopes: ['S'] }))).toBe(false);
    expect(readsGroups(any('S'))).toBe(false);
    expect(
      readsGroups({ list: 'scopesOrAppPermissions', scopes: ['S'], appPermissions: ['A'] }),
    ).toBe(false);
  });

  it('denies metadata it does not understand', () => {
    expect(isSatisfied({ list: 'claims' } as never, user({}))).toBe(false);
  });
});

describe('requiredNames and describeFailure', () => {
  it('lists every name that would pass', () => {
    expect(requiredNames(any('A', 'B'))).toEqual(['A', 'B']);
    expect(
      requiredNames({
        list: 'scopesOrAppPermissions',
        scopes: ['A', 'B'],
        appPermissions: ['B', 'C'],
      }),
    ).toEqual(['A', 'B', 'C']);
  });

  it.each<[ClaimRequirement, unknown, string]>([
    [any('A'), [], 'Insufficient permissions: requires scope A'],
    [any('A', 'B'), [], 'Insufficient permissions: requires one of the scopes A, B'],
    [all('A'), [], 'Insufficient permissions: requires scope A'],
    [
      all('A', 'B', 'C'),
      ['B'],
      'Insufficient permissions: requires all of the scopes A, B, C; missing A, C',
    ],
    [
      { list: 'roles', mode: 'any', values: ['Admin'] },
      [],
      'Insufficient permissions: requires role Admin',
    ],
    [
      { list: 'groups', mode: 'all', values: ['g1', 'g2'] },
      'g1',
      'Insufficient permissions: requires all of the groups g1, g2; missing g1, g2',
    ],
  ])('%j with %j', (requirement, have, message) => {
    expect(describeFailure(requirement, have)).toBe(message);
  });

  it('lists every name of an any-of: scopes, then roles, then groups, once each', () => {
    expect(requiredNames(anyOf({ scopes: ['S'], roles: ['R', 'S'], groups: ['g', 'R'] }))).toEqual([
      'S',
      'R',
      'g',
    ]);
  });

  it.each<[AnyOfRequirement, string]>([
    [anyOf({ roles: ['Approver'], groups: ['admins'] }), 'role Approver or group admins'],
    [anyOf({ roles: ['R1', 'R2'] }), 'one of the roles R1, R2'],
    [anyOf({ scopes: ['S'] }), 'scope S in a delegated token'],
    [anyOf({ scopes: ['S'], groups: ['g'] }), 'scope S in a delegated token or group g'],
    [anyOf({ roles: ['R1', 'R2'], groups: ['g'] }), 'one of the roles R1, R2, or group g'],
    [
      anyOf({ scopes: ['S'], roles: ['R'], groups: ['g1', 'g2'] }),
      'scope S in a delegated token, or role R, or one of the groups g1, g2',
    ],
  ])('describes any-of %j', (requirement, phrase) => {
    expect(describeAnyOf(requirement)).toBe(phrase);
    expect(describeFailure(requirement)).toBe(`Insufficient permissions: requires ${phrase}`);
  });

  it('describes scopes-or-app-permissions', () => {
    expect(
      describeFailure({
        list: 'scopesOrAppPermissions',
        scopes: ['A', 'B'],
        appPermissions: ['C'],
      }),
    ).toBe(
      'Insufficient permissions: requires one of the scopes A, B in a delegated token, ' +
        'or application permission C in an application token',
    );
  });
});
