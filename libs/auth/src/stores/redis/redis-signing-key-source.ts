import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuthEvents } from '../../auth-events';
import { Clock } from '../../clock';
import { TemporarilyUnavailableError } from '../../errors/auth.errors';
import type { IssuingConfig } from '../../issuing/issuing-config';
import { generateSigningKey, signingKeyFromPem } from '../signing-key.factory';
import { SigningKeyRing } from '../signing-key-ring';
import { SigningKey, SigningKeySource, SigningKeyStatus } from '../signing-key-source';
import { ChannelListener, RedisConnection } from './redis-connection';
import { REDIS_STORES_DEFAULTS } from './redis-stores.options';
import { loadPrivateKey, StoredPrivateKey, storePrivateKey } from './signing-key.cipher';
import { UNLOCK_SCRIPT, WRITE_KEYS_SCRIPT } from './signing-key.scripts';

/** One key as stored in the `<prefix>{sk}:keys` hash, under its kid. Times epoch ms. */
interface StoredKey extends StoredPrivateKey {
  readonly alg: string;
  readonly publishedAt: number;
  readonly activatesAt: number;
  readonly revokedAt?: number;
  /** Order of the changes (adding, revoking): the schedule is rebuilt by replaying them. */
  readonly seq: number;
  readonly revokedSeq?: number;
}

/** Longest wait for the lock another instance holds, ms. */
const LOCK_WAIT_MS = 5000;
/** After a failed read, how long the cached keys are served before Redis is asked again, ms. */
const RETRY_READ_MS = 1000;

/**
 * `SigningKeySource` shared by every instance through Redis (DESIGN R1, S2; RT22–RT25): the keys
 * and their schedule live in one hash, so every instance signs with the same active key and
 * publishes the same JWKS. Whoever changes the keys — the first key, `rotate()`, `revokeKey()`,
 * `keys.rotateEvery` — holds a lock with an expiry (SET NX PX) and writes only while holding it,
 * so one instance rotates at a time and a crashed holder blocks the others for at most the lock
 * expiry. Changes are announced on `<prefix>sk`; every instance also re-reads the keys every
 * 30 s, far inside `keys.prePublish` (≥ 600 s), so each publishes a new key before it signs.
 *
 * Reads are cached: while Redis is down, the last keys keep signing and the JWKS keeps being
 * served (validation goes on); with no keys read yet, `activeKey` answers 503 (E7).
 *
 * Private keys are stored as PKCS#8 PEM — AES-256-GCM sealed when
 * `stores.redis.signingKeyEncryptionKey` is set. Without it, anyone who can read the Redis can
 * sign tokens: protect the Redis accordingly (ACLs, TLS, no public network).
 */
@Injectable()
export class RedisSigningKeySource
  extends SigningKeySource
  implements OnModuleInit, ChannelListener
{
  private readonly hashKey: string;
  private readonly lockKey: string;
  private readonly channel: string;
  private readonly prePublishMs: number;
  private readonly retireAfterMs: number;
  private readonly rotateEveryMs: number | undefined;
  /** Parsed keys by kid: a PEM is parsed once per process. */
  private readonly parsed = new Map<string, SigningKey>();
  private ring?: SigningKeyRing;
  /** The entries behind `ring`, as last read. */
  private stored = new Map<string, StoredKey>();
  private readAt = 0;
  private failedAt = 0;
  private reading?: Promise<SigningKeyRing>;
  private unread = false;
  private rotating?: Promise<void>;

  constructor(
    private readonly connection: RedisConnection,
    private readonly clock: Clock,
    private readonly config: IssuingConfig,
    private readonly events: AuthEvents,
  ) {
    super();
    this.hashKey = `${connection.prefix}{sk}:keys`;
    this.lockKey = `${connection.prefix}{sk}:lock`;
    this.channel = `${connection.prefix}sk`;
    this.prePublishMs = config.prePublish * 1000;
    this.retireAfterMs = config.retireAfter * 1000;
    this.rotateEveryMs = config.rotateEvery === undefined ? undefined : config.rotateEvery * 1000;
  }

  /** Subscribes to key changes and makes sure a key signs, so the first token does not wait. */
  async onModuleInit(): Promise<void> {
    await this.connection.whenReady();
    this.connection.listen(this.channel, this);
    // Redis down at start-up: activeKey answers 503 until it is back.
    await this.ensureActive().catch(() => undefined);
  }

  /** ChannelListener: another instance changed the keys. */
  message(): void {
    void this.read().catch(() => undefined);
  }

  /** ChannelListener: (re)subscribed; changes may have been missed. */
  subscribed(): void {
    void this.read().catch(() => undefined);
  }

  /** ChannelListener: nothing to do; the periodic re-read covers the gap. */
  lost(): void {}

  async activeKey(): Promise<SigningKey> {
    await this.ensureActive();
    this.maybeStartRotation();
    const key = (await this.current()).active(this.clock.now());
    if (!key) throw new TemporarilyUnavailableError('No signing key is available', 1);
    return key;
  }

  async publishedKeys(): Promise<SigningKey[]> {
    const ring = await this.current();
    this.maybeStartRotation();
    return ring.published(this.clock.now());
  }

  async status(): Promise<SigningKeyStatus[]> {
    return (await this.current()).status(this.clock.now());
  }

  /** RT23: publishes a pending key that signs `keys.prePublish` from now; one instance at a time. */
  async rotate(): Promise<SigningKeyStatus> {
    return this.locked(async (token) => {
      await this.read();
      const key = await generateSigningKey(this.config.algorithm);
      const now = this.clock.now();
      await this.write(token, [[key, { publishedAt: now, activatesAt: now + this.prePublishMs }]]);
      const ring = await this.read();
      return ring.status(this.clock.now()).find((s) => s.kid === key.kid)!;
    });
  }

  /** RT24: removes the key from the JWKS at once; a pending key, or a new one, takes over. */
  async revokeKey(kid: string): Promise<void> {
    await this.locked(async (token) => {
      const stored = await this.readStored();
      const entry = stored.get(kid);
      if (!entry || entry.revokedAt !== undefined) return;
      this.stored = stored;
      const revoked = { ...entry, revokedAt: this.clock.now(), revokedSeq: this.nextSeq() };
      await this.writeStored(token, [[kid, revoked]]);
      await this.createIfNoneSigns(token);
    });
  }

  /**
   * The cached keys. Older than the refresh interval, they are still returned at once while a
   * re-read runs in the background (signing and the JWKS never wait on Redis once keys are
   * known); with no keys yet, the caller waits for the read.
   * @throws TemporarilyUnavailableError when no keys have ever been read and Redis fails.
   */
  private async current(): Promise<SigningKeyRing> {
    if (!this.ring) {
      try {
        return await this.read();
      } catch {
        throw new TemporarilyUnavailableError('The signing keys are unavailable', 1);
      }
    }
    const now = Date.now();
    const stale = now - this.readAt >= REDIS_STORES_DEFAULTS.keyRefreshMs;
    if (stale && !this.reading && now - this.failedAt >= RETRY_READ_MS) {
      this.read().catch(() => {
        this.failedAt = Date.now();
        this.events.emit('signing_keys.stale_keys_served', {});
      });
    }
    return this.ring;
  }

  /**
   * Reads every key from Redis and rebuilds the schedule. Concurrent callers share one read, but
   * each gets data read after its call: a call during a read makes the read go round once more
   * (a change announced mid-read is not lost).
   */
  private read(): Promise<SigningKeyRing> {
    this.unread = true;
    this.reading ??= (async () => {
      try {
        while (this.unread) {
          this.unread = false;
          const stored = await this.readStored();
          this.ring = this.buildRing(stored);
          this.stored = stored;
          this.readAt = Date.now();
        }
        return this.ring!;
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async readStored(): Promise<Map<string, StoredKey>> {
    const raw = await this.connection.ready().hgetall(this.hashKey);
    return new Map(Object.entries(raw).map(([kid, json]) => [kid, JSON.parse(json) as StoredKey]));
  }

  /**
   * The schedule from the stored entries, the same on every instance: the additions and
   * revocations replayed in the order they were made (`seq`), each at its own time — so ties in
   * time break as they did, and a revocation promotes the pending key it promoted then.
   * @throws Error when a key cannot be opened; a misconfigured instance must not sign.
   */
  private buildRing(stored: Map<string, StoredKey>): SigningKeyRing {
    const ring = new SigningKeyRing({
      prePublishMs: this.prePublishMs,
      retireAfterMs: this.retireAfterMs,
    });
    const changes: { seq: number; apply: () => void }[] = [];
    for (const [kid, e] of stored) {
      const key = this.parse(kid, e);
      changes.push({ seq: e.seq, apply: () => ring.add(key, e.publishedAt, e.activatesAt) });
      if (e.revokedAt !== undefined) {
        changes.push({ seq: e.revokedSeq ?? e.seq, apply: () => ring.revoke(kid, e.revokedAt!) });
      }
    }
    changes.sort((a, b) => a.seq - b.seq).forEach((change) => change.apply());
    return ring;
  }

  /** The next change number, from the entries read under the lock. */
  private nextSeq(): number {
    let max = 0;
    for (const e of this.stored.values()) max = Math.max(max, e.seq, e.revokedSeq ?? 0);
    return max + 1;
  }

  private parse(kid: string, entry: StoredKey): SigningKey {
    const known = this.parsed.get(kid);
    if (known) return known;
    try {
      const pem = loadPrivateKey(entry, kid, this.connection.options.encryptionKey);
      const key = signingKeyFromPem(pem, 'stores.redis signing key');
      if (key.kid !== kid) throw new Error('stored signing key does not match its kid');
      this.parsed.set(kid, key);
      return key;
    } catch (error) {
      this.events.emit('signing_keys.load_failed', {
        kid,
        why: error instanceof Error ? error.message : 'unreadable',
      });
      throw error;
    }
  }

  /** Makes a key that signs at once when none does, under the lock (re-checked once held). */
  private async ensureActive(): Promise<void> {
    const ring = await this.current();
    if (ring.active(this.clock.now())) return;
    await this.locked((token) => this.createIfNoneSigns(token));
  }

  private async createIfNoneSigns(token: string): Promise<void> {
    const ring = await this.read();
    const now = this.clock.now();
    if (ring.active(now)) return;
    const key = await generateSigningKey(this.config.algorithm);
    // No verifier can have cached a key that never signed anything: this one signs at once.
    await this.write(token, [[key, { publishedAt: now, activatesAt: now }]]);
    await this.read();
  }

  /** `keys.rotateEvery`: publish the successor `prePublish` before the active key's time is up. */
  private maybeStartRotation(): void {
    if (this.rotateEveryMs === undefined || this.rotating || !this.due(this.ring)) return;
    this.rotating = this.tryLock(async (token) => {
      const ring = await this.read();
      const due = this.due(ring);
      if (due === undefined) return; // another instance did it meanwhile
      const key = await generateSigningKey(this.config.algorithm);
      const now = this.clock.now();
      await this.write(token, [
        [key, { publishedAt: now, activatesAt: Math.max(now + this.prePublishMs, due) }],
      ]);
      await this.read();
    })
      .then(() => undefined)
      // A failed rotation is tried again on a later call; the active key keeps signing meanwhile.
      .catch(() => undefined)
      .finally(() => (this.rotating = undefined));
  }

  /** When the next key must start signing, if a rotation should start now. */
  private due(ring: SigningKeyRing | undefined): number | undefined {
    return ring?.rotationDue(this.clock.now(), this.rotateEveryMs!, this.prePublishMs);
  }

  private async write(
    token: string,
    added: [SigningKey, { publishedAt: number; activatesAt: number }][],
  ): Promise<void> {
    const seq = this.nextSeq();
    const entries: [string, StoredKey][] = added.map(([key, times], i) => [
      key.kid,
      {
        seq: seq + i,
        alg: key.alg,
        ...storePrivateKey(
          key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
          key.kid,
          this.connection.options.encryptionKey,
        ),
        ...times,
      },
    ]);
    for (const [key] of added) this.parsed.set(key.kid, key);
    await this.writeStored(token, entries, this.prunable());
  }

  /** Fenced write: applied only while `token` holds the lock; announced to every instance. */
  private async writeStored(
    token: string,
    entries: [string, StoredKey][],
    deletes: string[] = [],
  ): Promise<void> {
    await WRITE_KEYS_SCRIPT.run(
      this.connection.ready(),
      [this.hashKey, this.lockKey],
      [
        token,
        this.channel,
        entries.length,
        ...entries.flatMap(([kid, entry]) => [kid, JSON.stringify(entry)]),
        ...deletes,
      ],
    );
  }

  /** Keys removed from the JWKS for longer than `retireAfter`: their status is history enough. */
  private prunable(): string[] {
    const now = this.clock.now();
    return (this.ring?.status(now) ?? [])
      .filter((s) => s.state === 'removed' && (s.removesAt ?? now) + this.retireAfterMs < now)
      .map((s) => s.kid);
  }

  /** Runs `work` holding the lock, waiting for it up to `LOCK_WAIT_MS`. */
  private async locked<T>(work: (token: string) => Promise<T>): Promise<T> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const result = await this.tryLock(work);
      if (result.held) return result.value as T;
      if (Date.now() > deadline) {
        throw new TemporarilyUnavailableError('The signing keys are being changed', 1);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Runs `work` if the lock is free now (SET NX PX); always releases what it took. */
  private async tryLock<T>(
    work: (token: string) => Promise<T>,
  ): Promise<{ held: boolean; value?: T }> {
    const token = randomBytes(16).toString('base64url');
    const client = this.connection.ready();
    const taken = await client.set(
      this.lockKey,
      token,
      'PX',
      REDIS_STORES_DEFAULTS.keyLockMs,
      'NX',
    );
    if (taken !== 'OK') return { held: false };
    try {
      return { held: true, value: await work(token) };
    } finally {
      await UNLOCK_SCRIPT.run(client, [this.lockKey], [token]).catch(() => undefined);
    }
  }
}
