import { GUARDS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { JwtAuthGuard } from '../validation/jwt-auth.guard';
import { AnyOf } from './any-of.decorator';
import { ClaimsGuard } from './claims.guard';
import { Groups } from './groups.decorator';
import { Roles } from './roles.decorator';
import { ScopesOrAppPermissions } from './scope-or-app-permission.decorator';
import { Scopes } from './scopes.decorator';

// The decorators are read the way the guard reads them: through Reflector and the decorator itself.
const reflector = new Reflector();

describe('@Scopes, @Roles, @Groups: misuse throws a TypeError at decoration time', () => {
  const bad = (call: () => unknown) => expect(call).toThrow(TypeError);

  it.each<[string, () => unknown, RegExp]>([
    [
      'no names',
      () => Scopes(),
      /^@Scopes\(\) needs at least one scope name, e\.g\. @Scopes\('Payments\.Read'\)$/,
    ],
    ['no names (all)', () => Scopes.all(), /^@Scopes\.all\(\) needs at least one scope name/],
    ['no roles', () => Roles(), /^@Roles\(\) needs at least one role name/],
    ['no groups', () => Groups(), /^@Groups\(\) needs at least one group name/],
    ['an empty string', () => Scopes('A', ''), /^@Scopes\(\): argument 2 is an empty string/],
    ['an empty role', () => Roles(''), /^@Roles\(\): argument 1 is an empty string/],
    [
      'a number',
      () => Scopes(1 as never),
      /argument 1 must be a scope name \(a string\), got number$/,
    ],
    ['null', () => Roles(null as never), /argument 1 must be a role name \(a string\), got null$/],
    ['an object', () => Groups({} as never), /got an object$/],
    ['undefined', () => Scopes('A', undefined as never), /argument 2 must be .*got undefined$/],
    [
      'an array',
      () => Scopes(['A', 'B'] as never),
      /argument 1 is an array; pass scope names as separate arguments, .* or spread the array: @Scopes\(\.\.\.names\)$/,
    ],
    ['a space in a scope', () => Scopes('A B'), /"A B" contains whitespace; a scope is one token/],
    ['a tab in a scope', () => Scopes.all('A\tB'), /contains whitespace/],
    ['a trailing space in a scope', () => Scopes('Data.Read '), /contains whitespace/],
    ['a quote in a scope', () => Scopes('Data"Read'), /is not a scope token/],
    ['a backslash in a scope', () => Scopes('Data\\Read'), /is not a scope token/],
    ['non-ASCII in a scope', () => Scopes('Dätä.Read'), /is not a scope token/],
    ['a leading space in a role', () => Roles(' Admin'), /has leading or trailing whitespace/],
    ['a trailing space in a role', () => Roles('Admin '), /has leading or trailing whitespace/],
    ['a trailing newline in a group', () => Groups('g1\n'), /has leading or trailing whitespace/],
    ['a control character in a role', () => Roles('Ad\u0000min'), /contains control characters/],
  ])('%s', (_name, call, message) => {
    bad(call);
    expect(call).toThrow(message);
  });

  it('accepts role and group names with inner spaces (Keycloak, display names)', () => {
    expect(() => Roles('Payments Approver')).not.toThrow();
    expect(() => Groups('/Finance Team')).not.toThrow();
  });

  it.each([
    ['a property', (d: (...a: unknown[]) => void) => d(class {}.prototype, 'name')],
    ['an accessor', (d: (...a: unknown[]) => void) => d({}, 'x', { get: () => 1 })],
    ['a method parameter', (d: (...a: unknown[]) => void) => d({}, 'm', 0)],
    ['a constructor parameter', (d: (...a: unknown[]) => void) => d(class {}, undefined, 0)],
  ])('refuses to decorate %s (it would never be read)', (_name, apply) => {
    for (const decorator of [Scopes('A'), Roles.all('A'), Groups('g')]) {
      expect(() => apply(decorator as never)).toThrow(
        /can decorate a controller class or a route handler only$/,
      );
    }
  });
});

describe('@Scopes, @Roles, @Groups: metadata', () => {
  @Scopes('Payments.Read', 'Payments.Write')
  @Roles.all('Reader', 'Auditor')
  class Controller {
    @Scopes('Payments.Write')
    @Scopes.all('A', 'B', 'A')
    @Groups('g1')
    handler() {}

    plain() {}
  }

  it('reflector.get(Decorator, target) returns one requirement per decoration', () => {
    expect(reflector.get(Scopes, Controller)).toEqual([
      { list: 'scopes', mode: 'any', values: ['Payments.Read', 'Payments.Write'] },
    ]);
    expect(reflector.get(Roles, Controller)).toEqual([
      { list: 'roles', mode: 'all', values: ['Reader', 'Auditor'] },
    ]);
    // Decorators apply bottom-up; both stay (a second one never replaces the first).
    expect(reflector.get(Scopes, Controller.prototype.handler)).toEqual([
      { list: 'scopes', mode: 'all', values: ['A', 'B'] },
      { list: 'scopes', mode: 'any', values: ['Payments.Write'] },
    ]);
    expect(reflector.get(Groups, Controller.prototype.handler)).toEqual([
      { list: 'groups', mode: 'any', values: ['g1'] },
    ]);
    expect(reflector.get(Roles, Controller.prototype.handler)).toBeUndefined();
    expect(reflector.get(Scopes, Controller.prototype.plain)).toBeUndefined();
  });

  it('keeps the metadata frozen', () => {
    const [requirement] = reflector.get(Scopes, Controller) as object[];
    expect(Object.isFrozen(reflector.get(Scopes, Controller))).toBe(true);
    expect(Object.isFrozen(requirement)).toBe(true);
    expect(Object.isFrozen((requirement as { values: string[] }).values)).toBe(true);
    expect(Object.isFrozen(Scopes)).toBe(true);
  });

  it('has one distinct KEY per decorator, none of them a guessable string', () => {
    const keys = [Scopes.KEY, Roles.KEY, Groups.KEY, ScopesOrAppPermissions.KEY, AnyOf.KEY];
    expect(new Set(keys).size).toBe(5);
    for (const key of keys) expect(key).not.toMatch(/scope|role|group/i);
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
    expect(Reflect.getMetadata(GUARDS_METADATA, Controller.prototype.plain)).toBeUndefined();
  });

  it('a subclass keeps its base class requirements and adds its own', () => {
    @Roles('Base')
    class Base {}
    @Roles('Sub')
    class Sub extends Base {}
    class Bare extends Base {}
    expect(reflector.get(Roles, Base)).toEqual([{ list: 'roles', mode: 'any', values: ['Base'] }]);
    expect(reflector.get(Roles, Sub)).toEqual([
      { list: 'roles', mode: 'any', values: ['Base'] },
      { list: 'roles', mode: 'any', values: ['Sub'] },
    ]);
    expect(reflector.get(Roles, Bare)).toEqual([{ list: 'roles', mode: 'any', values: ['Base'] }]);
  });
});
