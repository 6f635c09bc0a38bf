import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuthEvents } from '../../auth-events';
import { Clock } from '../../clock';
import { InMemoryRevocationStore } from '../../revocation/in-memory-revocation.store';
import {
  RevocationStore,
  RevocationSubject,
  RevocationVerdict,
} from '../../revocation/revocation.store';
import { ChannelListener, RedisConnection } from './redis-connection';
import { REDIS_STORES_DEFAULTS } from './redis-stores.options';
import { REVOKE_SCRIPT } from './revocation.script';
import { escapeGlob, scanValues } from './redis-scan';

type Kind = 'jti' | 'sid' | 'sub';

/** One revocation as published on the channel and kept under `<prefix>rv:<kind>:<id>`. */
interface Entry {
  readonly kind: Kind;
  readonly id: string;
  readonly expiresAt: number;
  readonly notBefore?: number;
}

/** How long to wait before trying a failed resync again, ms. */
const RESYNC_RETRY_MS = 250;

/**
 * `RevocationStore` shared through Redis (DESIGN K1–K4, S2). `check()` costs no round trip: it
 * answers from a local view in memory. Every write goes to Redis — a key per revocation with a
 * TTL to its expiry (K4) — and is published on `<prefix>rv` in the same Lua script; every
 * instance subscribes on a connection of its own and applies what it hears. On connect and on
 * every reconnect of that subscription, the view is reloaded in full (a SCAN of the revocation
 * keys), so a message missed while the link was down is found then.
 *
 * Staleness: a connected instance applies a revocation within the pub/sub delay (about a
 * millisecond on one machine; see the README). While this instance cannot reach Redis it keeps
 * refusing everything it knew (fail closed on what is known) and learns nothing new until it
 * reconnects — within the reconnect back-off (≤ 1 s) of the link working again, plus one SCAN; a
 * silently dead link is noticed within two `heartbeatMs`. While Redis is down
 * for everyone no revocation can be written anywhere: writes reject (503) rather than succeed
 * unseen. A revocation written here is applied to this instance's view first, even when Redis
 * then refuses it.
 */
@Injectable()
export class RedisRevocationStore extends RevocationStore implements OnModuleInit, ChannelListener {
  private readonly view: InMemoryRevocationStore;
  private readonly channel: string;
  private readonly keyPrefix: string;
  private synced = false;
  private resyncing?: Promise<void>;
  private again = false;
  private retry?: NodeJS.Timeout;
  private firstSync?: () => void;
  private readonly firstSynced = new Promise<void>((resolve) => (this.firstSync = resolve));

  constructor(
    private readonly connection: RedisConnection,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
  ) {
    super();
    // The local view is the in-memory store itself: same rules, same expiry (K4).
    this.view = new InMemoryRevocationStore(clock);
    this.channel = `${connection.prefix}rv`;
    this.keyPrefix = `${connection.prefix}rv:`;
  }

  /** Subscribes, then loads the view; start-up waits a bounded time for the first load. */
  async onModuleInit(): Promise<void> {
    const up = await this.connection.whenReady();
    this.connection.listen(this.channel, this);
    if (!up) return; // Redis down at start-up: the view loads when it is back.
    await Promise.race([
      this.firstSynced,
      new Promise((r) => setTimeout(r, REDIS_STORES_DEFAULTS.startupWaitMs).unref?.()),
    ]);
  }

  /** True once the view was reloaded after the latest (re)subscription. For health checks. */
  get synchronised(): boolean {
    return this.synced;
  }

  check(token: RevocationSubject, nowSeconds: number): RevocationVerdict {
    return this.view.check(token, nowSeconds);
  }

  subjectRevokedBefore(subject: string, nowSeconds: number): number | undefined {
    return this.view.subjectRevokedBefore(subject, nowSeconds);
  }

  async revokeToken(tokenId: string, expiresAt: number): Promise<void> {
    await this.write({ kind: 'jti', id: tokenId, expiresAt });
  }

  async revokeSession(sessionId: string, expiresAt: number): Promise<void> {
    await this.write({ kind: 'sid', id: sessionId, expiresAt });
  }

  async revokeSubject(subject: string, notBefore: number, expiresAt: number): Promise<void> {
    await this.write({ kind: 'sub', id: subject, expiresAt, notBefore });
  }

  /** ChannelListener: one revocation published by some instance (this one included). */
  message(payload: string): void {
    const entry = parseMessage(payload);
    if (entry) this.apply(entry);
  }

  /** ChannelListener: the subscription is (again) in place — reload everything. */
  subscribed(): void {
    this.synced = false;
    void this.resync();
  }

  /** ChannelListener: the subscription dropped; messages may be missed until it is back. */
  lost(): void {
    if (!this.synced) return;
    this.synced = false;
    this.events.emit('revocation.view_stale', {});
  }

  private async write(entry: Entry): Promise<void> {
    // Refused here at once, whatever Redis answers: failing closed on what this instance knows.
    this.apply(entry);
    const client = this.connection.ready();
    await REVOKE_SCRIPT.run(
      client,
      [`${this.keyPrefix}${entry.kind}:${entry.id}`],
      [
        entry.expiresAt,
        entry.notBefore ?? '',
        this.clock.now(),
        this.channel,
        JSON.stringify({ k: entry.kind, id: entry.id, exp: entry.expiresAt, nbf: entry.notBefore }),
      ],
    );
  }

  private apply(entry: Entry): void {
    // The in-memory writes finish synchronously; merging keeps the later expiry (idempotent).
    if (entry.kind === 'jti') void this.view.revokeToken(entry.id, entry.expiresAt);
    else if (entry.kind === 'sid') void this.view.revokeSession(entry.id, entry.expiresAt);
    else void this.view.revokeSubject(entry.id, entry.notBefore ?? 0, entry.expiresAt);
  }

  /** Reloads every live revocation; runs one at a time, again if asked meanwhile. */
  private async resync(): Promise<void> {
    if (this.resyncing) {
      this.again = true;
      return this.resyncing;
    }
    this.resyncing = this.load()
      .then(() => {
        this.synced = true;
        this.firstSync?.();
        this.events.emit('revocation.resynced', {});
      })
      .catch(() => {
        // Redis answers the subscriber but not the command client yet: try again shortly.
        clearTimeout(this.retry);
        if (this.connection.isClosed) return;
        this.retry = setTimeout(() => void this.resync(), RESYNC_RETRY_MS);
        this.retry.unref?.();
      })
      .finally(() => {
        this.resyncing = undefined;
        if (this.again) {
          this.again = false;
          void this.resync();
        }
      });
    return this.resyncing;
  }

  private async load(): Promise<void> {
    const found = await scanValues(this.connection, `${escapeGlob(this.keyPrefix)}*`);
    for (const [key, value] of found) {
      const entry = parseStored(key.slice(this.keyPrefix.length), value);
      if (entry) this.apply(entry);
    }
  }
}

function parseMessage(payload: string): Entry | undefined {
  try {
    const m = JSON.parse(payload) as { k?: unknown; id?: unknown; exp?: unknown; nbf?: unknown };
    if (m.k !== 'jti' && m.k !== 'sid' && m.k !== 'sub') return undefined;
    if (typeof m.id !== 'string' || typeof m.exp !== 'number') return undefined;
    const notBefore = typeof m.nbf === 'number' ? m.nbf : undefined;
    if (m.k === 'sub' && notBefore === undefined) return undefined;
    return { kind: m.k, id: m.id, expiresAt: m.exp, notBefore };
  } catch {
    return undefined;
  }
}

/** `<kind>:<id>` and `<notBefore>:<expiresAt>` back to an entry. */
function parseStored(name: string, value: string): Entry | undefined {
  const kind = name.slice(0, 3);
  const match = /^(\d*):(\d+)$/.exec(value);
  if ((kind !== 'jti' && kind !== 'sid' && kind !== 'sub') || name[3] !== ':' || !match) {
    return undefined;
  }
  const notBefore = match[1] === '' ? undefined : Number(match[1]);
  if (kind === 'sub' && notBefore === undefined) return undefined;
  return { kind, id: name.slice(4), expiresAt: Number(match[2]), notBefore };
}
