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
import { bearerTokens } from './request-state';
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
        let key: KeyObject | Promise<KeyObject>;
        try {
          key = verifier.resolveKey(request as unknown as AuthRequest, token);
        } catch (error) {
          return done(error);
        }
        // Most tokens name a key of the cached set: then no promise, no extra tick.
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

  onModuleDestroy(): void {
    passport.unuse(this.strategyName);
  }

  /** Called by passport-jwt once the signature is verified. */
  validate(request: AuthRequest): AuthUser {
    return this.verifier.validate(request);
  }
}
