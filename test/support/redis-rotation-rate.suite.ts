import { randomBytes } from 'node:crypto';
import { hashSecret, randomId } from '../../libs/auth/src/issuing/refresh-token.codec';
import { RefreshGrantService } from '../../libs/auth/src/issuing';
import { InMemoryRefreshTokenStore } from '../../libs/auth/src/stores/in-memory-refresh-token.store';
import type { RefreshTokenStore } from '../../libs/auth/src/stores/refresh-token.store';
import { RedisRefreshTokenStore } from '../../libs/auth/src/stores/redis/redis-refresh-token.store';
import { deleteKeys, describeRedis, freshPrefix, REDIS_URL, testClient } from './redis-env';
import { AuthEvents } from '@app/auth';
import { RedisConnection } from '../../libs/auth/src/stores/redis/redis-connection';
import { resolveRedisStoresOptions } from '../../libs/auth/src/stores/redis/redis-stores.options';
import { startRedisServer } from './redis-server';
import { redisTarget } from './redis-targets';
import { createRefreshApp } from './refresh-app';

const CHAINS = 16;
const ROUNDS = 40;

/** Rotations per second of `store`: CHAINS families rotated in chains, one call in flight each. */
async function storeRate(store: RefreshTokenStore): Promise<number> {
  const now = Date.now();
  let heads = await Promise.all(
    Array.from({ length: CHAINS }, async (_, i) => {
      const fid = randomId();
      const tid = randomId();
      const secret = randomBytes(32).toString('base64url');
      await store.createFamily({
        family: {
          id: fid,
          subject: `user-${i}`,
          clientId: 'web',
          scope: 'a',
          createdAt: now,
          absoluteExpiresAt: now + 86_400_000,
        },
        token: { tokenId: tid, secretHash: hashSecret(secret) },
        maxFamiliesPerSubject: 50,
      });
      return { fid, tid, hash: hashSecret(secret) };
    }),
  );
  const started = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) {
    heads = await Promise.all(
      heads.map(async (head) => {
        const next = {
          fid: head.fid,
          tid: randomId(),
          hash: hashSecret(randomBytes(32).toString('base64url')),
        };
        const result = await store.rotate({
          familyId: head.fid,
          tokenId: head.tid,
          secretHash: head.hash,
          successor: { tokenId: next.tid, secretHash: next.hash, ciphertext: 'x'.repeat(140) },
          now: now + r + 1,
          graceMs: 10_000,
          idleTtlMs: 86_400_000,
        });
        if (result.outcome !== 'rotated') throw new Error(`unexpected ${result.outcome}`);
        return next;
      }),
    );
  }
  return (CHAINS * ROUNDS) / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Full refresh grants per second in process (store + sealing + signing the access token). */
async function grantRate(redis?: { url: string; keyPrefix: string }): Promise<number> {
  const t = await createRefreshApp({}, { module: redis ? { stores: { redis } } : {} });
  try {
    const grants = t.app.get(RefreshGrantService);
    let tokens = await Promise.all(
      Array.from(
        { length: CHAINS },
        async (_, i) => (await t.tokens.issue(`user-${i}`)).refresh_token,
      ),
    );
    const started = process.hrtime.bigint();
    for (let r = 0; r < ROUNDS / 2; r++) {
      tokens = await Promise.all(
        tokens.map(async (token) => {
          const params = new Map([
            ['grant_type', 'refresh_token'],
            ['refresh_token', token],
          ]);
          return (await grants.exchange({ params, client: { authenticated: false } })).body
            .refresh_token;
        }),
      );
    }
    return (CHAINS * ROUNDS) / 2 / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await t.close();
  }
}

/**
 * Measures and prints; asserts nothing about time (machines differ). Store-level rotations show
 * what the Lua script costs against a Map; grants add sealing the successor and signing an RS256
 * access token, which dominate.
 */
export function rotationRateSuite(): void {
  describeRedis(
    'refresh rotations per second: memory vs Redis vs Redis Cluster (measured, not asserted)',
    () => {
      const cluster = redisTarget('cluster');
      beforeAll(async () => cluster.setUp(), 30000);
      afterEach(async () => cluster.afterEach());

      it('prints rotations/s', async () => {
        const memory = await storeRate(new InMemoryRefreshTokenStore());
        const redisTargetOne = redisTarget('redis');
        await redisTargetOne.setUp();
        const redis = await storeRate(new RedisRefreshTokenStore(await redisTargetOne.connect()));
        await redisTargetOne.afterEach();
        const onCluster = await storeRate(new RedisRefreshTokenStore(await cluster.connect()));
        // A redis-server of this test's own: the shared one may be busy with other suites.
        const own = await startRedisServer();
        let idle: number;
        try {
          const connection = new RedisConnection(
            resolveRedisStoresOptions({ url: own.url }),
            new AuthEvents(),
          );
          await connection.whenReady(5000);
          idle = await storeRate(new RedisRefreshTokenStore(connection));
          await connection.onApplicationShutdown();
        } finally {
          await own.stop();
        }

        const prefix = freshPrefix();
        const grantsMemory = await grantRate();
        const grantsRedis = await grantRate({ url: REDIS_URL, keyPrefix: prefix });
        const admin = testClient();
        await deleteKeys(admin, prefix);
        await admin.quit();

        const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
        console.log(
          [
            `rotations/s, ${CHAINS} chains in flight (store.rotate only):`,
            `  memory                    ${fmt(memory)}`,
            `  Redis (REDIS_URL, shared) ${fmt(redis)}`,
            `  Redis (private, idle)     ${fmt(idle)}`,
            `  Redis Cluster (3 masters) ${fmt(onCluster)}`,
            `refresh grants/s in process (rotate + seal + sign RS256):`,
            `  memory                    ${fmt(grantsMemory)}`,
            `  Redis (REDIS_URL, shared) ${fmt(grantsRedis)}`,
          ].join('\n'),
        );
        expect(memory).toBeGreaterThan(0);
        expect(redis).toBeGreaterThan(0);
      });
    },
    'url',
  );
}
