import type { Cluster, Redis } from 'ioredis';
import { fail } from '../../option-checks';

/**
 * `stores.redis` of `AuthModule.forRoot()`: share refresh families, revocations and signing keys
 * between any number of instances through Redis or Redis Cluster (DESIGN S1, S2). Give `url` or
 * `client`. The library never reads environment variables; map `REDIS_URL` to `url` yourself.
 *
 * @example
 * AuthModule.forRoot({ issuing: { issuer, audience }, stores: { redis: { url: process.env.REDIS_URL } } })
 */
export interface RedisStoresOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). The module opens its own
   * connections (one for commands, one for pub/sub) and closes them on shutdown.
   */
  url?: string;
  /**
   * An ioredis `Redis` or `Cluster` client of your app. The module uses it for commands, opens a
   * separate subscriber connection next to it (closed on shutdown), and never closes your client.
   * For the fault behaviour of RT18, create it with `enableOfflineQueue: false`,
   * `maxRetriesPerRequest: 0` and a `commandTimeout` (see `REDIS_CLIENT_DEFAULTS`); the module
   * refuses commands itself while the client is not `ready`. Its own `keyPrefix` option must be
   * unset: use `keyPrefix` here.
   */
  client?: Redis | Cluster;
  /**
   * Prepended to every key and channel, so several apps can share one Redis. Must not contain
   * `{` or `}` (the `{familyId}` hash tag must stay the first one in a key, RT16). Default `'auth:'`.
   */
  keyPrefix?: string;
  /**
   * Encrypts signing private keys at rest (AES-256-GCM): 32 bytes, as a Buffer or base64/base64url
   * text. Every instance needs the same value. Default none: private keys are stored as PKCS#8 PEM,
   * readable by anyone who can read the Redis (see the README's security notes).
   */
  signingKeyEncryptionKey?: string | Buffer;
  /**
   * Connections the module opens: longest wait for one command's reply, in ms. A slower Redis is
   * treated as down: the call rejects and the token endpoint answers 503. Default 1000.
   */
  commandTimeoutMs?: number;
  /**
   * How often the subscriber connection is checked with a PING, in ms; a connection that fails it
   * is reopened and the revocation view resynchronised. Bounds how long a silently dead link
   * (no TCP reset) can leave the local view stale. Default 1000.
   */
  heartbeatMs?: number;
}

/** Every default of `stores.redis`, in one place (STYLE 6). */
export const REDIS_STORES_DEFAULTS = {
  keyPrefix: 'auth:',
  commandTimeoutMs: 1000,
  heartbeatMs: 1000,
  /** Longest wait for the first connection at start-up before the app starts anyway (503s until Redis answers). */
  startupWaitMs: 3000,
  /** Reconnect back-off: 50 ms doubling, capped here — recovery within this of Redis returning. */
  maxReconnectDelayMs: 1000,
  /** The signing-key lock's expiry (SET NX PX), in ms: a crashed holder blocks no one longer. */
  keyLockMs: 10_000,
  /** How long the signing keys read from Redis are trusted before being read again, in ms. */
  keyRefreshMs: 30_000,
} as const;

/** The resolved `stores.redis` settings. */
export interface ResolvedRedisStoresOptions {
  readonly url?: string;
  readonly client?: Redis | Cluster;
  readonly keyPrefix: string;
  readonly encryptionKey?: Buffer;
  readonly commandTimeoutMs: number;
  readonly heartbeatMs: number;
}

/**
 * Checks `stores.redis` once at start-up and merges the defaults.
 * @throws TypeError naming the field and the fix (STYLE 6).
 */
export function resolveRedisStoresOptions(options: RedisStoresOptions): ResolvedRedisStoresOptions {
  if (!options || typeof options !== 'object') fail('stores.redis', 'pass an object');
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) {
    fail('stores.redis', 'give exactly one of `url` (e.g. "redis://127.0.0.1:6379") or `client`');
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\/\S+$/.test(url))) {
    fail('stores.redis.url', 'use a redis:// or rediss:// URL');
  }
  if (client !== undefined) {
    const candidate = client as { status?: unknown; options?: { keyPrefix?: unknown } };
    if (typeof client !== 'object' || client === null || typeof candidate.status !== 'string') {
      fail('stores.redis.client', 'pass an ioredis Redis or Cluster instance');
    }
    if (candidate.options?.keyPrefix) {
      fail(
        'stores.redis.client',
        "unset the client's own `keyPrefix`; use `stores.redis.keyPrefix`",
      );
    }
  }
  const keyPrefix = options.keyPrefix ?? REDIS_STORES_DEFAULTS.keyPrefix;
  if (typeof keyPrefix !== 'string' || /[{}\s]/.test(keyPrefix)) {
    fail('stores.redis.keyPrefix', 'use a string without `{`, `}` or spaces, e.g. "auth:"');
  }
  return {
    url,
    client,
    keyPrefix,
    encryptionKey: encryptionKey(options.signingKeyEncryptionKey),
    commandTimeoutMs: positive(
      options.commandTimeoutMs,
      'stores.redis.commandTimeoutMs',
      'commandTimeoutMs',
    ),
    heartbeatMs: positive(options.heartbeatMs, 'stores.redis.heartbeatMs', 'heartbeatMs'),
  };
}

function encryptionKey(value: string | Buffer | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const key =
    typeof value === 'string'
      ? Buffer.from(value, /^[A-Za-z0-9_-]+$/.test(value) ? 'base64url' : 'base64')
      : value;
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    fail('stores.redis.signingKeyEncryptionKey', 'give 32 bytes (a Buffer, or base64 of 32 bytes)');
  }
  return key;
}

function positive(
  value: number | undefined,
  field: string,
  name: 'commandTimeoutMs' | 'heartbeatMs',
): number {
  if (value === undefined) return REDIS_STORES_DEFAULTS[name];
  if (!Number.isInteger(value) || value < 1) fail(field, 'use a whole number of ms, at least 1');
  return value;
}
