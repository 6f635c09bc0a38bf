import { Inject, Injectable } from '@nestjs/common';
import { AuthEvents } from '../auth-events';
import { RefreshTokenStore } from '../stores/refresh-token.store';
import { AccessTokenService } from './access-token.service';
import type { ClientIdentity } from './client-authenticator.service';
import { IssuingConfig } from './issuing-config';
import { OAuthError } from './oauth.errors';
import { hashSecret, parseRefreshToken } from './refresh-token.codec';
import { SessionRevocationService } from './session-revocation.service';
import { storeCall } from './store-call';

/**
 * Token revocation (RFC 7009; RT19). A refresh token revokes its family and, through `sid`, the
 * family's access tokens; an access token's `jti` is refused until its `exp` (K1) and its family
 * is left alone. Unknown, garbage, already revoked and other clients' tokens are answered like
 * the rest — 200 and nothing done — so the endpoint tells a caller nothing. `token_type_hint` is
 * only a hint: the token's shape decides.
 */
@Injectable()
export class TokenRevocationService {
  constructor(
    @Inject(IssuingConfig) private readonly config: IssuingConfig,
    private readonly store: RefreshTokenStore,
    private readonly accessTokens: AccessTokenService,
    private readonly sessions: SessionRevocationService,
    private readonly events: AuthEvents,
  ) {}

  /**
   * @throws OAuthError 400 `invalid_request` when `token` is missing.
   * @throws TemporarilyUnavailableError (503) when a store fails.
   */
  async revoke(params: ReadonlyMap<string, string>, client: ClientIdentity): Promise<void> {
    const token = params.get('token');
    if (token === undefined || token === '') throw OAuthError.invalidRequest('token is required');
    const refresh = parseRefreshToken(token);
    if (refresh) {
      const family = await storeCall(
        () =>
          this.store.authenticate(refresh.familyId, refresh.tokenId, hashSecret(refresh.secret)),
        this.config.storeTimeoutMs,
      );
      if (!family || family.state === 'revoked' || !this.mayRevoke(family.clientId, client)) {
        return this.ignored('refresh_token');
      }
      await this.sessions.revokeFamily(family.id, 'revoked');
      return;
    }
    const access = await this.accessTokens.verifyOwn(token);
    if (!access || (access.clientId !== undefined && !this.mayRevoke(access.clientId, client))) {
      return this.ignored('access_token');
    }
    await this.sessions.revokeAccessToken(access.tokenId, access.expiresAt);
  }

  /** Another client's token is left alone (a chosen deviation from RFC 7009 §2.1's error). */
  private mayRevoke(owner: string, client: ClientIdentity): boolean {
    if (this.config.clients.has(owner)) return client.authenticated && client.clientId === owner;
    return client.clientId === undefined || client.clientId === owner;
  }

  private ignored(kind: string): void {
    this.events.emit('revocation.ignored', { kind });
  }
}
