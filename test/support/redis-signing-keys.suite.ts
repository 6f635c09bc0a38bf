import { randomBytes } from 'node:crypto';
import { TemporarilyUnavailableError } from '@app/auth';
import { IssuingConfig } from '../../libs/auth/src/issuing/issuing-config';
import type { IssuingOptions } from '../../libs/auth/src/issuing/issuing.options';
import { RedisSigningKeySource } from '../../libs/auth/src/stores/redis/redis-signing-key-source';
import type { RedisStoresOptions } from '../../libs/auth/src/stores/redis/redis-stores.options';
import { describeRedisTarget, RecordingEvents, redisTarget } from './redis-targets';
import { ManualClock } from './test-app';

const HOUR = 3_600_000;

/** RedisSigningKeySource on Redis and Cluster (R1, RT22–RT25). */
export function signingKeySourceSuites(): void {
  describe.each([['redis'], ['cluster']] as const)('RedisSigningKeySource (%s)', (name) => {
    describeRedisTarget(name, () => {
      const target = redisTarget(name);
      let clock: ManualClock;
      beforeAll(async () => target.setUp(), 30000);
      beforeEach(() => (clock = new ManualClock()));
      afterEach(async () => target.afterEach());

      async function source(
        issuing: Partial<IssuingOptions> = {},
        redis: Partial<RedisStoresOptions> = {},
        events = new RecordingEvents(),
      ) {
        // ES256 unless asked: P-256 keys generate in a millisecond, RSA-2048 in a hundred.
        const config = new IssuingConfig({
          issuer: 'https://api.test',
          audience: 'api',
          algorithm: 'ES256',
          ...issuing,
        });
        const s = new RedisSigningKeySource(
          await target.connect(redis, events),
          clock,
          config,
          events,
        );
        await s.onModuleInit();
        return s;
      }
      const kids = async (s: RedisSigningKeySource) =>
        (await s.publicJwks()).keys.map((k) => k.kid);
      const until = async (done: () => Promise<boolean>) => {
        const deadline = Date.now() + 2000;
        while (!(await done())) {
          if (Date.now() > deadline) throw new Error('not seen within 2000 ms');
          await new Promise((r) => setTimeout(r, 5));
        }
      };

      it('R1/S2: instances started together agree on one key and publish the same JWKS', async () => {
        const rsa = { algorithm: 'RS256' } as const;
        const all = await Promise.all([source(rsa), source(rsa), source(rsa)]);
        const active = await Promise.all(all.map((s) => s.activeKey()));
        expect(new Set(active.map((k) => k.kid)).size).toBe(1);
        const jwks = await Promise.all(all.map((s) => s.publicJwks()));
        expect(jwks[1]).toEqual(jwks[0]);
        expect(jwks[2]).toEqual(jwks[0]);
        expect(jwks[0].keys).toHaveLength(1);
        // RT25: public members only.
        expect(jwks[0].keys[0].alg).toBe('RS256');
        expect(Object.keys(jwks[0].keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
        expect(await target.admin.hlen(`${target.prefix}{sk}:keys`)).toBe(1);
      });

      it('RT23/RT24: a rotation on one instance is published by all before it signs, then the old key retires', async () => {
        const a = await source();
        const b = await source();
        const first = (await a.activeKey()).kid;
        const pending = await a.rotate();
        expect(pending).toMatchObject({ state: 'pending', activatesAt: clock.now() + HOUR });
        await until(async () => (await kids(b)).includes(pending.kid));
        expect((await b.activeKey()).kid).toBe(first);
        clock.advance(HOUR);
        expect((await a.activeKey()).kid).toBe(pending.kid);
        expect((await b.activeKey()).kid).toBe(pending.kid);
        expect(await kids(b)).toEqual([pending.kid, first]);
        clock.advance(24 * HOUR);
        expect(await kids(a)).toEqual([pending.kid]);
        expect((await b.status()).find((s) => s.kid === first)?.state).toBe('removed');
      });

      it('RT24: revokeKey on one instance removes the key everywhere; a pending key takes over at once', async () => {
        const a = await source();
        const b = await source();
        const first = (await a.activeKey()).kid;
        const pending = await b.rotate();
        await b.revokeKey(first);
        await until(async () => !(await kids(a)).includes(first));
        expect((await a.activeKey()).kid).toBe(pending.kid);
        // Revoking the only key makes a new one (no instance is left without a signing key).
        await a.revokeKey(pending.kid);
        await until(async () => !(await kids(b)).includes(pending.kid));
        const fresh = (await b.activeKey()).kid;
        expect([first, pending.kid]).not.toContain(fresh);
        expect((await a.activeKey()).kid).toBe(fresh);
      });

      it('keys.rotateEvery: when due on two instances at once, one rotation happens (the lock)', async () => {
        const rotateEvery = 2 * 24 * 3600;
        const a = await source({ keys: { rotateEvery } });
        const b = await source({ keys: { rotateEvery } });
        clock.advance(rotateEvery * 1000 - HOUR + 1);
        await Promise.all([a.activeKey(), b.activeKey(), a.publicJwks(), b.activeKey()]);
        await until(async () => (await a.status()).some((s) => s.state === 'pending'));
        // Let any second attempt finish, then count.
        await new Promise((r) => setTimeout(r, 300));
        await Promise.all([a.activeKey(), b.activeKey()]);
        const statuses = await b.status();
        expect(statuses.filter((s) => s.state === 'pending')).toHaveLength(1);
        expect(statuses).toHaveLength(2);
      });

      it('a crashed lock holder blocks rotation only until the lock expires', async () => {
        const a = await source();
        await target.admin.set(`${target.prefix}{sk}:lock`, 'crashed-holder', 'PX', 300);
        const started = Date.now();
        const pending = await a.rotate();
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        expect(pending.state).toBe('pending');
      });

      it('private keys at rest: sealed with signingKeyEncryptionKey; an instance with another key refuses to sign', async () => {
        const key = randomBytes(32);
        const a = await source({}, { signingKeyEncryptionKey: key });
        const kid = (await a.activeKey()).kid;
        const stored = JSON.parse(
          (await target.admin.hget(`${target.prefix}{sk}:keys`, kid)) as string,
        );
        expect(stored.sealed).toEqual(expect.any(String));
        expect(stored.pem).toBeUndefined();
        expect(JSON.stringify(stored)).not.toContain('PRIVATE KEY');
        const same = await source({}, { signingKeyEncryptionKey: key.toString('base64') });
        expect((await same.activeKey()).kid).toBe(kid);
        const events = new RecordingEvents();
        const wrong = await source({}, { signingKeyEncryptionKey: randomBytes(32) }, events);
        await expect(wrong.activeKey()).rejects.toBeInstanceOf(TemporarilyUnavailableError);
        expect(events.names()).toContain('signing_keys.load_failed');
        // It made no key of its own: the others are undisturbed.
        expect(await target.admin.hlen(`${target.prefix}{sk}:keys`)).toBe(1);
      });

      it('without an encryption key the PEM is stored as is (the documented risk)', async () => {
        const a = await source();
        const kid = (await a.activeKey()).kid;
        const stored = JSON.parse(
          (await target.admin.hget(`${target.prefix}{sk}:keys`, kid)) as string,
        );
        expect(stored.pem).toContain('BEGIN PRIVATE KEY');
      });
    });
  });
}
