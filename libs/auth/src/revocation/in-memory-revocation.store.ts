import { Injectable } from '@nestjs/common';
import { Clock } from '../clock';
import { RevocationStore, RevocationSubject, RevocationVerdict } from './revocation.store';

/** One answer for every request that is not revoked: no object per check. */
const NOT_REVOKED: RevocationVerdict = Object.freeze({ revoked: false });

/**
 * The default `RevocationStore`: one process, nothing to install. Expired entries are pruned as
 * they are met and by a sweep on writes, so memory follows the number of live revocations (K4).
 */
@Injectable()
export class InMemoryRevocationStore extends RevocationStore {
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly subjects = new Map<string, { notBefore: number; expiresAt: number }>();
  private writes = 0;

  constructor(private readonly clock: Clock) {
    super();
  }

  check(token: RevocationSubject, nowSeconds: number): RevocationVerdict {
    if (token.tokenId !== undefined && this.live(this.tokens, token.tokenId, nowSeconds)) {
      return { revoked: true, reason: 'token' };
    }
    if (token.sessionId !== undefined && this.live(this.sessions, token.sessionId, nowSeconds)) {
      return { revoked: true, reason: 'session' };
    }
    const notBefore = this.subjectRevokedBefore(token.subject, nowSeconds);
    if (notBefore !== undefined && token.issuedAt < notBefore) {
      return { revoked: true, reason: 'subject', notBefore };
    }
    return NOT_REVOKED;
  }

  async revokeToken(tokenId: string, expiresAt: number): Promise<void> {
    this.tokens.set(tokenId, Math.max(expiresAt, this.tokens.get(tokenId) ?? 0));
    this.sweep();
  }

  async revokeSession(sessionId: string, expiresAt: number): Promise<void> {
    this.sessions.set(sessionId, Math.max(expiresAt, this.sessions.get(sessionId) ?? 0));
    this.sweep();
  }

  async revokeSubject(subject: string, notBefore: number, expiresAt: number): Promise<void> {
    const previous = this.subjects.get(subject);
    this.subjects.set(subject, {
      notBefore: Math.max(notBefore, previous?.notBefore ?? 0),
      expiresAt: Math.max(expiresAt, previous?.expiresAt ?? 0),
    });
    this.sweep();
  }

  subjectRevokedBefore(subject: string, nowSeconds: number): number | undefined {
    if (this.subjects.size === 0) return undefined;
    const entry = this.subjects.get(subject);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowSeconds) {
      this.subjects.delete(subject);
      return undefined;
    }
    return entry.notBefore;
  }

  private live(entries: Map<string, number>, key: string, nowSeconds: number): boolean {
    // Checked on every request, and most maps are empty: then no key is even hashed.
    if (entries.size === 0) return false;
    const until = entries.get(key);
    if (until === undefined) return false;
    if (until > nowSeconds) return true;
    entries.delete(key);
    return false;
  }

  /** Every 1000 writes, drop what has expired. */
  private sweep(): void {
    if (++this.writes % 1000 !== 0) return;
    const now = this.clock.nowSeconds();
    for (const map of [this.tokens, this.sessions]) {
      for (const [key, until] of map) if (until <= now) map.delete(key);
    }
    for (const [key, entry] of this.subjects) if (entry.expiresAt <= now) this.subjects.delete(key);
  }
}
