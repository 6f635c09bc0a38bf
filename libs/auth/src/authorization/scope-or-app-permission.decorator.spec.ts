import { GUARDS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ClaimsGuard } from './claims.guard';
import { ScopesOrAppPermissions } from './scope-or-app-permission.decorator';

describe('@ScopesOrAppPermissions', () => {
  it('stores one requirement per decoration, read through the decorator', () => {
    class Controller {
      @ScopesOrAppPermissions({
        scopes: ['Data.Read', 'Data.Read'],
        appPermissions: ['Data.Read.All'],
      })
      handler() {}
    }
    expect(new Reflector().get(ScopesOrAppPermissions, Controller.prototype.handler)).toEqual([
      { list: 'scopesOrAppPermissions', scopes: ['Data.Read'], appPermissions: ['Data.Read.All'] },
    ]);
    expect(Reflect.getMetadata(GUARDS_METADATA, Controller.prototype.handler)).toContain(
      ClaimsGuard,
    );
  });

  const usage =
    /e\.g\. @ScopesOrAppPermissions\(\{ scopes: \['Data\.Read'\], appPermissions: \['Data\.Read\.All'\] \}\)$/;
  it.each<[string, unknown, RegExp]>([
    ['nothing', undefined, /^@ScopesOrAppPermissions\(\) takes \{ scopes, appPermissions \}/],
    ['null', null, /takes \{ scopes, appPermissions \}/],
    ['an array', ['Data.Read'], /takes \{ scopes, appPermissions \}/],
    ['a string', 'Data.Read', /takes \{ scopes, appPermissions \}/],
    [
      'an unknown key',
      { scopes: ['a'], roles: ['b'] },
      /unknown option "roles"; it takes scopes and appPermissions/,
    ],
    ['no scopes', { appPermissions: ['b'] }, /scopes must be a non-empty array of names/],
    ['empty scopes', { scopes: [], appPermissions: ['b'] }, usage],
    ['no appPermissions', { scopes: ['a'] }, /appPermissions must be a non-empty array of names/],
    [
      'a string for a list',
      { scopes: 'a', appPermissions: ['b'] },
      /scopes must be a non-empty array/,
    ],
    [
      'a scope with a space',
      { scopes: ['a b'], appPermissions: ['b'] },
      /scopes\[0\] "a b" contains whitespace/,
    ],
    [
      'a bad app permission',
      { scopes: ['a'], appPermissions: ['ok', 7] },
      /appPermissions\[1\] must be a role name \(a string\), got number/,
    ],
    [
      'a nested array',
      { scopes: [['a']], appPermissions: ['b'] },
      /scopes\[0\] must be a scope name \(a string\), got an array/,
    ],
  ])('throws a TypeError for %s', (_name, options, message) => {
    const call = () => ScopesOrAppPermissions(options as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });
});
