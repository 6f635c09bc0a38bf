import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import passport from 'passport';
import type { Request } from 'express';
import { Strategy, type StrategyOptions } from 'passport-jwt';
import { AuthConfig } from '../auth-config';
import type { AuthUser } from '../auth-user';
import { Clock } from '../clock';
import type { AuthRequest } from './request-of';
import { bearerTokens, tokenContexts } from './request-state';
import { TokenVerifier } from './token-verifier';
import { TokenProviders } from './token-providers';

/** Passport's name for our strategy (the last module created owns it; see `strategyName`). */
export const JWT_STRATEGY = 'jwt';

let instances = 0;

/**
 * The passport-jwt strategy (DESIGN V1): passport-jwt and jsonwebtoken check the signature, the
 * algorithm allow-list, `exp` and `nbf`; `TokenVerifier` adds everything they leave out. The token
 * comes from `JwtAuthGuard`'s strict parser, never from passport-jwt's extractors (ATTACKS TRN-*).
 */
@Injectable()
export class JwtStrategy
  extends PassportStrategy(Strategy, JWT_STRATEGY)
  implements OnModuleDestroy
{
  /**
   * Passport's registry is one per process, so two apps in one process would share `'jwt'`.
   * Each instance also registers under a name of its own, which its `JwtAuthGuard` uses.
   */
  readonly strategyName = `${JWT_STRATEGY}#${++instances}`;

  constructor(
    private readonly verifier: TokenVerifier,
    providers: TokenProviders,
    config: AuthConfig,
    clock: Clock,
  ) {
    super({
      jwtFromRequest: (request: Request) => bearerTokens.get(request) ?? null,
      secretOrKeyProvider: (
        request: Request,
        token: string,
        // jsonwebtoken takes a KeyObject; passport-jwt's types only list string | Buffer.
        done: (e: unknown, k?: string | Buffer) => void,
      ) => {
        // JwtAuthGuard resolved the key before calling Passport (see `resolveKey`).
        const resolved = tokenContexts.get(request);
        if (resolved) return done(null, resolved.key.key as unknown as Buffer);
        let key: KeyObject | Promise<KeyObject>;
        try {
          key = verifier.resolveKey(request as unknown as AuthRequest, token);
        } catch (error) {
          return done(error);
        }
        if (key instanceof Promise) key.then((k) => done(null, k as unknown as Buffer), done);
        else done(null, key as unknown as Buffer);
      },
      algorithms: [...providers.algorithms] as StrategyOptions['algorithms'],
      passReqToCallback: true,
      jsonWebTokenOptions: { clockTolerance: config.clockTolerance },
    });
    // jsonwebtoken reads `clockTimestamp` on every call; make it the injectable Clock (DESIGN V5).
    Object.defineProperty(
      (this as unknown as { _verifOpts: object })._verifOpts,
      'clockTimestamp',
      {
        get: () => clock.nowSeconds(),
        enumerable: true,
      },
    );
    passport.use(this.strategyName, this as unknown as passport.Strategy);
  }

  /**
   * Every check that needs no signature — strict decoding, header rules, issuer routing, the key
   * lookup (DESIGN V1–V3, V7, V11) — for the token Passport is about to verify on this request.
   * Synchronous when the provider's fresh key set holds the key. Called by `JwtAuthGuard` before
   * it hands over to Passport, so a token that cannot be valid (a flood of made-up kids) is
   * refused without Passport's per-request work; passport-jwt then uses the key found here.
   *
   * @throws AuthError (or a rejected promise) when the token is refused.
   */
  resolveKey(request: AuthRequest, token: string): KeyObject | Promise<KeyObject> {
    return this.verifier.resolveKey(request, token);
  }

  onModuleDestroy(): void {
    passport.unuse(this.strategyName);
  }

  /** Called by passport-jwt once the signature is verified. */
  validate(request: AuthRequest): AuthUser {
    return this.verifier.validate(request);
  }
}
