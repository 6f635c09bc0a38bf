import { Injectable } from '@nestjs/common';
import { sameHash } from '../same-hash';
import {
  CreateFamilyInput,
  CreateFamilyResult,
  RefreshFamily,
  RefreshTokenStore,
  RotateInput,
  RotateResult,
} from '../refresh-token.store';
import { decodeFamily, encodeClaims, FAMILY_FIELDS } from './refresh-family.codec';
import { isStoreId, RefreshKeys } from './refresh-keys';
import { RedisConnection, RedisUnavailableError } from './redis-connection';
import {
  CREATE_FAMILY_SCRIPT,
  INDEX_ADD_SCRIPT,
  REVOKE_FAMILY_SCRIPT,
  ROTATE_SCRIPT,
} from './refresh-token.scripts';

type Reply = (string | null)[];

/**
 * `RefreshTokenStore` in Redis or Redis Cluster (DESIGN S1, S2, R7; RT14–RT18), for any number of
 * instances. Rotation is one Lua script over the keys of one family, which share the `{fid}` hash
 * tag (RT16), so concurrent refreshes on any instances leave one line of descent (RT15). Keys
 * expire at the family's absolute expiry (RT11, K4). The per-subject index (another slot) is
 * updated after the scripts; a family is written before it is indexed, so a failure in between
 * leaves at worst an unindexed family whose token was never handed out.
 *
 * Every method rejects at once when Redis is not connected, and within `commandTimeoutMs` when
 * it is slow (RT18); state survives restarts of the app.
 */
@Injectable()
export class RedisRefreshTokenStore extends RefreshTokenStore {
  private readonly keys: RefreshKeys;

  /**
   * @param connection the module's Redis link.
   * @param callerTimeoutMs the caller's own deadline (`issuing.storeTimeoutMs`), when shorter than
   *   `commandTimeoutMs`: writes are refused past it, so a 503 never hides a late write.
   */
  constructor(
    private readonly connection: RedisConnection,
    private readonly callerTimeoutMs?: number,
  ) {
    super();
    this.keys = new RefreshKeys(connection.prefix);
  }

  async createFamily(input: CreateFamilyInput): Promise<CreateFamilyResult> {
    const { family: f, token } = input;
    if (!isStoreId(f.id) || !isStoreId(token.tokenId)) {
      throw new TypeError('RedisRefreshTokenStore: family and token ids must be base64url');
    }
    const client = this.connection.ready();
    await CREATE_FAMILY_SCRIPT.run(
      client,
      [this.keys.family(f.id), this.keys.token(f.id, token.tokenId)],
      [
        f.subject,
        f.clientId,
        f.scope,
        encodeClaims(f.claims),
        String(f.createdAt),
        String(f.absoluteExpiresAt),
        token.tokenId,
        token.secretHash,
        this.connection.writeDeadline(this.callerTimeoutMs),
      ],
    );
    try {
      const index = (await INDEX_ADD_SCRIPT.run(
        client,
        [this.keys.subject(f.subject)],
        [f.createdAt, f.id, f.absoluteExpiresAt - f.createdAt],
      )) as string[];
      return { evicted: await this.evict(f.subject, f.id, index, input, f.createdAt) };
    } catch (error) {
      // Not indexed, so logout-all could miss it: revoke it (best effort) before failing.
      await REVOKE_FAMILY_SCRIPT.run(client, [this.keys.family(f.id)], [f.createdAt]).catch(
        () => undefined,
      );
      throw error;
    }
  }

  async rotate(input: RotateInput): Promise<RotateResult> {
    const { familyId: fid, tokenId: tid, successor } = input;
    if (!isStoreId(fid) || !isStoreId(tid)) return { outcome: 'invalid', reason: 'unknown' };
    if (!isStoreId(successor.tokenId)) {
      throw new TypeError('RedisRefreshTokenStore: successor token id must be base64url');
    }
    const client = this.connection.ready();
    const reply = (await ROTATE_SCRIPT.run(
      client,
      [
        this.keys.family(fid),
        this.keys.token(fid, tid),
        this.keys.token(fid, successor.tokenId),
        this.keys.successor(fid, tid),
      ],
      [
        tid,
        input.secretHash,
        successor.tokenId,
        successor.secretHash,
        successor.ciphertext ?? '',
        String(input.now),
        input.graceMs,
        input.idleTtlMs,
        this.connection.writeDeadline(this.callerTimeoutMs),
      ],
    )) as Reply;
    const [outcome, reason, ciphertext, ...fields] = reply;
    if (outcome === 'late') throw new RedisUnavailableError('Redis ran the rotation too late');
    const family = decodeFamily(fid, fields);
    switch (outcome) {
      case 'rotated':
        return { outcome, family: family! };
      case 'grace':
        return { outcome, family: family!, ciphertext: ciphertext! };
      case 'reuse':
        // The index is another slot: updated after the script (RT16).
        await this.unindex(family!);
        return { outcome, family: family! };
      default:
        return {
          outcome: 'invalid',
          reason: reason as 'unknown' | 'mismatch' | 'revoked' | 'expired',
          ...(family ? { family } : {}),
        };
    }
  }

  async authenticate(
    familyId: string,
    tokenId: string,
    secretHash: string,
  ): Promise<RefreshFamily | undefined> {
    if (!isStoreId(familyId) || !isStoreId(tokenId)) return undefined;
    // One slot, so one pipeline; the stored hash never changes, so comparing here in constant
    // time (RT17) races nothing.
    const replies = await this.connection
      .ready()
      .pipeline()
      .hget(this.keys.token(familyId, tokenId), 'h')
      .hmget(this.keys.family(familyId), ...FAMILY_FIELDS)
      .exec();
    const [[hashError, stored], [familyError, fields]] = replies as [
      [Error | null, string | null],
      [Error | null, Reply],
    ];
    if (hashError || familyError) throw hashError ?? familyError;
    if (typeof stored !== 'string' || !sameHash(stored, secretHash)) return undefined;
    return decodeFamily(familyId, fields);
  }

  async getFamily(familyId: string): Promise<RefreshFamily | undefined> {
    if (!isStoreId(familyId)) return undefined;
    const fields = await this.connection
      .ready()
      .hmget(this.keys.family(familyId), ...FAMILY_FIELDS);
    return decodeFamily(familyId, fields);
  }

  async listFamilies(subject: string, now: number, idleTtlMs: number): Promise<RefreshFamily[]> {
    const families = await this.indexed(subject);
    return families.filter(
      (f) => f.state === 'active' && now < f.absoluteExpiresAt && now < f.lastUsedAt + idleTtlMs,
    );
  }

  async revokeFamily(familyId: string, now: number): Promise<RefreshFamily | undefined> {
    if (!isStoreId(familyId)) return undefined;
    const revoked = await this.revokeNow(familyId, now);
    if (revoked) await this.unindex(revoked.family);
    return revoked?.family;
  }

  async revokeSubjectFamilies(subject: string, now: number): Promise<RefreshFamily[]> {
    const client = this.connection.ready();
    const fids = await client.zrange(this.keys.subject(subject), '0', '-1');
    const revoked = await Promise.all(
      fids.filter(isStoreId).map((fid) => this.revokeNow(fid, now)),
    );
    if (fids.length) await client.zrem(this.keys.subject(subject), ...fids);
    return revoked.filter((r) => r?.before === 'active').map((r) => r!.family);
  }

  /**
   * RT13: after adding `newId`, revokes the oldest active families beyond the cap. Index entries
   * whose family is gone or revoked are dropped on the way (they never come back). Families
   * created in the same millisecond are ordered by id; the new one is never the one evicted.
   */
  private async evict(
    subject: string,
    newId: string,
    index: string[],
    input: CreateFamilyInput,
    now: number,
  ): Promise<RefreshFamily[]> {
    if (index.length <= input.maxFamiliesPerSubject) return [];
    const older = index.filter((fid) => fid !== newId);
    const families = await Promise.all(older.map((fid) => this.getFamily(fid)));
    const stale = older.filter((_, i) => {
      const f = families[i];
      return !f || f.state === 'revoked' || now >= f.absoluteExpiresAt;
    });
    const live = families.filter(
      (f): f is RefreshFamily => !!f && f.state === 'active' && now < f.absoluteExpiresAt,
    );
    const excess = live.length + 1 - input.maxFamiliesPerSubject;
    const evicted: RefreshFamily[] = [];
    for (const family of live.slice(0, Math.max(0, excess))) {
      const revoked = await this.revokeNow(family.id, now);
      if (revoked) evicted.push(revoked.family);
    }
    const drop = [...stale, ...evicted.map((f) => f.id)];
    if (drop.length) await this.connection.ready().zrem(this.keys.subject(subject), ...drop);
    return evicted;
  }

  /** The subject's indexed families, oldest first; entries gone or revoked are dropped. */
  private async indexed(subject: string): Promise<RefreshFamily[]> {
    const client = this.connection.ready();
    const fids = (await client.zrange(this.keys.subject(subject), '0', '-1')).filter(isStoreId);
    const families = await Promise.all(fids.map((fid) => this.getFamily(fid)));
    const gone = fids.filter(
      (_, i) => families[i] === undefined || families[i]!.state === 'revoked',
    );
    if (gone.length) await client.zrem(this.keys.subject(subject), ...gone);
    return families.filter((f): f is RefreshFamily => f !== undefined);
  }

  private async revokeNow(
    familyId: string,
    now: number,
  ): Promise<{ before: string; family: RefreshFamily } | undefined> {
    const reply = (await REVOKE_FAMILY_SCRIPT.run(
      this.connection.ready(),
      [this.keys.family(familyId)],
      [String(now)],
    )) as Reply | null;
    if (!reply) return undefined;
    const [before, , , ...fields] = reply;
    const family = decodeFamily(familyId, fields);
    return family && { before: before ?? '', family };
  }

  /**
   * Drops a revoked family from its subject's index. Best effort: the revocation itself is done,
   * and must be reported (the caller then refuses the family's access tokens); a stale entry is
   * harmless — listings skip revoked families and the next eviction drops it.
   */
  private async unindex(family: RefreshFamily): Promise<void> {
    try {
      await this.connection.ready().zrem(this.keys.subject(family.subject), family.id);
    } catch {
      // Left for the next eviction of this subject.
    }
  }
}
