import { Inject, Injectable } from '@nestjs/common';
import { AuthEvents } from '../auth-events';
import { Clock } from '../clock';
import { IssuingConfig } from './issuing-config';
import { familyRef } from './refresh-token.codec';
import { storeCall } from './store-call';
import type { RefreshFamily } from '../stores/refresh-token.store';
import { RefreshTokenStore } from '../stores/refresh-token.store';
import { RevocationStore } from '../revocation/revocation.store';

/** Why a family was revoked, as reported in the `family.revoked` event. */
export type FamilyRevocationReason =
  'reuse' | 'logout' | 'session_deleted' | 'revoked' | 'evicted' | 'subject_revoked';

/**
 * Revokes sessions (refresh families) together with their live access tokens (DESIGN K1, K2;
 * RT9, RT19–RT21): the family in the `RefreshTokenStore`, its `sid` in the `RevocationStore` until
 * the last access token it could have minted has expired (K4). Store failures become 503 (E7).
 */
@Injectable()
export class SessionRevocationService {
  constructor(
    @Inject(IssuingConfig) private readonly config: IssuingConfig,
    private readonly families: RefreshTokenStore,
    private readonly revocations: RevocationStore,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
  ) {}

  /** Revokes a family and its access tokens. Returns the family, or undefined when unknown. */
  async revokeFamily(
    familyId: string,
    reason: FamilyRevocationReason,
  ): Promise<RefreshFamily | undefined> {
    const family = await storeCall(
      () => this.families.revokeFamily(familyId, this.clock.now()),
      this.config.storeTimeoutMs,
    );
    if (family) await this.revokeAccessTokensOf(family, reason);
    return family;
  }

  /**
   * Refuses the access tokens of a family the store has already revoked (reuse, eviction): every
   * token with its `sid`, until the latest `exp` one could carry.
   */
  async revokeAccessTokensOf(family: RefreshFamily, reason: FamilyRevocationReason): Promise<void> {
    const until = this.config.accessTokenHorizon(this.clock.nowSeconds());
    await storeCall(
      () => this.revocations.revokeSession(family.id, until),
      this.config.storeTimeoutMs,
    );
    this.events.emit('family.revoked', {
      family: familyRef(family.id),
      subject: family.subject,
      clientId: family.clientId,
      reason,
    });
  }

  /** K1: refuses one access token (`jti`) until its `exp` plus the clock tolerance. */
  async revokeAccessToken(tokenId: string, expiresAt: number): Promise<void> {
    const until = expiresAt + this.config.clockTolerance;
    await storeCall(() => this.revocations.revokeToken(tokenId, until), this.config.storeTimeoutMs);
    this.events.emit('token.revoked', { tokenId });
  }

  /**
   * K2, RT21: logout everywhere. First refuses every token of the subject issued before now (E5)
   * — so a family created while this runs is refused at its next rotation — then revokes every
   * family of the subject.
   */
  async revokeSubject(subject: string): Promise<number> {
    const now = this.clock.nowSeconds();
    // `iat` has whole seconds: refuse this second too, or a token minted a moment ago survives.
    // Tokens minted after this call get `iat` ≥ `now + 1` (AccessTokenService), so they pass.
    const notBefore = now + 1;
    await storeCall(
      () => this.revocations.revokeSubject(subject, notBefore, this.config.accessTokenHorizon(now)),
      this.config.storeTimeoutMs,
    );
    const revoked = await storeCall(
      () => this.families.revokeSubjectFamilies(subject, this.clock.now()),
      this.config.storeTimeoutMs,
    );
    for (const family of revoked) {
      this.events.emit('family.revoked', {
        family: familyRef(family.id),
        subject,
        clientId: family.clientId,
        reason: 'subject_revoked',
      });
    }
    this.events.emit('subject.revoked', { subject, families: revoked.length });
    return revoked.length;
  }

  /**
   * RT21: true when the family was created before its subject's `subjectRevokedBefore`, so it
   * must not be refreshed even if the index missed it.
   */
  isSubjectRevoked(family: RefreshFamily): boolean {
    const notBefore = this.revocations.subjectRevokedBefore(
      family.subject,
      this.clock.nowSeconds(),
    );
    // `notBefore` is one second past the logout (see revokeSubject); families are compared with
    // the logout second itself, so a login right after logout-all keeps its family.
    return notBefore !== undefined && Math.floor(family.createdAt / 1000) < notBefore - 1;
  }
}
