import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuthConfig } from '../auth-config';
import { AuthEvents } from '../auth-events';
import { AUTH_DEFAULTS, TokenProviderOptions } from '../auth.options';
import { OWN_TOKEN_PROVIDER } from '../auth.internal-constants';
import { Clock } from '../clock';
import { fetchJson, FetchLimits, JwksFetchError } from './bounded-json-fetch';
import { IssuerMatcher } from './issuer-matcher';
import { ProviderKeySet } from './provider-key-set';

/** A trusted provider, ready to check tokens: its issuer rules, audiences and key set. */
export interface ResolvedProvider {
  readonly name: string;
  readonly issuers: IssuerMatcher;
  readonly audiences: ReadonlySet<string>;
  readonly algorithms: readonly string[];
  readonly allowedTenants?: ReadonlySet<string>;
  readonly tokenType?: string;
  readonly requireScopeOrRole: boolean;
  readonly keySet: ProviderKeySet;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/**
 * Every trusted provider, each with one key set created once (DESIGN V7, V11). A token is routed
 * to the one provider its `iss` names.
 */
@Injectable()
export class TokenProviders {
  readonly all: readonly ResolvedProvider[];
  /** Every algorithm any provider accepts (passport-jwt's own allow-list). */
  readonly algorithms: readonly string[];

  constructor(
    config: AuthConfig,
    clock: Clock,
    events: AuthEvents,
    @Optional() @Inject(OWN_TOKEN_PROVIDER) own?: TokenProviderOptions,
  ) {
    const options = own ? [own, ...config.providers] : [...config.providers];
    if (options.length === 0) {
      throw new TypeError(
        'AuthModule: no token provider is configured; set `issuer`, `entra`, `providers` or `issuing`.',
      );
    }
    const limits: FetchLimits = {
      timeoutMs: config.jwks.timeoutMs,
      maxBytes: config.jwks.maxResponseBytes,
    };
    this.all = options.map((p) => resolve(p, config, clock, events, limits));
    this.algorithms = [...new Set(this.all.flatMap((p) => p.algorithms))];
    assertDistinctIssuers(this.all);
  }

  /** The provider whose issuer rules match, or undefined. `tid` is the token's own claim. */
  forIssuer(iss: string, tid: unknown): ResolvedProvider | undefined {
    for (const provider of this.all) if (provider.issuers.matches(iss, tid)) return provider;
    return undefined;
  }
}

function resolve(
  p: TokenProviderOptions,
  config: AuthConfig,
  clock: Clock,
  events: AuthEvents,
  limits: FetchLimits,
): ResolvedProvider {
  const issuers = list(p.issuer);
  const name = p.name ?? issuers[0];
  const algorithms = p.algorithms ?? config.options.algorithms ?? [...AUTH_DEFAULTS.algorithms];
  const s = config.jwks;
  const keySet = new ProviderKeySet(
    name,
    keyLoader(p, limits),
    {
      cacheMaxAgeMs: s.cacheMaxAge * 1000,
      cooldownMs: s.cooldown * 1000,
      staleIfErrorMaxAgeMs: s.staleIfErrorMaxAge * 1000,
      maxRefetchesPerMinute: s.maxRefetchesPerMinute,
      algorithms,
      minRsaModulusBits: s.minRsaModulusBits,
    },
    clock,
    events,
    p.jwksUri ?? p.authority,
  );
  return {
    name,
    issuers: new IssuerMatcher(issuers),
    audiences: new Set(list(p.audience)),
    algorithms,
    allowedTenants: p.allowedTenants ? new Set(p.allowedTenants) : undefined,
    tokenType: p.tokenType,
    requireScopeOrRole: p.requireScopeOrRole ?? false,
    keySet,
  };
}

/** Where a provider's key set comes from: a loader, a JWKS URL, or OIDC discovery. */
function keyLoader(p: TokenProviderOptions, limits: FetchLimits): () => Promise<unknown> {
  if (p.jwksLoader) return p.jwksLoader;
  if (p.jwksUri) {
    const uri = p.jwksUri;
    return () => fetchJson(uri, limits);
  }
  const discovery = `${p.authority!.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let jwksUri: string | undefined;
  return async () => {
    if (!jwksUri) {
      const doc = (await fetchJson(discovery, limits)) as { jwks_uri?: unknown } | null;
      const found = doc?.jwks_uri;
      if (typeof found !== 'string' || !/^https?:\/\//.test(found)) {
        throw new JwksFetchError('discovery document has no jwks_uri');
      }
      jwksUri = found;
    }
    return fetchJson(jwksUri, limits);
  };
}

function assertDistinctIssuers(providers: readonly ResolvedProvider[]): void {
  const seen = new Map<string, string>();
  for (const provider of providers) {
    for (const issuer of provider.issuers.exactIssuers()) {
      const other = seen.get(issuer);
      if (other !== undefined) {
        throw new TypeError(
          `AuthModule: issuer "${issuer}" is configured by two providers ("${other}" and "${provider.name}"); give each issuer to one provider.`,
        );
      }
      seen.set(issuer, provider.name);
    }
  }
}
