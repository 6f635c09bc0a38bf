import { ExecutionContext, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AuthConfig } from '../auth-config';
import type { AuthUser } from '../auth-user';
import { Public } from '../authorization/public.decorator';
import { RouteMemo } from '../authorization/route-memo';
import { Clock } from '../clock';
import {
  AuthError,
  InsufficientClaimsError,
  InvalidTokenError,
  MissingTokenError,
} from '../errors/auth.errors';
import { setResponseHeaders } from '../errors/response-headers';
import { RevocationStore } from '../revocation/revocation.store';
import { assertBearerSyntax, extractBearerToken } from './bearer-token.extractor';
import { JwtStrategy } from './jwt.strategy';
import { AuthRequest, requestOf, responseOf } from './request-of';
import { bearerTokens, tokenContexts } from './request-state';
import type { TokenContext } from './token-verifier';
import { ValidationCache } from './validation-cache';

/** jsonwebtoken's error names and what we say instead (its messages are not shown). */
const JSONWEBTOKEN_REASONS: Record<string, string> = {
  TokenExpiredError: 'Token expired',
  NotBeforeError: 'Token is not valid yet (nbf)',
};

/**
 * Per request: `true` once authenticated, or the authentication under way. Kept beside the
 * request, not on it, as everything in `request-state.ts` is.
 */
const authentications = new WeakMap<object, true | Promise<AuthUser>>();

/**
 * Authenticates the request (DESIGN V1–V11, E1–E3, E7): a valid bearer token, or the route is
 * `@Public()`. Registered globally by default (A6); safe to apply again with `@UseGuards` — it runs
 * once per request. Sets `request.user` to the `AuthUser`.
 *
 * Subclass and override the `protected` hooks to change how the request is found or errors look.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard() {
  private readonly logger = new Logger('Auth');
  /** Route metadata never changes once the app is built: read it once per route. */
  private readonly publicRoutes = new RouteMemo(
    (context) =>
      !!this.reflector.getAllAndOverride(Public, [context.getHandler(), context.getClass()]),
  );

  constructor(
    protected readonly reflector: Reflector,
    protected readonly config: AuthConfig,
    protected readonly clock: Clock,
    protected readonly revocations: RevocationStore,
    // Our own strategy instance (its name, not the process-wide `'jwt'`; see JwtStrategy).
    protected readonly strategy: JwtStrategy,
    // The explicit token matters: tsc records a `T | null` parameter's type as `Object`, which
    // would make Nest inject nothing and leave the cache silently off in a compiled build.
    @Optional() @Inject(ValidationCache) protected readonly cache?: ValidationCache | null,
  ) {
    super({ defaultStrategy: strategy.strategyName });
  }

  /**
   * Synchronous for a request answered from the validation cache — the common case, which then
   * costs Nest no await — and a promise only when the token must be verified.
   */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return this.passPublic(context);
    const request = this.getRequest(context);
    try {
      if (!request) throw new MissingTokenError('Unsupported request context');
      const state = authentications.get(request);
      if (state === true) return true;
      // GraphQL resolves sibling fields concurrently on one request: they share one
      // authentication instead of verifying the token again.
      if (state) return this.settle(context, request, state);
      const token = extractBearerToken(request, this.config.maxTokenLength);
      if (token === undefined) throw new MissingTokenError();
      const cacheKey = this.cache?.keyOf(token);
      const cached =
        cacheKey === undefined ? undefined : this.cache!.get(cacheKey, this.clock.now());
      if (cached) {
        this.assertNotRevoked(cached);
        request.user = cached;
        authentications.set(request, true);
        return true;
      }
      // After the lookup: a hit is the exact string that passed this check before.
      assertBearerSyntax(token);
      const pending = this.verify(context, request, token, cacheKey);
      authentications.set(request, pending);
      return this.settle(context, request, pending);
    } catch (error) {
      throw this.challenge(context, error);
    }
  }

  /**
   * A public route passes. Its HTTP request gets a `user` property too (`undefined`, unless
   * something set one): then every request has the same shape for the code after the guards —
   * with requests of two shapes, one with `user` and one without, V8 runs that code measurably
   * slower for both kinds (`npm run bench`).
   */
  private passPublic(context: ExecutionContext): true {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<AuthRequest | undefined>();
      // Only where it is absent altogether: never over a value, an accessor or a decoration.
      if (request && !('user' in request)) {
        request.user = undefined;
      }
    }
    return true;
  }

  /** Routes marked `@Public()` at the handler or the class skip authentication. */
  protected isPublic(context: ExecutionContext): boolean {
    return this.publicRoutes.get(context);
  }

  override getRequest(context: ExecutionContext): AuthRequest {
    return requestOf(context) as AuthRequest;
  }

  /** Read by @nestjs/passport at run time (not part of its `IAuthGuard` type). */
  getResponse(context: ExecutionContext): unknown {
    return responseOf(context) ?? {};
  }

  /** Called by @nestjs/passport with passport's outcome; turns every failure into an AuthError. */
  override handleRequest<TUser = AuthUser>(error: unknown, user: unknown, info: unknown): TUser {
    if (user && !error) return user as TUser;
    throw this.toAuthError(error ?? info);
  }

  /** Waits for the request's authentication; the request is marked done once it succeeds. */
  private async settle(
    context: ExecutionContext,
    request: AuthRequest,
    pending: Promise<AuthUser>,
  ): Promise<boolean> {
    try {
      request.user = await pending;
    } catch (error) {
      if (authentications.get(request) === pending) authentications.delete(request);
      throw this.challenge(context, error);
    }
    authentications.set(request, true);
    return true;
  }

  /** Verifies the token through Passport (our passport-jwt strategy) and caches the result. */
  private async verify(
    context: ExecutionContext,
    request: AuthRequest,
    token: string,
    cacheKey: string | undefined,
  ): Promise<AuthUser> {
    const now = this.clock.now();
    // What needs no signature is checked before Passport does any work (see resolveKey).
    const key = this.strategy.resolveKey(request, token);
    if (key instanceof Promise) await key;
    bearerTokens.set(request, token);
    let tokenContext: TokenContext;
    try {
      await super.canActivate(context);
      tokenContext = tokenContexts.get(request)!;
    } finally {
      bearerTokens.delete(request);
      tokenContexts.delete(request);
    }
    const user = request.user as AuthUser;
    this.assertNotRevoked(user);
    if (cacheKey !== undefined) this.cache!.set(cacheKey, user, tokenContext.key, now);
    return user;
  }

  /** DESIGN K1–K3, E5: checked on every request, cached or not, from the store's local view. */
  protected assertNotRevoked(user: AuthUser): void {
    // Only what the store needs: a custom store never sees the claims.
    const { tokenId, sessionId, subject, issuedAt } = user;
    const verdict = this.revocations.check(
      { tokenId, sessionId, subject, issuedAt },
      this.clock.nowSeconds(),
    );
    if (!verdict.revoked) return;
    if (verdict.reason === 'subject') throw new InsufficientClaimsError(verdict.notBefore);
    throw new InvalidTokenError('Token was revoked');
  }

  /** Sets the error's challenge headers on the response and returns the error to throw. */
  protected challenge(context: ExecutionContext, error: unknown): AuthError {
    const authError = this.toAuthError(error);
    setResponseHeaders(responseOf(context), authError.headers(this.config.realm));
    return authError;
  }

  private toAuthError(error: unknown): AuthError {
    if (error instanceof AuthError) return error;
    const name = error instanceof Error ? error.name : typeof error;
    if (name in JSONWEBTOKEN_REASONS) return new InvalidTokenError(JSONWEBTOKEN_REASONS[name]);
    if (name === 'JsonWebTokenError') {
      const message = (error as Error).message;
      return new InvalidTokenError(
        message === 'invalid signature' ? 'Token signature is invalid' : 'Token is invalid',
      );
    }
    // Anything else is a fault of ours on odd input: refuse the token (fail closed), never a 500.
    this.logger.warn(`token refused after an unexpected ${name}`);
    return new InvalidTokenError();
  }
}
