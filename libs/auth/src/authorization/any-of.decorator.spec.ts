import { GUARDS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { JwtAuthGuard } from '../validation/jwt-auth.guard';
import { AnyOf } from './any-of.decorator';
import { ClaimsGuard } from './claims.guard';
import { Roles } from './roles.decorator';

// Read the way the guard reads it: through Reflector and the decorator itself.
const reflector = new Reflector();

describe('@AnyOf: metadata', () => {
  @AnyOf({ roles: ['Payments.Approver'], groups: ['g-admins'] })
  @Roles('Reader')
  class Controller {
    @AnyOf({ scopes: ['Data.Read', 'Data.Read'], roles: ['Data.Reader'] })
    @AnyOf({ groups: ['g1'] })
    handler() {}

    plain() {}
  }

  it('stores one requirement per decoration, each kind not given as an empty list', () => {
    expect(reflector.get(AnyOf, Controller)).toEqual([
      { list: 'anyOf', scopes: [], roles: ['Payments.Approver'], groups: ['g-admins'] },
    ]);
    // Decorators apply bottom-up; both stay, deduplicated (a second never replaces the first).
    expect(reflector.get(AnyOf, Controller.prototype.handler)).toEqual([
      { list: 'anyOf', scopes: [], roles: [], groups: ['g1'] },
      { list: 'anyOf', scopes: ['Data.Read'], roles: ['Data.Reader'], groups: [] },
    ]);
    expect(reflector.get(AnyOf, Controller.prototype.plain)).toBeUndefined();
    // Other decorators keep their own metadata.
    expect(reflector.get(Roles, Controller)).toEqual([
      { list: 'roles', mode: 'any', values: ['Reader'] },
    ]);
  });

  it('keeps the metadata frozen, and has its own KEY', () => {
    const list = reflector.get(AnyOf, Controller);
    const [requirement] = list;
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(requirement)).toBe(true);
    for (const names of [requirement.scopes, requirement.roles, requirement.groups]) {
      expect(Object.isFrozen(names)).toBe(true);
    }
    expect(Object.isFrozen(AnyOf)).toBe(true);
    expect(AnyOf.KEY).not.toBe(Roles.KEY);
    expect(AnyOf.KEY).not.toMatch(/scope|role|group|any/i);
  });

  it('applies UseGuards(JwtAuthGuard, ClaimsGuard) at each level, so it is never ignored', () => {
    expect(Reflect.getMetadata(GUARDS_METADATA, Controller)).toEqual([
      JwtAuthGuard,
      ClaimsGuard,
      JwtAuthGuard,
      ClaimsGuard,
    ]);
    expect(Reflect.getMetadata(GUARDS_METADATA, Controller.prototype.handler)).toContain(
      ClaimsGuard,
    );
  });

  it('a subclass keeps its base class requirement and adds its own', () => {
    @AnyOf({ roles: ['Base'] })
    class Base {}
    @AnyOf({ groups: ['sub'] })
    class Sub extends Base {}
    expect(reflector.get(AnyOf, Sub)).toEqual([
      { list: 'anyOf', scopes: [], roles: ['Base'], groups: [] },
      { list: 'anyOf', scopes: [], roles: [], groups: ['sub'] },
    ]);
  });
});

describe('@AnyOf: misuse throws a TypeError at decoration time', () => {
  const usage =
    /e\.g\. @AnyOf\(\{ roles: \['Payments\.Approver'\], groups: \['<group object id>'\] \}\)$/;
  it.each<[string, unknown, RegExp]>([
    ['nothing', undefined, /^@AnyOf\(\) takes \{ scopes\?, roles\?, groups\? \}, e\.g\./],
    ['null', null, /^@AnyOf\(\) takes \{ scopes\?, roles\?, groups\? \}/],
    ['an array', ['Payments.Approver'], /takes \{ scopes\?, roles\?, groups\? \}/],
    ['a string', 'Payments.Approver', /takes \{ scopes\?, roles\?, groups\? \}/],
    ['no list at all', {}, /^@AnyOf\(\) needs at least one of scopes, roles or groups, e\.g\./],
    ['only undefined lists', { roles: undefined }, /needs at least one of scopes, roles or groups/],
    [
      'an unknown key',
      { roles: ['R'], appPermissions: ['A'] },
      /^@AnyOf\(\): unknown option "appPermissions"; it takes scopes, roles and groups, e\.g\./,
    ],
    ['the usage in every message', { roles: [] }, usage],
    [
      'an empty list',
      { roles: ['R'], groups: [] },
      /^@AnyOf\(\): groups must be a non-empty array/,
    ],
    ['null for a list', { roles: null }, /roles must be a non-empty array of names/],
    ['a string for a list', { groups: 'g1' }, /groups must be a non-empty array of names/],
    [
      'a scope with a space',
      { scopes: ['Data.Read Data.Write'] },
      /^@AnyOf\(\): scopes\[0\] "Data\.Read Data\.Write" contains whitespace/,
    ],
    ['a quote in a scope', { scopes: ['Data"Read'] }, /scopes\[0\] .* is not a scope token/],
    [
      'a bad role',
      { roles: ['ok', 7] },
      /^@AnyOf\(\): roles\[1\] must be a role name \(a string\), got number$/,
    ],
    ['an empty group', { groups: [''] }, /groups\[0\] is an empty string; give a group name/],
    ['a group with a trailing space', { groups: ['g1 '] }, /has leading or trailing whitespace/],
    ['a nested array', { roles: [['R']] }, /roles\[0\] must be a role name .*got an array$/],
    ['a control character', { roles: ['A\u0007'] }, /roles\[0\] .* contains control characters/],
  ])('%s', (_name, options, message) => {
    const call = () => AnyOf(options as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  it('accepts role and group names with inner spaces, like @Roles and @Groups', () => {
    expect(() => AnyOf({ roles: ['Payments Approver'], groups: ['/Finance Team'] })).not.toThrow();
  });

  it.each([
    ['a property', (d: (...a: unknown[]) => void) => d(class {}.prototype, 'name')],
    ['an accessor', (d: (...a: unknown[]) => void) => d({}, 'x', { get: () => 1 })],
    ['a method parameter', (d: (...a: unknown[]) => void) => d({}, 'm', 0)],
  ])('refuses to decorate %s (it would never be read)', (_name, apply) => {
    expect(() => apply(AnyOf({ roles: ['R'] }) as never)).toThrow(
      /^@AnyOf can decorate a controller class or a route handler only$/,
    );
  });
});
