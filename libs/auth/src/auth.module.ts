import { DynamicModule, Module } from '@nestjs/common';
import {
  AUTH_ASYNC_OPTIONS_TYPE,
  AUTH_OPTIONS_TYPE,
  AuthConfigurableModule,
} from './auth.module-definition';
import { VALIDATION_EXPORTS, VALIDATION_PROVIDERS } from './validation/validation.providers';
import {
  AUTHORIZATION_EXPORTS,
  AUTHORIZATION_PROVIDERS,
} from './authorization/authorization.providers';
import {
  ISSUING_EXPORTS,
  ISSUING_PROVIDERS,
  issuingControllers,
} from './issuing/issuing.providers';
import { STORE_EXPORTS, STORE_PROVIDERS } from './stores/store.providers';

/**
 * Validates JWT bearer tokens and authorizes requests declaratively.
 *
 * @example
 * AuthModule.forRoot({ issuer, audience, jwksUri })
 * AuthModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (c) => ({ … }) })
 */
@Module({
  // Later entries win for the same token: the store selection comes after the defaults.
  providers: [
    ...VALIDATION_PROVIDERS,
    ...AUTHORIZATION_PROVIDERS,
    ...ISSUING_PROVIDERS,
    ...STORE_PROVIDERS,
  ],
  exports: [...VALIDATION_EXPORTS, ...AUTHORIZATION_EXPORTS, ...ISSUING_EXPORTS, ...STORE_EXPORTS],
})
export class AuthModule extends AuthConfigurableModule {
  /** Configure with options known now. Token endpoints are mounted when `issuing` is given. */
  static override forRoot(options: typeof AUTH_OPTIONS_TYPE): DynamicModule {
    const module = super.forRoot(options);
    return { ...module, controllers: issuingControllers(options.issuing !== undefined, options) };
  }

  /**
   * Configure from other providers (e.g. `ConfigService`). Set `mountTokenEndpoints: true` to mount
   * the token endpoints, since the options are not known yet when routes are registered.
   */
  static override forRootAsync(
    options: typeof AUTH_ASYNC_OPTIONS_TYPE & { mountTokenEndpoints?: boolean },
  ): DynamicModule {
    const { mountTokenEndpoints, ...rest } = options;
    const module = super.forRootAsync(rest);
    return { ...module, controllers: issuingControllers(mountTokenEndpoints === true, undefined) };
  }
}
