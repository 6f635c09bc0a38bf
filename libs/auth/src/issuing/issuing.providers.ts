import type { Provider, Type } from '@nestjs/common';
import { Controller } from '@nestjs/common';
import { AuthConfig } from '../auth-config';
import { OWN_TOKEN_PROVIDER } from '../auth.internal-constants';
import { AUTH_DEFAULTS, AuthModuleOptions, TokenProviderOptions } from '../auth.options';
import { RefreshTokenStore } from '../stores/refresh-token.store';
import { SigningKeySource } from '../stores/signing-key-source';
import { AccessTokenService } from './access-token.service';
import { ClientAuthenticator } from './client-authenticator.service';
import { IssuingConfig } from './issuing-config';
import { ISSUING_DEFAULTS } from './issuing.options';
import { validateIssuingOptions } from './issuing-options.validation';
import { RefreshGrantService } from './refresh-grant.service';
import { SessionController } from './session.controller';
import { SessionRevocationService } from './session-revocation.service';
import { SessionService } from './session.service';
import { TokenController } from './token.controller';
import { TokenRevocationService } from './token-revocation.service';
import { TokenService } from './token.service';
import { WellKnownController } from './well-known.controller';

/**
 * Providers of issuing. Always registered (cheap when `issuing` is absent: `IssuingConfig` is
 * null, no key is generated). The abstract classes are their own tokens, so users override them
 * in `extraProviders`: `{ provide: RefreshTokenStore, useClass: RedisRefreshTokenStore }`.
 * The stores themselves (memory or Redis) are chosen in `stores/store.providers.ts`.
 */
export const ISSUING_PROVIDERS: Provider[] = [
  {
    provide: IssuingConfig,
    useFactory: (auth: AuthConfig) =>
      auth.options.issuing === undefined
        ? null
        : new IssuingConfig(auth.options.issuing, auth.clockTolerance),
    inject: [AuthConfig],
  },
  {
    // The API's own tokens are validated like anyone else's: through this JWKS (DESIGN R2).
    provide: OWN_TOKEN_PROVIDER,
    useFactory: (
      config: IssuingConfig | null,
      keys: SigningKeySource,
    ): TokenProviderOptions | undefined =>
      config
        ? {
            name: 'self',
            issuer: config.issuer,
            audience: config.audience,
            jwksLoader: () => keys.publicJwks(),
            tokenType: 'at+jwt',
            algorithms: config.algorithms,
          }
        : undefined,
    inject: [IssuingConfig, SigningKeySource],
  },
  AccessTokenService,
  ClientAuthenticator,
  SessionRevocationService,
  TokenService,
  RefreshGrantService,
  TokenRevocationService,
  SessionService,
];

/** What the module exports of issuing, for the app's own login flow and controllers. */
export const ISSUING_EXPORTS = [
  IssuingConfig,
  SigningKeySource,
  RefreshTokenStore,
  TokenService,
  RefreshGrantService,
  TokenRevocationService,
  SessionService,
  SessionRevocationService,
  ClientAuthenticator,
];

/**
 * The controllers to mount: none when `mounted` is false or `issuing.mountControllers` is false;
 * otherwise the JWKS/discovery, token/revoke and session controllers, the last two under
 * `issuing.routePrefix` (default `auth`).
 *
 * @throws TypeError at `forRoot()` when the issuing options are invalid (fail fast).
 */
export function issuingControllers(mounted: boolean, options?: AuthModuleOptions): Type<unknown>[] {
  if (!mounted) return [];
  const issuing = options?.issuing;
  if (issuing)
    validateIssuingOptions(issuing, options?.clockTolerance ?? AUTH_DEFAULTS.clockTolerance);
  if (issuing?.mountControllers === false) return [];
  const prefix = issuing?.routePrefix ?? ISSUING_DEFAULTS.routePrefix;
  return [
    WellKnownController,
    withPrefix(TokenController, prefix),
    withPrefix(SessionController, prefix),
  ];
}

/** The controller under another path: a subclass that inherits every route, guard and filter. */
function withPrefix<T extends Type<unknown>>(base: T, prefix: string): T {
  if (prefix === ISSUING_DEFAULTS.routePrefix) return base;
  const prefixed = class extends (base as Type<object>) {} as unknown as T;
  Object.defineProperty(prefixed, 'name', { value: base.name });
  Controller(prefix)(prefixed);
  return prefixed;
}
