import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthConfig } from '../auth-config';
import type { AuthUser } from '../auth-user';
import {
  AuthError,
  InsufficientScopeError,
  MissingTokenError,
  setResponseHeaders,
  TemporarilyUnavailableError,
} from '../errors';
import { type AuthRequest, requestOf, responseOf } from '../validation/request-of';
import { GroupsResolver } from './groups-resolver';
import { Public } from './public.decorator';
import {
  describeFailure,
  isSatisfied,
  readsGroups,
  type Requirement,
  requiredNames,
  stringList,
} from './requirement';
import { readRouteRequirements } from './requirement-metadata';
import { ResolvedGroupsCache } from './resolved-groups.cache';
import { RouteMemo } from './route-memo';

/** The route a request was authorized for. */
interface AuthorizedRoute {
  readonly handler: unknown;
  readonly controller: unknown;
}

/** Per request, beside it rather than on it (see `JwtAuthGuard`'s `authentications`). */
const authorizedRoutes = new WeakMap<object, AuthorizedRoute>();

/**
 * Enforces `@Scopes`, `@Roles`, `@Groups`, `@ScopesOrAppPermissions` and `@AnyOf` on the
 * `AuthUser` that `JwtAuthGuard` put on the request (DESIGN A1–A5, E4). Registered globally after
 * `JwtAuthGuard` by `AuthModule` (unless `globalGuards: false`) and applied by each of those
 * decorators.
 *
 * In order:
 * 1. `@Public()` on the handler or its class → pass.
 * 2. No requirement on the handler or its class → pass (authentication is `JwtAuthGuard`'s job).
 * 3. An unknown execution context → deny (403); a request without an `AuthUser` → deny (401).
 * 4. Every requirement of the class and of the handler must pass (AND, DESIGN A5). Token-only
 *    requirements are checked first, so a doomed request never costs a group lookup.
 * 5. `@Groups` (or `@AnyOf` with groups, when none of its scopes and roles passed) with a groups
 *    overage asks `GroupsResolver` through `ResolvedGroupsCache`. A deliberate
 *    `InsufficientScopeError` from the resolver → 403; any other failure → 503
 *    `TemporarilyUnavailableError` with `Retry-After` (never a 500, never a pass).
 *
 * A failure sets the challenge headers on the response and throws the error: 403
 * `WWW-Authenticate: Bearer realm="…", error="insufficient_scope", error_description="…",
 * scope="<what would pass>"`. Cheap to run twice on one request (it marks the request).
 *
 * Subclass it and override the `protected` hooks to change one step; register the subclass with
 * `{ provide: ClaimsGuard, useClass: MyClaimsGuard }`.
 */
@Injectable()
export class ClaimsGuard implements CanActivate {
  private readonly logger = new Logger('ClaimsGuard');
  /** Route metadata never changes once the app is built: read it once per route. */
  private readonly publicRoutes = new RouteMemo(
    (context) =>
      this.reflector.getAllAndOverride(Public, [context.getHandler(), context.getClass()]) === true,
  );
  private readonly routeRequirements = new RouteMemo((context) => this.readRequirements(context));

  constructor(
    protected readonly reflector: Reflector,
    protected readonly config: AuthConfig,
    protected readonly groupsResolver: GroupsResolver,
    protected readonly groupsCache: ResolvedGroupsCache,
  ) {}

  /**
   * @returns true when the route is public, has no requirement, or every requirement passes.
   * @throws InsufficientScopeError (403), MissingTokenError (401) or TemporarilyUnavailableError
   *   (503), with the response headers already set.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const requirements = this.getRequirements(context);
    if (requirements.length === 0) return true;

    const request = this.getRequest(context);
    if (!request) {
      // No request means no user we could check: deny rather than guess (STYLE 12).
      return this.deny(
        context,
        new InsufficientScopeError(
          requiredNames(requirements[0]),
          `Insufficient permissions: cannot authorize a "${context.getType()}" context`,
        ),
      );
    }
    if (this.wasAuthorized(context, request)) return true;
    const user = this.getUser(context, request);
    if (!user) {
      // A requirement without an authenticated user must never pass, even when the
      // authentication guard was left out by mistake.
      return this.deny(context, new MissingTokenError());
    }

    // Token-only requirements first, so a doomed request never costs a group lookup.
    const byGroups: Requirement[] = [];
    for (const requirement of requirements) {
      if (readsGroups(requirement)) byGroups.push(requirement);
      else if (!isSatisfied(requirement, user)) this.fail(context, requirement, user);
    }
    // Synchronous unless groups must be looked at: Nest then awaits nothing.
    if (byGroups.length === 0) return this.authorized(context, request);
    return this.checkGroups(context, request, user, byGroups);
  }

  private async checkGroups(
    context: ExecutionContext,
    request: AuthRequest,
    user: AuthUser,
    byGroups: readonly Requirement[],
  ): Promise<boolean> {
    const groups = await this.groupsOf(context, user, byGroups);
    for (const requirement of byGroups) {
      if (!isSatisfied(requirement, user, groups)) this.fail(context, requirement, user, groups);
    }
    return this.authorized(context, request);
  }

  /** Marks the request authorized for this route, so a second run of the guard passes at once. */
  private authorized(context: ExecutionContext, request: AuthRequest): true {
    authorizedRoutes.set(request, {
      handler: context.getHandler(),
      controller: context.getClass(),
    });
    return true;
  }

  /** Whether `@Public()` is on the handler or its class (one is enough). */
  protected isPublic(context: ExecutionContext): boolean {
    return this.publicRoutes.get(context);
  }

  /**
   * Every requirement of the route: the class's first (inherited ones included), then the
   * handler's; each decoration is one entry. Read through the decorators, never a string key.
   */
  protected getRequirements(context: ExecutionContext): readonly Requirement[] {
    return this.routeRequirements.get(context);
  }

  private readRequirements(context: ExecutionContext): readonly Requirement[] {
    return Object.freeze(
      readRouteRequirements(this.reflector, context.getClass(), context.getHandler()),
    );
  }

  /** The request of an HTTP, GraphQL or WebSocket context, or undefined (then: deny). */
  protected getRequest(context: ExecutionContext): AuthRequest | undefined {
    return requestOf(context);
  }

  /** The `AuthUser` that `JwtAuthGuard` set, or undefined when there is none (then: 401). */
  protected getUser(_context: ExecutionContext, request: AuthRequest): AuthUser | undefined {
    const user = request.user;
    return typeof user === 'object' && user !== null ? (user as AuthUser) : undefined;
  }

  /**
   * The user's groups for a route with `@Groups` (or `@AnyOf` with groups): the token's, and on a
   * groups overage those the resolver returns (cached). Resolves only when the token's own groups
   * are not enough — for `@AnyOf`, only when none of its scopes and roles passed either.
   */
  protected async groupsOf(
    context: ExecutionContext,
    user: AuthUser,
    requirements: readonly Requirement[],
  ): Promise<readonly string[]> {
    const own = stringList(user.groups);
    const unmet = requirements.find((requirement) => !isSatisfied(requirement, user, own));
    if (!unmet || user.hasGroupsOverage !== true) return own;
    try {
      const resolved = await this.groupsCache.getOrLoad(this.groupsCacheKey(user), () =>
        this.resolveGroups(user),
      );
      return [...own, ...resolved];
    } catch (error) {
      return this.deny(context, this.resolverError(error, unmet));
    }
  }

  /**
   * Asks the `GroupsResolver` (uncached) and checks its answer.
   *
   * @throws TypeError when the resolver returns anything but an array of strings (a bug → 503).
   */
  protected async resolveGroups(user: AuthUser): Promise<readonly string[]> {
    const groups: unknown = await this.groupsResolver.resolve(user);
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) {
      throw new TypeError('GroupsResolver.resolve() must return an array of group ids (strings)');
    }
    return groups;
  }

  /** The cache key of a user's resolved groups: issuer and subject, unique per token provider. */
  protected groupsCacheKey(user: AuthUser): string {
    return JSON.stringify([user.issuer, user.subject]);
  }

  /**
   * Sets the error's headers (`WWW-Authenticate`, `Retry-After`) on the response, then throws it.
   * Nest's exception handler keeps headers already set.
   */
  protected deny(context: ExecutionContext, error: AuthError): never {
    setResponseHeaders(responseOf(context), error.headers(this.config.realm));
    throw error;
  }

  private fail(
    context: ExecutionContext,
    requirement: Requirement,
    user: AuthUser,
    groups?: readonly string[],
  ): never {
    const have =
      requirement.list === 'groups'
        ? groups
        : requirement.list === 'scopes'
          ? user.scopes
          : requirement.list === 'roles'
            ? user.roles
            : undefined;
    this.deny(
      context,
      new InsufficientScopeError(requiredNames(requirement), describeFailure(requirement, have)),
    );
  }

  /** A resolver's deliberate 403 keeps its message; anything else becomes a logged 503. */
  private resolverError(error: unknown, requirement: Requirement): AuthError {
    if (error instanceof InsufficientScopeError) {
      return new InsufficientScopeError(requiredNames(requirement), error.message);
    }
    if (error instanceof AuthError) return error; // e.g. its own TemporarilyUnavailableError
    // Graph down, a timeout, a bug: the caller may well be entitled, so 503 — not 403, not 500.
    this.logger.error(
      `GroupsResolver failed, answering 503: ${errorText(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
    return new TemporarilyUnavailableError(
      'Group membership could not be checked; try again later',
    );
  }

  private wasAuthorized(context: ExecutionContext, request: AuthRequest): boolean {
    const marked = authorizedRoutes.get(request);
    return (
      marked !== undefined &&
      marked.handler === context.getHandler() &&
      marked.controller === context.getClass()
    );
  }
}

/** A thrown value as text for the log; never throws itself (a failing `toString` must not 500). */
function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'an unprintable value';
  }
}
