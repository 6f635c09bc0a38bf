import type { Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BodyParseErrorFilter } from '../errors/body-parse-error.filter';
import { AuthConfig } from '../auth-config';
import { AuthEvents } from '../auth-events';
import type { AuthModuleOptions } from '../auth.options';
import { AUTH_MODULE_OPTIONS } from '../auth.module-definition';
import { Clock } from '../clock';
import { RevocationStore } from '../revocation/revocation.store';
import { ClaimsMapper } from './claims-mapper';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { TokenProviders } from './token-providers';
import { TokenVerifier } from './token-verifier';
import { ValidationCache } from './validation-cache';

/** Providers of authentication; the abstract classes are their own tokens, so users can override them. */
export const VALIDATION_PROVIDERS: Provider[] = [
  {
    provide: AuthConfig,
    useFactory: (options: AuthModuleOptions) => new AuthConfig(options),
    inject: [AUTH_MODULE_OPTIONS],
  },
  {
    provide: ValidationCache,
    useFactory: (config: AuthConfig) =>
      config.validationCache
        ? new ValidationCache(
            config.validationCache.maxAge * 1000,
            config.validationCache.maxEntries,
          )
        : null,
    inject: [AuthConfig],
  },
  Clock,
  AuthEvents,
  ClaimsMapper,
  TokenProviders,
  TokenVerifier,
  JwtStrategy,
  JwtAuthGuard,
  { provide: APP_FILTER, useClass: BodyParseErrorFilter },
];

export const VALIDATION_EXPORTS = [
  AuthConfig,
  Clock,
  AuthEvents,
  ClaimsMapper,
  RevocationStore,
  TokenProviders,
  ValidationCache,
  JwtStrategy,
  JwtAuthGuard,
];
