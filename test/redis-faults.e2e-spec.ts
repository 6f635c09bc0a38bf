import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { RevocationStore, TemporarilyUnavailableError } from '@app/auth';
import { RefreshTokenStore } from '../libs/auth/src/stores';
import { RedisRevocationStore } from '../libs/auth/src/stores/redis/redis-revocation.store';
import { describeRedis } from './support/redis-env';
import { PrivateRedisServer, startRedisServer } from './support/redis-server';
import { createRefreshApp, expectInvalidGrant, RefreshApp } from './support/refresh-app';

/** Retries `attempt` until it resolves; returns the ms it took. */
async function recovered(attempt: () => Promise<unknown>, timeoutMs = 5000): Promise<number> {
  const start = performance.now();
  for (;;) {
    try {
      await attempt();
      return performance.now() - start;
    } catch (error) {
      if (performance.now() - start > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** RT18 / E7: 503 with Retry-After, the no-store headers of the token endpoint, in `withinMs`. */
async function expect503(
  call: () => Promise<{ status: number; headers: Record<string, string> }>,
  withinMs: number,
) {
  const start = performance.now();
  const res = await call();
  const took = performance.now() - start;
  expect(res.status).toBe(503);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(took).toBeLessThan(withinMs);
  return took;
}

describeRedis(
  'Redis faults: a private redis-server stopped and restarted mid-test (E7, RT18, K3)',
  () => {
    let server: PrivateRedisServer;
    let t: RefreshApp | undefined;

    beforeEach(async () => {
      server = await startRedisServer();
    });
    afterEach(async () => {
      await t?.close();
      t = undefined;
      await server.stop();
    });

    const app = (issuing = {}) =>
      createRefreshApp(issuing, { module: { stores: { redis: { url: server.url } } } });

    it('Redis killed: 503 at once, nothing issued, validation goes on; back without a restart', async () => {
      t = await app();
      const kept = await t.tokens.issue('alice', { scope: 'Payments.Read' });
      const revoked = await t.tokens.issue('bob');
      const rotated = await t.refresh(kept.refresh_token);
      expect(rotated.status).toBe(200);
      const bobJti = JSON.parse(
        Buffer.from(revoked.access_token.split('.')[1], 'base64url').toString(),
      ).jti;
      await t.app.get(RevocationStore).revokeToken(bobJti, Math.floor(Date.now() / 1000) + 900);

      await server.kill();

      // The token endpoint: 503 + Retry-After, fast (the client refuses while disconnected).
      const took = await expect503(() => t!.refresh(rotated.body.refresh_token), 500);
      console.log(`refresh with Redis down: 503 in ${took.toFixed(1)} ms`);
      // A login issues nothing.
      await expect(t.tokens.issue('carol')).rejects.toBeInstanceOf(TemporarilyUnavailableError);
      await expect503(
        () => t!.http().post('/auth/revoke').type('form').send({ token: kept.refresh_token }),
        500,
      );
      // Validation keeps working from the local view and the cached signing keys (K3).
      expect((await t.probe(rotated.body.access_token)).status).toBe(200);
      expect((await t.probe(revoked.access_token)).status).toBe(401);
      expect(t.events.names()).toContain('redis.connection_failed');

      await server.restart();
      const recovery = await recovered(() => t!.tokens.issue('dave'));
      console.log(`Redis back on the same port: logins work again after ${recovery.toFixed(0)} ms`);
      expect(recovery).toBeLessThan(3000);
      const fresh = await t.tokens.issue('erin');
      const next = await t.refresh(fresh.refresh_token);
      expect(next.status).toBe(200);
      expect((await t.probe(next.body.access_token)).status).toBe(200);
      // This server keeps nothing on disk: the old families are gone, so their tokens fail closed.
      expectInvalidGrant(await t.refresh(rotated.body.refresh_token));
      // What the local view knew is still refused; the resync after the reconnect merged, not replaced.
      expect((await t.probe(revoked.access_token)).status).toBe(401);
      const store = t.app.get(RevocationStore) as RedisRevocationStore;
      await recovered(async () => {
        if (!store.synchronised) throw new Error('not resynced yet');
      });
      expect(t.events.names()).toContain('redis.connected');
    });

    it('Redis frozen (slow, SIGSTOP): 503 within the command timeout; a late script changes nothing', async () => {
      t = await app();
      const issued = await t.tokens.issue('alice');
      const first = await t.refresh(issued.refresh_token);
      expect(first.status).toBe(200);
      const token = first.body.refresh_token as string;

      process.kill(server.pid, 'SIGSTOP');
      try {
        // commandTimeout 1000 ms: a frozen Redis counts as down.
        const took = await expect503(() => t!.refresh(token), 2500);
        console.log(`refresh with Redis frozen: 503 in ${took.toFixed(0)} ms`);
        expect(took).toBeGreaterThanOrEqual(900);
        expect((await t.probe(first.body.access_token)).status).toBe(200);
        // K3: the subscriber's link is silent, not reset; the heartbeat notices and reopens it.
        await recovered(async () => {
          if (!t!.events.names().includes('redis.subscriber_heartbeat_failed')) throw new Error();
        }, 3000);
      } finally {
        process.kill(server.pid, 'SIGCONT');
      }
      // Redis now runs the rotation it had queued, past its write deadline: it writes nothing.
      await new Promise((r) => setTimeout(r, 200));
      const family = await t.app.get(RefreshTokenStore).getFamily(token.slice(3, 25));
      expect(family?.currentTokenId).toBe(token.slice(26, 48));
      // The same token rotates normally (a real rotation, not a grace replay).
      const again = await t.refresh(token);
      expect(again.status).toBe(200);
      expect(t.events.names().filter((n) => n === 'refresh.grace_replay')).toEqual([]);
      // Reconnected and reloaded after the freeze.
      const store = t.app.get(RevocationStore) as RedisRevocationStore;
      await recovered(async () => {
        if (!store.synchronised) throw new Error('not resynced yet');
      });
    });

    it('starts while Redis is down (bounded wait), answers 503, and works once Redis is up', async () => {
      await server.kill();
      const started = performance.now();
      t = await app();
      const startup = performance.now() - started;
      console.log(`app start-up with Redis down: ${startup.toFixed(0)} ms`);
      expect(startup).toBeLessThan(6000);
      await expect(t.tokens.issue('alice')).rejects.toBeInstanceOf(TemporarilyUnavailableError);
      expect((await t.http().get('/.well-known/jwks.json')).status).toBe(503);
      await server.restart();
      await recovered(() => t!.tokens.issue('alice'));
      const issued = await t.tokens.issue('bob');
      expect((await t.probe(issued.access_token)).status).toBe(200);
      expect((await t.refresh(issued.refresh_token)).status).toBe(200);
    });

    it('closes the connections it opened on shutdown, never a client it was given', async () => {
      const own = await app();
      await own.tokens.issue('alice');
      const names = async (admin: Redis) =>
        ((await admin.client('LIST')) as string)
          .split('\n')
          .map((line) => /name=(\S*)/.exec(line)?.[1])
          .filter((n) => n?.startsWith('auth-'));
      const admin = new Redis(server.url);
      try {
        expect((await names(admin)).sort()).toEqual(['auth-commands', 'auth-subscriber']);
        await own.close();
        await recovered(async () => expect(await names(admin)).toEqual([]));

        const users = new Redis(server.url, { connectionName: 'users-client' });
        t = await createRefreshApp({}, { module: { stores: { redis: { client: users } } } });
        await t.tokens.issue('bob');
        expect(await names(admin)).toEqual(['auth-subscriber']);
        await t.close();
        t = undefined;
        await recovered(async () => expect(await names(admin)).toEqual([]));
        expect(users.status).toBe('ready');
        expect(await users.ping()).toBe('PONG');
        await users.quit();
      } finally {
        await admin.quit();
      }
    });
  },
  'binary',
);
