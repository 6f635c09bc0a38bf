import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { AuthConfig } from '../auth-config';
import type { AuthUser } from '../auth-user';
import { Clock } from '../clock';
import { InvalidTokenError, TemporarilyUnavailableError } from '../errors/auth.errors';
import { checkClaims } from './claim-checks';
import { ClaimsMapper } from './claims-mapper';
import { checkHeader } from './header-checks';
import type { KeyLookup, VerificationKey } from './provider-key-set';
import type { AuthRequest } from './request-of';
import { tokenContexts } from './request-state';
import { decodeToken, DecodedToken } from './token-segments';
import { ResolvedProvider, TokenProviders } from './token-providers';

/** What the key lookup learnt, handed from `resolveKey` to `validate` on the request. */
export interface TokenContext {
  readonly decoded: DecodedToken;
  readonly provider: ResolvedProvider;
  readonly key: VerificationKey;
}

/**
 * The two halves of validation around passport-jwt's signature check:
 * `resolveKey` (strict header checks, issuer routing, key lookup) before it, and `validate`
 * (claim checks, mapping to `AuthUser`) after it. Every refusal is an `AuthError`.
 */
@Injectable()
export class TokenVerifier {
  constructor(
    private readonly providers: TokenProviders,
    private readonly config: AuthConfig,
    private readonly clock: Clock,
    private readonly mapper: ClaimsMapper,
  ) {}

  /**
   * Picks the provider the token's `iss` names and the key its `kid` names (DESIGN V1, V2, V11).
   * Answers synchronously when the provider's fresh key set holds the key — the common case —
   * and with a promise when the set must be fetched first.
   */
  resolveKey(request: AuthRequest, token: string): KeyObject | Promise<KeyObject> {
    const decoded = decodeToken(token);
    if (typeof decoded === 'string') throw new InvalidTokenError(decoded);
    const { iss, tid } = decoded.payload;
    const provider = typeof iss === 'string' ? this.providers.forIssuer(iss, tid) : undefined;
    if (!provider) throw new InvalidTokenError('Token issuer is not trusted');
    const header = checkHeader(decoded.header, provider.algorithms, provider.tokenType);
    if (typeof header === 'string') throw new InvalidTokenError(header);
    const known = provider.keySet.peek(header.kid, header.alg);
    if (known) return this.useKey(request, decoded, provider, known);
    return provider.keySet
      .lookup(header.kid, header.alg)
      .then((lookup) => this.useKey(request, decoded, provider, lookup));
  }

  private useKey(
    request: AuthRequest,
    decoded: DecodedToken,
    provider: ResolvedProvider,
    lookup: KeyLookup,
  ): KeyObject {
    if (lookup.status === 'unavailable') {
      throw new TemporarilyUnavailableError(
        'Signing keys cannot be fetched right now',
        lookup.retryAfterSeconds,
      );
    }
    if (lookup.status === 'unknown') throw new InvalidTokenError('Token signing key is unknown');
    tokenContexts.set(request, { decoded, provider, key: lookup.key });
    return lookup.key.key;
  }

  /** Checks the claims of a token whose signature passport-jwt has verified, and maps the user. */
  validate(request: AuthRequest): AuthUser {
    const context = tokenContexts.get(request);
    if (!context) throw new InvalidTokenError();
    const { payload } = context.decoded;
    const reason = checkClaims(payload, context.provider, context.key, {
      now: this.clock.nowSeconds(),
      tolerance: this.config.clockTolerance,
      maxLifetime: this.config.maxTokenLifetime,
    });
    if (reason) throw new InvalidTokenError(reason);
    const user = this.mapper.map(payload);
    if (typeof user === 'string') throw new InvalidTokenError(user);
    // DESIGN A8: a token with neither a scope nor an app role was not meant for this API.
    if (
      context.provider.requireScopeOrRole &&
      // Presence, as Microsoft.Identity.Web's IDW10201: a malformed `scp` is a 403 at the route.
      payload.scp === undefined &&
      payload.scope === undefined &&
      payload.roles === undefined
    ) {
      throw new InvalidTokenError('Token has neither a scope nor an app role for this API');
    }
    return user;
  }
}
