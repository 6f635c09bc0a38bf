// Internal: what one route needs, read from the authorization decorators through the Reflector.
import type { Type } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import type { Reflector } from '@nestjs/core';
import { Public } from '../authorization/public.decorator';
import { describeRequirement, type Requirement, requiredNames } from '../authorization/requirement';
import { readRouteRequirements } from '../authorization/requirement-metadata';
import { JwtAuthGuard } from '../validation/jwt-auth.guard';

/** What a route asks of its caller. */
export interface RouteSecurity {
  /** Whether a valid bearer token is needed (a global `JwtAuthGuard`, or guards on the route). */
  readonly authenticated: boolean;
  /** `@Public()` on the handler or its class. */
  readonly isPublic: boolean;
  /** Every requirement, the class's first, then the handler's (all must pass, DESIGN A5). */
  readonly requirements: readonly Requirement[];
}

/** Reads the route's security exactly as `JwtAuthGuard` and `ClaimsGuard` will decide it. */
export function routeSecurity(
  reflector: Reflector,
  controller: Type,
  handler: (...args: unknown[]) => unknown,
  globalAuthentication: boolean,
): RouteSecurity {
  const isPublic = reflector.getAllAndOverride(Public, [handler, controller]) === true;
  const requirements = readRouteRequirements(reflector, controller, handler);
  const guarded = [controller, handler].some((level) =>
    (reflector.get<unknown[] | undefined>(GUARDS_METADATA, level) ?? []).some(isJwtAuthGuard),
  );
  return {
    isPublic,
    authenticated: !isPublic && (globalAuthentication || guarded || requirements.length > 0),
    requirements: isPublic ? [] : requirements,
  };
}

function isJwtAuthGuard(guard: unknown): boolean {
  if (guard instanceof JwtAuthGuard) return true;
  return (
    typeof guard === 'function' &&
    (guard === JwtAuthGuard || guard.prototype instanceof JwtAuthGuard)
  );
}

/**
 * The requirements as OpenAPI security alternatives (OR of ANDs): `[['A'], ['B']]` means A or B;
 * `[['A', 'B']]` both. `@Scopes('A', 'B')` on the class and `@Roles('R')` on the handler give
 * `[['A', 'R'], ['B', 'R']]`. Undefined when there would be more than `max` alternatives.
 */
export function securityAlternatives(
  requirements: readonly Requirement[],
  max: number,
): string[][] | undefined {
  let alternatives: string[][] = [[]];
  for (const requirement of requirements) {
    const options = optionsOf(requirement);
    const next: string[][] = [];
    for (const existing of alternatives) {
      for (const option of options) next.push([...new Set([...existing, ...option])]);
    }
    alternatives = dedupe(next);
    if (alternatives.length > max) return undefined;
  }
  return alternatives;
}

function optionsOf(requirement: Requirement): string[][] {
  switch (requirement.list) {
    case 'scopesOrAppPermissions':
    case 'anyOf':
      // One name of any kind passes: each is an alternative of its own.
      return requiredNames(requirement).map((name) => [name]);
    case 'scopes':
    case 'roles':
    case 'groups':
      return requirement.mode === 'all'
        ? [[...requirement.values]]
        : requirement.values.map((name) => [name]);
    default:
      return [[]];
  }
}

function dedupe(alternatives: string[][]): string[][] {
  const seen = new Set<string>();
  return alternatives.filter((names) => {
    const key = JSON.stringify([...names].sort());
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A sentence for the operation's description: "Requires scope Payments.Read and role
 * Payments.Approver." or, with `@AnyOf`, "Requires scope Payments.Read and role Payments.Approver
 * or group <id>." — built from the requirements only.
 */
export function describeRequirements(requirements: readonly Requirement[]): string {
  if (requirements.length === 0) return 'Requires a valid bearer token.';
  return `Requires ${requirements.map(describeOne).join(' and ')}.`;
}

function describeOne(requirement: Requirement): string {
  return DESCRIBED.has(requirement.list)
    ? describeRequirement(requirement)
    : 'a permission this document cannot describe';
}

const DESCRIBED = new Set<string>(['scopes', 'roles', 'groups', 'scopesOrAppPermissions', 'anyOf']);
