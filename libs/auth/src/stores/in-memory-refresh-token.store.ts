import { Injectable } from '@nestjs/common';
import { sameHash } from './same-hash';
import {
  CreateFamilyInput,
  CreateFamilyResult,
  RefreshFamily,
  RefreshTokenStore,
  RotateInput,
  RotateResult,
  StoredRefreshToken,
} from './refresh-token.store';

interface FamilyRecord {
  family: RefreshFamily;
  readonly tokens: Map<string, StoredRefreshToken>;
  /** Successor ciphertexts by the tid they replace, with their expiry (epoch ms). */
  readonly successors: Map<string, { ciphertext: string; expiresAt: number }>;
}

/**
 * The default `RefreshTokenStore`: one process, nothing to install. Every method does its whole
 * read-decide-write synchronously — there is no `await` anywhere in this class — so on Node's one
 * thread each call is atomic (RT14). State is lost on restart, so every old token is refused
 * afterwards (RT18, fail closed). Families are dropped after their absolute expiry (K4).
 */
@Injectable()
export class InMemoryRefreshTokenStore extends RefreshTokenStore {
  private readonly families = new Map<string, FamilyRecord>();
  /** Active family ids per subject, in creation order (Map/Set keep insertion order). */
  private readonly subjects = new Map<string, Set<string>>();
  private writes = 0;

  async createFamily(input: CreateFamilyInput): Promise<CreateFamilyResult> {
    const { family: f, token } = input;
    if (this.families.has(f.id)) throw new Error('refresh family id collision');
    const family: RefreshFamily = {
      ...f,
      lastUsedAt: f.createdAt,
      currentTokenId: token.tokenId,
      state: 'active',
    };
    const record: FamilyRecord = { family, tokens: new Map(), successors: new Map() };
    record.tokens.set(token.tokenId, {
      tokenId: token.tokenId,
      secretHash: token.secretHash,
      issuedAt: f.createdAt,
      state: 'current',
    });
    this.families.set(f.id, record);
    let index = this.subjects.get(f.subject);
    if (!index) this.subjects.set(f.subject, (index = new Set()));
    index.add(f.id);
    const evicted: RefreshFamily[] = [];
    // RT13: oldest first, until the cap holds.
    for (const fid of index) {
      if (index.size <= input.maxFamiliesPerSubject) break;
      const revoked = this.revokeNow(fid, f.createdAt);
      if (revoked) evicted.push(revoked);
    }
    this.sweep(f.createdAt);
    return { evicted };
  }

  async rotate(input: RotateInput): Promise<RotateResult> {
    const { now } = input;
    const record = this.live(input.familyId, now);
    const token = record?.tokens.get(input.tokenId);
    if (!record || !token) return { outcome: 'invalid', reason: 'unknown' };
    if (!sameHash(token.secretHash, input.secretHash))
      return { outcome: 'invalid', reason: 'mismatch' };
    const family = record.family;
    if (family.state === 'revoked') return { outcome: 'invalid', reason: 'revoked', family };
    if (now >= family.absoluteExpiresAt) return { outcome: 'invalid', reason: 'expired', family };

    if (token.state === 'current') {
      if (now >= token.issuedAt + input.idleTtlMs) {
        return { outcome: 'invalid', reason: 'expired', family };
      }
      const { successor } = input;
      record.tokens.set(token.tokenId, { ...token, state: 'rotated', rotatedAt: now });
      record.tokens.set(successor.tokenId, {
        tokenId: successor.tokenId,
        secretHash: successor.secretHash,
        parentTokenId: token.tokenId,
        issuedAt: now,
        state: 'current',
      });
      if (successor.ciphertext !== undefined && input.graceMs > 0) {
        record.successors.set(token.tokenId, {
          ciphertext: successor.ciphertext,
          expiresAt: now + input.graceMs,
        });
      }
      record.family = { ...family, currentTokenId: successor.tokenId, lastUsedAt: now };
      this.sweep(now);
      return { outcome: 'rotated', family: record.family };
    }

    // The token was consumed before: a replay inside the window gets the same successor (RT8).
    const current = record.tokens.get(family.currentTokenId);
    const stored = record.successors.get(token.tokenId);
    if (
      input.graceMs > 0 &&
      token.rotatedAt !== undefined &&
      now < token.rotatedAt + input.graceMs &&
      current?.parentTokenId === token.tokenId &&
      stored !== undefined &&
      now < stored.expiresAt
    ) {
      return { outcome: 'grace', family, ciphertext: stored.ciphertext };
    }
    // RT9: reuse outside the window, or an older ancestor — the whole family goes.
    return { outcome: 'reuse', family: this.revokeNow(family.id, now)! };
  }

  async authenticate(
    familyId: string,
    tokenId: string,
    secretHash: string,
  ): Promise<RefreshFamily | undefined> {
    const record = this.families.get(familyId);
    const token = record?.tokens.get(tokenId);
    if (!record || !token || !sameHash(token.secretHash, secretHash)) return undefined;
    return record.family;
  }

  async getFamily(familyId: string): Promise<RefreshFamily | undefined> {
    return this.families.get(familyId)?.family;
  }

  async listFamilies(subject: string, now: number, idleTtlMs: number): Promise<RefreshFamily[]> {
    const out: RefreshFamily[] = [];
    for (const fid of this.subjects.get(subject) ?? []) {
      const family = this.live(fid, now)?.family;
      if (family && family.state === 'active' && now < family.lastUsedAt + idleTtlMs)
        out.push(family);
    }
    return out;
  }

  async revokeFamily(familyId: string, now: number): Promise<RefreshFamily | undefined> {
    return this.revokeNow(familyId, now);
  }

  async revokeSubjectFamilies(subject: string, now: number): Promise<RefreshFamily[]> {
    const out: RefreshFamily[] = [];
    for (const fid of [...(this.subjects.get(subject) ?? [])]) {
      const family = this.families.get(fid)?.family;
      const revoked = this.revokeNow(fid, now);
      if (revoked && family?.state === 'active') out.push(revoked);
    }
    return out;
  }

  /** Revokes synchronously; the records stay until absolute expiry (RT10, RT11). */
  private revokeNow(familyId: string, now: number): RefreshFamily | undefined {
    const record = this.live(familyId, now);
    if (!record) return undefined;
    if (record.family.state !== 'revoked') record.family = { ...record.family, state: 'revoked' };
    record.successors.clear();
    this.unindex(record.family);
    return record.family;
  }

  /** The record, unless past its absolute expiry (then it is dropped). */
  private live(familyId: string, now: number): FamilyRecord | undefined {
    const record = this.families.get(familyId);
    if (record && now >= record.family.absoluteExpiresAt) {
      this.drop(record);
      return undefined;
    }
    return record;
  }

  private drop(record: FamilyRecord): void {
    this.families.delete(record.family.id);
    this.unindex(record.family);
  }

  private unindex(family: RefreshFamily): void {
    const index = this.subjects.get(family.subject);
    if (!index) return;
    index.delete(family.id);
    if (index.size === 0) this.subjects.delete(family.subject);
  }

  /** Every 1000 writes, drop families past absolute expiry and stale successor ciphertexts (K4). */
  private sweep(now: number): void {
    if (++this.writes % 1000 !== 0) return;
    for (const record of this.families.values()) {
      if (now >= record.family.absoluteExpiresAt) {
        this.drop(record);
        continue;
      }
      for (const [tid, s] of record.successors)
        if (s.expiresAt <= now) record.successors.delete(tid);
    }
  }
}
