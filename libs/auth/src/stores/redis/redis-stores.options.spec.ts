import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_STORES_DEFAULTS, resolveRedisStoresOptions } from './redis-stores.options';

describe('resolveRedisStoresOptions', () => {
  const lazy = (options = {}) => new Redis({ lazyConnect: true, ...options });

  it('merges the documented defaults', () => {
    expect(resolveRedisStoresOptions({ url: 'redis://127.0.0.1:6379' })).toEqual({
      url: 'redis://127.0.0.1:6379',
      client: undefined,
      keyPrefix: 'auth:',
      encryptionKey: undefined,
      commandTimeoutMs: REDIS_STORES_DEFAULTS.commandTimeoutMs,
      heartbeatMs: REDIS_STORES_DEFAULTS.heartbeatMs,
    });
  });

  it('accepts a client, a prefix, an encryption key as Buffer, base64 or base64url', () => {
    const client = lazy();
    const key = randomBytes(32);
    for (const given of [key, key.toString('base64'), key.toString('base64url')]) {
      const resolved = resolveRedisStoresOptions({
        client,
        keyPrefix: 'app1:auth:',
        signingKeyEncryptionKey: given,
        commandTimeoutMs: 250,
      });
      expect(resolved.client).toBe(client);
      expect(resolved.keyPrefix).toBe('app1:auth:');
      expect(resolved.encryptionKey?.equals(key)).toBe(true);
      expect(resolved.commandTimeoutMs).toBe(250);
    }
    client.disconnect();
  });

  it.each([
    [{}, /`stores.redis`: give exactly one of `url`/],
    [{ url: 'redis://a', client: {} }, /exactly one/],
    [{ url: 'http://127.0.0.1:6379' }, /`stores.redis.url`: use a redis:\/\/ or rediss:\/\/ URL/],
    [{ client: { get: () => 1 } }, /`stores.redis.client`: pass an ioredis Redis or Cluster/],
    [{ url: 'redis://a', keyPrefix: 'auth:{x}:' }, /`stores.redis.keyPrefix`/],
    [
      { url: 'redis://a', signingKeyEncryptionKey: 'c2hvcnQ=' },
      /signingKeyEncryptionKey`: give 32 bytes/,
    ],
    [{ url: 'redis://a', commandTimeoutMs: 0 }, /`stores.redis.commandTimeoutMs`/],
    [{ url: 'redis://a', heartbeatMs: 1.5 }, /`stores.redis.heartbeatMs`/],
  ])('refuses %j at start-up with a TypeError naming the field', (options, message) => {
    expect(() => resolveRedisStoresOptions(options as never)).toThrow(TypeError);
    expect(() => resolveRedisStoresOptions(options as never)).toThrow(message);
  });

  it('refuses a client with its own keyPrefix (our keys and SCAN patterns would disagree)', () => {
    const client = lazy({ keyPrefix: 'theirs:' });
    expect(() => resolveRedisStoresOptions({ client })).toThrow(
      /unset the client's own `keyPrefix`/,
    );
    client.disconnect();
  });
});
