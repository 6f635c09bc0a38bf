import { AUTH_DEFAULTS, AuthModuleOptions, TokenProviderOptions } from './auth.options';
import { entraProvider } from './validation/entra-preset';
import { validateOptions } from './auth-options.validation';

type Defaults = typeof AUTH_DEFAULTS;

/**
 * The module's options with every default merged in and checked once at start-up (STYLE 6).
 * Inject it to read the effective configuration.
 */
export class AuthConfig {
  readonly realm: string;
  readonly clockTolerance: number;
  readonly maxTokenLifetime: number;
  readonly maxTokenLength: number;
  readonly groupsCacheTtl: number;
  readonly jwks: { -readonly [K in keyof Defaults['jwks']]: number };
  readonly validationCache: { maxAge: number; maxEntries: number } | false;
  /** Every trusted provider: inline, `providers`, and the Entra preset (the own issuer is added by issuing). */
  readonly providers: readonly TokenProviderOptions[];
  /** The options as given (minus module extras). */
  readonly options: Readonly<AuthModuleOptions>;

  /** @throws TypeError naming the field and the fix when an option is wrong. */
  constructor(options: AuthModuleOptions) {
    validateOptions(options);
    this.options = options;
    this.realm = options.realm ?? AUTH_DEFAULTS.realm;
    this.clockTolerance = options.clockTolerance ?? AUTH_DEFAULTS.clockTolerance;
    this.maxTokenLifetime = options.maxTokenLifetime ?? AUTH_DEFAULTS.maxTokenLifetime;
    this.maxTokenLength = options.maxTokenLength ?? AUTH_DEFAULTS.maxTokenLength;
    this.groupsCacheTtl = options.groupsCacheTtl ?? AUTH_DEFAULTS.groupsCacheTtl;
    this.jwks = { ...AUTH_DEFAULTS.jwks, ...definedOnly(options.jwks ?? {}) };
    this.validationCache =
      options.validationCache === false
        ? false
        : { ...AUTH_DEFAULTS.validationCache, ...definedOnly(options.validationCache ?? {}) };
    this.providers = collectProviders(options);
  }
}

function collectProviders(options: AuthModuleOptions): TokenProviderOptions[] {
  const providers: TokenProviderOptions[] = [];
  if (options.issuer !== undefined) {
    providers.push({
      issuer: options.issuer,
      audience: options.audience as string | string[],
      jwksUri: options.jwksUri,
      authority: options.authority,
      jwksLoader: options.jwksLoader,
      allowedTenants: options.allowedTenants,
      algorithms: options.algorithms,
      tokenType: options.tokenType,
      requireScopeOrRole: options.requireScopeOrRole,
    });
  }
  if (options.entra) providers.push(entraProvider(options.entra, options));
  providers.push(...(options.providers ?? []));
  return providers;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
