// Internal: the metadata behind the authorization decorators (STYLE 2). Never exported from the
// package; the public decorators expose the same `KEY`, so `reflector.get(Scopes, target)` works.
import type { Type } from '@nestjs/common';
import { Reflector, type ReflectableDecorator } from '@nestjs/core';
import type {
  AnyOfRequirement,
  ClaimRequirement,
  Requirement,
  ScopesOrAppPermissionsRequirement,
} from './requirement';

/** `@Scopes` requirements of one target (a class or a handler). */
export const SCOPES_METADATA = Reflector.createDecorator<readonly ClaimRequirement[]>();
/** `@Roles` requirements of one target. */
export const ROLES_METADATA = Reflector.createDecorator<readonly ClaimRequirement[]>();
/** `@Groups` requirements of one target. */
export const GROUPS_METADATA = Reflector.createDecorator<readonly ClaimRequirement[]>();
/** `@ScopesOrAppPermissions` requirements of one target. */
export const SCOPES_OR_APP_PERMISSIONS_METADATA =
  Reflector.createDecorator<readonly ScopesOrAppPermissionsRequirement[]>();
/** `@AnyOf` requirements of one target. */
export const ANY_OF_METADATA = Reflector.createDecorator<readonly AnyOfRequirement[]>();

/** Every requirement decorator, in the order the guard checks a level. */
export const REQUIREMENT_METADATA: readonly ReflectableDecorator<never>[] = [
  SCOPES_METADATA,
  ROLES_METADATA,
  GROUPS_METADATA,
  SCOPES_OR_APP_PERMISSIONS_METADATA,
  ANY_OF_METADATA,
];

/**
 * Every requirement of a route: the class's first (inherited ones included), then the handler's;
 * each decoration is one entry. What `ClaimsGuard` enforces and what the OpenAPI document shows
 * are both read here, so they cannot drift apart.
 */
export function readRouteRequirements(
  reflector: Reflector,
  controller: object,
  handler: object,
): Requirement[] {
  const requirements: Requirement[] = [];
  for (const level of [controller, handler]) {
    for (const metadata of REQUIREMENT_METADATA) {
      const found: unknown = reflector.get(metadata, level as Type);
      if (Array.isArray(found)) requirements.push(...(found as Requirement[]));
    }
  }
  return requirements;
}

/** What TypeScript hands a class or method decorator. */
export type DecoratorTarget = (
  target: object,
  propertyKey?: string | symbol,
  descriptor?: PropertyDescriptor,
) => void;

/**
 * A decorator that adds `requirement` to the target's list instead of replacing it, so two
 * decorators of one kind on one target are two requirements that both must pass (DESIGN A5) —
 * `Reflector.createDecorator` alone would keep only the last. A class starts from the list it
 * inherits, so a subclass can add to its base's requirements but never drop them.
 *
 * @throws TypeError when applied to anything but a class or a method (a property, an accessor,
 *   a parameter), where Nest would never read it and the route would be unprotected.
 */
export function appendRequirement<T extends Requirement>(
  metadata: ReflectableDecorator<readonly T[]>,
  requirement: T,
  decorator: string,
): DecoratorTarget {
  return (target, propertyKey, descriptor) => {
    const isClass = propertyKey === undefined && descriptor === undefined;
    const isMethod = typeof descriptor === 'object' && typeof descriptor.value === 'function';
    if (!(isClass && typeof target === 'function') && !isMethod) {
      throw new TypeError(`${decorator} can decorate a controller class or a route handler only`);
    }
    const holder: object = isMethod ? descriptor.value : target;
    const existing: readonly T[] = Reflect.getMetadata(metadata.KEY, holder) ?? [];
    const apply = metadata(Object.freeze([...existing, requirement])) as DecoratorTarget;
    apply(target, propertyKey, descriptor);
  };
}
