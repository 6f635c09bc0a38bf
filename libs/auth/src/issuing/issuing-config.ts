import { AUTH_DEFAULTS, AuthModuleOptions } from '../auth.options';
import type { SigningAlgorithm } from '../stores/signing-key-source';
import { validateIssuingOptions } from './issuing-options.validation';
import {
  ISSUING_DEFAULTS,
  IssuingClientOptions,
  IssuingOptions,
  PemSigningKeyOptions,
} from './issuing.options';

/** The resolved cookie settings of cookie mode (RT6). */
export interface ResolvedRefreshCookie {
  readonly name: string;
  readonly path: string;
  readonly exposeInBody: boolean;
}

/**
 * The issuing options with every default merged in, checked once at start-up (STYLE 6). Inject it
 * to read the effective configuration. Durations are seconds unless the name ends in `Ms`.
 */
export class IssuingConfig {
  readonly issuer: string;
  readonly audience: string | string[];
  readonly accessTokenTtl: number;
  readonly refreshIdleTtl: number;
  readonly refreshAbsoluteTtl: number;
  readonly graceSeconds: number;
  readonly maxFamiliesPerSubject: number;
  readonly routePrefix: string;
  readonly baseUrl: string;
  readonly cookie: ResolvedRefreshCookie | undefined;
  readonly algorithm: SigningAlgorithm;
  readonly signingKeys: readonly PemSigningKeyOptions[] | undefined;
  readonly prePublish: number;
  readonly retireAfter: number;
  readonly rotateEvery: number | undefined;
  readonly defaultClientId: string;
  readonly scopes: ReadonlySet<string> | undefined;
  readonly clients: ReadonlyMap<string, IssuingClientOptions>;
  readonly storeTimeoutMs: number;
  readonly mountControllers: boolean;
  /** The module's one clock tolerance (DESIGN V5), seconds. */
  readonly clockTolerance: number;

  /** @throws TypeError naming the field and the fix when an option is wrong. */
  constructor(options: IssuingOptions, clockTolerance: number = AUTH_DEFAULTS.clockTolerance) {
    validateIssuingOptions(options, clockTolerance);
    const d = ISSUING_DEFAULTS;
    this.clockTolerance = clockTolerance;
    this.issuer = options.issuer;
    this.audience =
      Array.isArray(options.audience) && options.audience.length === 1
        ? options.audience[0]
        : options.audience;
    this.accessTokenTtl = options.accessTokenTtl ?? d.accessTokenTtl;
    this.refreshIdleTtl = options.refreshIdleTtl ?? d.refreshIdleTtl;
    this.refreshAbsoluteTtl = options.refreshAbsoluteTtl ?? d.refreshAbsoluteTtl;
    this.graceSeconds = options.graceSeconds ?? d.graceSeconds;
    this.maxFamiliesPerSubject = options.maxFamiliesPerSubject ?? d.maxFamiliesPerSubject;
    this.routePrefix = options.routePrefix ?? d.routePrefix;
    this.baseUrl = (options.baseUrl ?? options.issuer).replace(/\/+$/, '');
    this.cookie = resolveCookie(options.cookie, this.routePrefix);
    this.algorithm = options.algorithm ?? d.algorithm;
    this.signingKeys = options.signingKeys;
    this.prePublish = options.keys?.prePublish ?? d.keys.prePublish;
    this.retireAfter = options.keys?.retireAfter ?? d.keys.retireAfter;
    this.rotateEvery = options.keys?.rotateEvery;
    this.defaultClientId = options.defaultClientId ?? d.defaultClientId;
    this.scopes = options.scopes ? new Set(options.scopes) : undefined;
    this.clients = new Map((options.clients ?? []).map((c) => [c.clientId, c]));
    this.storeTimeoutMs = options.storeTimeoutMs ?? d.storeTimeoutMs;
    this.mountControllers = options.mountControllers ?? true;
  }

  /** Reads `issuing` from the module options; undefined when nothing is issued. */
  static fromModuleOptions(options: AuthModuleOptions): IssuingConfig | undefined {
    if (options.issuing === undefined) return undefined;
    return new IssuingConfig(
      options.issuing,
      options.clockTolerance ?? AUTH_DEFAULTS.clockTolerance,
    );
  }

  /** The algorithms the API's own tokens may carry (validation's allow-list for them). */
  get algorithms(): SigningAlgorithm[] {
    return this.algorithm === 'ES256' || this.signingKeys !== undefined
      ? ['RS256', 'ES256']
      : ['RS256'];
  }

  /** Latest `exp` of an access token issued now, plus the tolerance validation grants (K4). */
  accessTokenHorizon(nowSeconds: number): number {
    return nowSeconds + this.accessTokenTtl + this.clockTolerance;
  }
}

function resolveCookie(
  cookie: IssuingOptions['cookie'],
  routePrefix: string,
): ResolvedRefreshCookie | undefined {
  if (!cookie) return undefined;
  const settings = cookie === true ? {} : cookie;
  return {
    name: settings.name ?? ISSUING_DEFAULTS.cookie.name,
    path: settings.path ?? `/${routePrefix}`,
    exposeInBody: settings.exposeInBody ?? false,
  };
}
