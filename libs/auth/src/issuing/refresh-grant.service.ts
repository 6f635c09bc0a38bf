import { Inject, Injectable } from '@nestjs/common';
import { AuthEvents } from '../auth-events';
import { Clock } from '../clock';
import { RefreshFamily, RefreshTokenStore, RotateResult } from '../stores/refresh-token.store';
import { AccessTokenService } from './access-token.service';
import { ClientAuthenticator, ClientIdentity } from './client-authenticator.service';
import { IssuingConfig } from './issuing-config';
import { OAuthError } from './oauth.errors';
import {
  familyRef,
  formatRefreshToken,
  hashSecret,
  newRefreshToken,
  openSuccessor,
  parseRefreshToken,
  RefreshTokenParts,
  sealSuccessor,
} from './refresh-token.codec';
import { isSubset, parseScope } from './scope';
import { SessionRevocationService } from './session-revocation.service';
import { storeCall } from './store-call';
import type { IssuedTokens } from './token-response';

/** One refresh request (RFC 6749 §6), as the controller read it. */
export interface RefreshGrantRequest {
  /** The request's parameters, each a single string. */
  readonly params: ReadonlyMap<string, string>;
  /** The calling client. */
  readonly client: ClientIdentity;
  /** Cookie mode (RT6): the refresh token from the cookie, if any. */
  readonly cookieToken?: string;
}

/**
 * The refresh-token grant (RFC 6749 §6; RT1–RT12, RT18, RT21): checks the request, rotates the
 * presented token atomically in the `RefreshTokenStore`, and answers with a new pair — or, within
 * the grace window, the byte-identical successor and a fresh access token. Every failure is the
 * same 400 `invalid_grant`; the audit event tells them apart.
 */
@Injectable()
export class RefreshGrantService {
  constructor(
    @Inject(IssuingConfig) private readonly config: IssuingConfig,
    private readonly store: RefreshTokenStore,
    private readonly accessTokens: AccessTokenService,
    private readonly clients: ClientAuthenticator,
    private readonly sessions: SessionRevocationService,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
  ) {}

  /**
   * @throws OAuthError (400 `invalid_request` / `unsupported_grant_type` / `invalid_scope` /
   *   `invalid_grant`, 401 `invalid_client`); TemporarilyUnavailableError (503) when a store or
   *   the key source fails.
   */
  async exchange(request: RefreshGrantRequest): Promise<IssuedTokens> {
    const { params, client } = request;
    const grantType = params.get('grant_type');
    if (grantType === undefined || grantType === '')
      throw OAuthError.invalidRequest('grant_type is required');
    if (grantType !== 'refresh_token') throw OAuthError.unsupportedGrantType();
    const token = this.presentedToken(params.get('refresh_token'), request.cookieToken);
    const requested = this.requestedScope(params.get('scope'));

    const parts = parseRefreshToken(token);
    if (!parts) return this.refuse('malformed');
    const secretHash = hashSecret(parts.secret);

    // client_id and scope are checked before the token is consumed; the family fields they read
    // never change, so this read cannot race the rotation (RT4, RT5).
    if (client.clientId !== undefined || requested !== undefined || this.config.clients.size > 0) {
      const family = await storeCall(
        () => this.store.authenticate(parts.familyId, parts.tokenId, secretHash),
        this.config.storeTimeoutMs,
      );
      if (!family) return this.refuse('unknown', parts.familyId);
      this.checkClient(family, client);
      if (requested && !isSubset(requested, family.scope)) throw OAuthError.invalidScope();
    }

    const successor = newRefreshToken(parts.familyId);
    const successorToken = formatRefreshToken(successor);
    const graceMs = this.config.graceSeconds * 1000;
    const result = await storeCall(
      () =>
        this.store.rotate({
          familyId: parts.familyId,
          tokenId: parts.tokenId,
          secretHash,
          successor: {
            tokenId: successor.tokenId,
            secretHash: hashSecret(successor.secret),
            ciphertext: graceMs > 0 ? sealSuccessor(parts, successorToken) : undefined,
          },
          now: this.clock.now(),
          graceMs,
          idleTtlMs: this.config.refreshIdleTtl * 1000,
        }),
      this.config.storeTimeoutMs,
    );
    return this.answer(result, parts, successorToken, requested);
  }

  private async answer(
    result: RotateResult,
    parts: RefreshTokenParts,
    successorToken: string,
    requested: string[] | undefined,
  ): Promise<IssuedTokens> {
    switch (result.outcome) {
      case 'invalid':
        return this.refuse(result.reason, parts.familyId);
      case 'reuse':
        this.events.emit('refresh.reuse_detected', {
          family: familyRef(result.family.id),
          subject: result.family.subject,
          clientId: result.family.clientId,
        });
        await this.sessions.revokeAccessTokensOf(result.family, 'reuse');
        throw OAuthError.invalidGrant();
      case 'grace': {
        const replayed = openSuccessor(parts, result.ciphertext);
        if (!replayed) return this.refuse('mismatch', parts.familyId);
        await this.checkSubject(result.family);
        this.events.emit('refresh.grace_replay', {
          family: familyRef(result.family.id),
          subject: result.family.subject,
        });
        return this.tokens(result.family, replayed, requested);
      }
      case 'rotated':
        await this.checkSubject(result.family);
        this.events.emit('refresh.rotated', {
          family: familyRef(result.family.id),
          subject: result.family.subject,
        });
        return this.tokens(result.family, successorToken, requested);
    }
  }

  /** A fresh access token of the family beside the refresh token being handed out. */
  private async tokens(
    family: RefreshFamily,
    refreshToken: string,
    requested: string[] | undefined,
  ): Promise<IssuedTokens> {
    // RT4: a narrower scope narrows only the access token; the family keeps its scope.
    const scope = requested ? requested.join(' ') : family.scope;
    const access = await this.accessTokens.mint({
      subject: family.subject,
      clientId: family.clientId,
      scope,
      sessionId: family.id,
      claims: family.claims,
    });
    const now = this.clock.now();
    const refreshEnd = Math.min(
      family.absoluteExpiresAt,
      family.lastUsedAt + this.config.refreshIdleTtl * 1000,
    );
    return {
      body: {
        access_token: access.token,
        token_type: 'Bearer',
        expires_in: access.expiresIn,
        refresh_token: refreshToken,
        scope,
      },
      refreshExpiresIn: Math.max(0, Math.floor((refreshEnd - now) / 1000)),
    };
  }

  /** RT21: a family older than its subject's revocation is revoked now, whatever the index said. */
  private async checkSubject(family: RefreshFamily): Promise<void> {
    if (!this.sessions.isSubjectRevoked(family)) return;
    await this.sessions.revokeFamily(family.id, 'subject_revoked');
    this.refuse('subject_revoked', family.id);
  }

  private checkClient(family: RefreshFamily, client: ClientIdentity): void {
    // A confidential client's tokens need that client's credentials (RFC 6749 §6).
    if (
      this.clients.isConfidential(family.clientId) &&
      !(client.authenticated && client.clientId === family.clientId)
    ) {
      throw this.clients.invalidClient();
    }
    // RT5: another client's token is invalid_grant, as any other unusable token.
    if (client.clientId !== undefined && client.clientId !== family.clientId) {
      this.refuse('client_mismatch', family.id);
    }
  }

  private presentedToken(fromBody: string | undefined, fromCookie: string | undefined): string {
    if (fromBody !== undefined && fromCookie !== undefined && fromBody !== fromCookie) {
      throw OAuthError.invalidRequest('give the refresh token once, in the body or the cookie');
    }
    const token = fromBody ?? fromCookie;
    if (token === undefined || token === '')
      throw OAuthError.invalidRequest('refresh_token is required');
    return token;
  }

  private requestedScope(scope: string | undefined): string[] | undefined {
    if (scope === undefined || scope === '') return undefined;
    const names = parseScope(scope);
    if (!names || names.length === 0)
      throw OAuthError.invalidScope('the requested scope is malformed');
    return names;
  }

  /** Reports why (RT3: the event tells failures apart, the answer does not) and refuses. */
  private refuse(reason: string, familyId?: string): never {
    this.events.emit('refresh.invalid', { reason, family: familyId && familyRef(familyId) });
    throw OAuthError.invalidGrant();
  }
}
