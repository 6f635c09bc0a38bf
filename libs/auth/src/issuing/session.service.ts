import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { AuthUser } from '../auth-user';
import { Clock } from '../clock';
import { RefreshTokenStore } from '../stores/refresh-token.store';
import { IssuingConfig } from './issuing-config';
import { SessionRevocationService } from './session-revocation.service';
import { storeCall } from './store-call';

/** RT20: one session as `GET /auth/sessions` lists it — no token material. */
export interface SessionView {
  /** The family id; `sid` of its access tokens. */
  readonly id: string;
  readonly clientId: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601: the last refresh (or the login). */
  readonly lastUsedAt: string;
  /** True for the session of the access token making the request. */
  readonly current: boolean;
}

/**
 * The caller's sessions (RT20, RT21; DESIGN K1, K2): list, revoke one, log out, log out
 * everywhere. Only this API's own access tokens may manage sessions: a token of another issuer
 * has a `sub` from another namespace.
 */
@Injectable()
export class SessionService {
  constructor(
    @Inject(IssuingConfig) private readonly config: IssuingConfig,
    private readonly store: RefreshTokenStore,
    private readonly revocation: SessionRevocationService,
    private readonly clock: Clock,
  ) {}

  /** The caller's live sessions, oldest first. */
  async list(user: AuthUser): Promise<SessionView[]> {
    this.assertOwnToken(user);
    const families = await storeCall(
      () =>
        this.store.listFamilies(user.subject, this.clock.now(), this.config.refreshIdleTtl * 1000),
      this.config.storeTimeoutMs,
    );
    return families.map((f) => ({
      id: f.id,
      clientId: f.clientId,
      createdAt: new Date(f.createdAt).toISOString(),
      lastUsedAt: new Date(f.lastUsedAt).toISOString(),
      current: f.id === user.sessionId,
    }));
  }

  /**
   * Revokes one of the caller's sessions and its access tokens.
   * @throws NotFoundException for an unknown id or another subject's session (RT20).
   */
  async revoke(user: AuthUser, sessionId: string): Promise<void> {
    this.assertOwnToken(user);
    const family = await storeCall(
      () => this.store.getFamily(sessionId),
      this.config.storeTimeoutMs,
    );
    if (!family || family.subject !== user.subject) throw new NotFoundException('No such session');
    await this.revocation.revokeFamily(family.id, 'session_deleted');
  }

  /** Ends the caller's current session: its family, and this access token at once (K1). */
  async logout(user: AuthUser): Promise<void> {
    this.assertOwnToken(user);
    if (user.sessionId !== undefined) {
      const family = await storeCall(
        () => this.store.getFamily(user.sessionId!),
        this.config.storeTimeoutMs,
      );
      if (family && family.subject === user.subject)
        await this.revocation.revokeFamily(family.id, 'logout');
    }
    if (user.tokenId !== undefined)
      await this.revocation.revokeAccessToken(user.tokenId, user.expiresAt);
  }

  /** RT21: every session of the caller, and every access token issued before now (E5). */
  async logoutAll(user: AuthUser): Promise<void> {
    this.assertOwnToken(user);
    await this.revocation.revokeSubject(user.subject);
  }

  private assertOwnToken(user: AuthUser | undefined): asserts user is AuthUser {
    if (!user || user.issuer !== this.config.issuer) {
      throw new ForbiddenException("Sessions are managed with this API's own access tokens");
    }
  }
}
