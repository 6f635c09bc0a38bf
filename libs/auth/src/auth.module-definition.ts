import { ConfigurableModuleBuilder, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AuthModuleOptions } from './auth.options';
import { JwtAuthGuard } from './validation/jwt-auth.guard';
import { ClaimsGuard } from './authorization/claims.guard';

/** Module-level switches, given beside the options in `forRoot({...})` / `forRootAsync({...})`. */
export interface AuthModuleExtras {
  /** Register the module globally, so guards applied by decorators resolve in every module. Default true. */
  isGlobal?: boolean;
  /**
   * Register `JwtAuthGuard` and `ClaimsGuard` as global guards (DESIGN A6): every route then needs a
   * valid token unless `@Public()`. Default true (secure by default).
   */
  globalGuards?: boolean;
  /** Providers added last, so they override the module's defaults (e.g. `{ provide: RefreshTokenStore, useClass: … }`). */
  extraProviders?: Provider[];
}

export const {
  ConfigurableModuleClass: AuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({ moduleName: 'Auth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAuthOptions')
  .setExtras<AuthModuleExtras>(
    { isGlobal: true, globalGuards: true, extraProviders: [] },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
      providers: [
        ...(definition.providers ?? []),
        ...(extras.globalGuards
          ? [
              { provide: APP_GUARD, useExisting: JwtAuthGuard },
              { provide: APP_GUARD, useExisting: ClaimsGuard },
            ]
          : []),
        ...(extras.extraProviders ?? []),
      ],
    }),
  )
  .build();
