// Internal: builds @Scopes, @Roles and @Groups so the three behave the same way.
import { UseGuards } from '@nestjs/common';
import type { ReflectableDecorator } from '@nestjs/core';
import { JwtAuthGuard } from '../validation/jwt-auth.guard';
import { ClaimsGuard } from './claims.guard';
import type { ClaimList, ClaimRequirement, MatchMode } from './requirement';
import { appendRequirement, type DecoratorTarget } from './requirement-metadata';
import { checkNames, type NameKind } from './requirement-names';

/** A decorator for a controller class or a route handler. */
export type AuthorizationDecorator = ClassDecorator & MethodDecorator;

/**
 * The shape of `@Scopes`, `@Roles` and `@Groups`: call it for any-of, `.all(…)` for all-of.
 * `KEY` is the metadata key, so `reflector.get(Scopes, target)` returns the target's
 * requirements (a `readonly ClaimRequirement[]`, one entry per decoration).
 */
export interface ClaimDecorator {
  /** Passes when the token has any one of `names`. */
  (...names: string[]): AuthorizationDecorator;
  /** Passes only when the token has every one of `names`. */
  all(...names: string[]): AuthorizationDecorator;
  /** The metadata key, for `Reflector`. */
  readonly KEY: string;
}

/**
 * Also applies `UseGuards(JwtAuthGuard, ClaimsGuard)`: a requirement is enforced even where the
 * module's global guards are turned off, instead of being silently ignored (fail closed). Both
 * guards are cheap to run twice on one request.
 */
export function guarded(requirement: DecoratorTarget): AuthorizationDecorator {
  const guards = UseGuards(JwtAuthGuard, ClaimsGuard) as DecoratorTarget;
  const decorator: DecoratorTarget = (target, propertyKey, descriptor) => {
    requirement(target, propertyKey, descriptor);
    guards(target, propertyKey, descriptor);
  };
  return decorator as AuthorizationDecorator;
}

/** Builds one claim decorator over its (internal) metadata. */
export function claimDecorator(
  name: string,
  list: ClaimList,
  kind: NameKind,
  metadata: ReflectableDecorator<readonly ClaimRequirement[]>,
): ClaimDecorator {
  const make = (mode: MatchMode, decorator: string, names: unknown[]): AuthorizationDecorator => {
    const values = checkNames(decorator, kind, names);
    const requirement: ClaimRequirement = Object.freeze({ list, mode, values });
    return guarded(appendRequirement(metadata, requirement, decorator));
  };
  const any = (...names: string[]) => make('any', `@${name}`, names);
  const all = (...names: string[]) => make('all', `@${name}.all`, names);
  return Object.freeze(Object.assign(any, { all, KEY: metadata.KEY }));
}
