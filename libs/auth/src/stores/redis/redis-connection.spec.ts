import { Redis } from 'ioredis';
import { AuthEvents } from '../../auth-events';
import { RedisConnection, RedisUnavailableError, redisClientDefaults } from './redis-connection';
import { resolveRedisStoresOptions } from './redis-stores.options';

describe('RedisConnection', () => {
  it('uses fail-fast client options (RT18): no offline queue, no retries, a command timeout', () => {
    const options = redisClientDefaults(750);
    expect(options).toMatchObject({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: 750,
    });
    // Reconnects forever, backing off to at most a second.
    expect([1, 2, 5, 50].map((n) => options.retryStrategy!(n))).toEqual([100, 200, 1000, 1000]);
  });

  it('refuses commands at once while the client is not ready, and never closes a given client', async () => {
    const client = new Redis({ lazyConnect: true });
    const connection = new RedisConnection(resolveRedisStoresOptions({ client }), new AuthEvents());
    expect(() => connection.ready()).toThrow(RedisUnavailableError);
    expect(connection.writeDeadline()).toBe(0);
    expect(await connection.whenReady(10)).toBe(false);
    await connection.onApplicationShutdown();
    expect(client.status).toBe('wait');
    client.disconnect();
  });
});
