import { OnApplicationShutdown } from '@nestjs/common';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import { AuthEvents } from '../../auth-events';
import { REDIS_STORES_DEFAULTS, ResolvedRedisStoresOptions } from './redis-stores.options';
import { RedisSubscriber } from './redis-subscriber';

/** How often the offset between Redis's clock and ours is measured again, ms. */
const OFFSET_REFRESH_MS = 60_000;

/** A Redis command or connection that cannot be relied on now; the caller answers 503 (E7). */
export class RedisUnavailableError extends Error {
  constructor(message = 'Redis is unavailable') {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Options of the connections the module opens (and of the subscriber next to a user's client),
 * chosen for RT18: a command either gets its answer quickly or rejects, and is never replayed
 * later behind the caller's back.
 * - `enableOfflineQueue: false`: while disconnected, commands reject at once instead of waiting.
 * - `maxRetriesPerRequest: 0`, `autoResendUnfulfilledCommands: false`: a command in flight when
 *   the link drops rejects; it is not resent on reconnect (a resent rotation would run twice).
 * - `commandTimeout`: a slow Redis counts as down (default 1000 ms).
 * - `retryStrategy`: reconnect forever, 50 ms doubling up to 1 s, so recovery needs no restart.
 */
export function redisClientDefaults(commandTimeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1000, commandTimeoutMs),
    retryStrategy: (times) => Math.min(50 * 2 ** times, REDIS_STORES_DEFAULTS.maxReconnectDelayMs),
  };
}

/** Reacts to pub/sub traffic of one channel. */
export interface ChannelListener {
  /** One message, as published. */
  message(payload: string): void;
  /**
   * The subscription is (again) in place: whatever was published while it was not has been
   * missed, so the listener reloads its state in full (K3). Called on connect and every reconnect.
   */
  subscribed(): void;
  /** The subscription dropped: messages may be missed until `subscribed` is called again. */
  lost(): void;
}

/**
 * The module's link to Redis: one client for commands (the user's, or one it opens from `url`)
 * and one subscriber connection of its own. Shared by the three Redis stores of one module.
 * Closes what it opened on shutdown; never closes a client it was given (STYLE 8).
 */
export class RedisConnection implements OnApplicationShutdown {
  /** The command client. */
  readonly client: Redis | Cluster;
  /** Prepended to every key and channel. */
  readonly prefix: string;
  readonly commandTimeoutMs: number;
  private readonly owned: boolean;
  private readonly subscriber: RedisSubscriber;
  private state: 'starting' | 'up' | 'down' = 'starting';
  private closed = false;
  /** Redis's clock minus ours, ms (undefined until measured), and when it was measured. */
  private clockOffset?: number;
  private offsetAt = 0;
  private readonly createdAt = Date.now();
  private startup?: Promise<boolean>;

  constructor(
    readonly options: ResolvedRedisStoresOptions,
    private readonly events: AuthEvents,
  ) {
    this.prefix = options.keyPrefix;
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.owned = options.client === undefined;
    const defaults = redisClientDefaults(options.commandTimeoutMs);
    this.client =
      options.client ?? new Redis(options.url!, { ...defaults, connectionName: 'auth-commands' });
    if (this.owned) this.client.on('error', () => undefined); // reported through 'close' below
    this.client.on('ready', () => {
      this.onStatus(true);
      void this.measureClock();
    });
    this.client.on('close', () => this.onStatus(false));
    this.subscriber = new RedisSubscriber(this.client, defaults, options.heartbeatMs, events);
  }

  /** True once shut down. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** True when `client` is a Redis Cluster client. */
  get isCluster(): boolean {
    return (this.client as { isCluster?: boolean }).isCluster === true;
  }

  /**
   * Refuses at once when the command client is not connected, whatever its own options (a
   * user's client may queue commands offline; a queued rotation could run after the caller was
   * told 503). Returns the client otherwise.
   * @throws RedisUnavailableError
   */
  ready(): Redis | Cluster {
    if (this.closed || this.client.status !== 'ready') throw new RedisUnavailableError();
    return this.client;
  }

  /**
   * Waits until the command client is ready, at most `timeoutMs`; resolves false when it is not
   * (start-up goes on: calls answer 503 until Redis is back). Without `timeoutMs`, every caller
   * shares one start-up window counted from the connection's creation, so the stores of a module
   * together delay start-up by at most `startupWaitMs`.
   */
  whenReady(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs === undefined) {
      this.startup ??= this.waitReady(
        Math.max(0, this.createdAt + REDIS_STORES_DEFAULTS.startupWaitMs - Date.now()),
      );
      return this.startup;
    }
    return this.waitReady(timeoutMs);
  }

  private async waitReady(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      timer.unref?.();
      const onReady = () => finish(true);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      this.client.on('ready', onReady);
    });
  }

  /**
   * The latest moment, on Redis's own clock (epoch ms), at which a write script may still apply
   * its writes: 80 % of the caller's budget (`commandTimeoutMs`, or less) from now, so its reply
   * has the rest to arrive. A script run later — by a Redis that was slow, not down, after the
   * caller was told 503 — changes nothing (RT18). 0 (no deadline) until the clock offset is known.
   */
  writeDeadline(budgetMs: number = this.commandTimeoutMs): number {
    if (Date.now() - this.offsetAt > OFFSET_REFRESH_MS) void this.measureClock();
    if (this.clockOffset === undefined) return 0;
    const budget = Math.min(budgetMs, this.commandTimeoutMs);
    return Math.floor(Date.now() + this.clockOffset + budget * 0.8);
  }

  /** Subscribes a listener to `channel` (prefixed by the caller) on the subscriber connection. */
  listen(channel: string, listener: ChannelListener): void {
    this.subscriber.listen(channel, listener);
  }

  /** The command connections to SCAN: every master of a cluster, or the one server. */
  scanTargets(): Redis[] {
    const client = this.ready();
    return this.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  }

  /** Closes the subscriber, and the command client when the module opened it. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriber.close();
    if (!this.owned) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** Measures Redis's clock against ours with TIME, halving the round trip. */
  private async measureClock(): Promise<void> {
    this.offsetAt = Date.now();
    try {
      const sent = Date.now();
      const [seconds, micros] = await this.ready().time();
      const received = Date.now();
      const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      this.clockOffset = redisNow - (sent + received) / 2;
    } catch {
      this.offsetAt = 0; // try again on the next write
    }
  }

  /** Reports each change between reachable and unreachable once (not every retry). */
  private onStatus(ready: boolean): void {
    const state = ready ? 'up' : 'down';
    if (state === this.state || this.closed) return;
    this.state = state;
    this.events.emit(ready ? 'redis.connected' : 'redis.connection_failed', {
      cluster: this.isCluster,
    });
  }
}
