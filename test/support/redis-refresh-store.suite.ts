import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { hashSecret, randomId } from '../../libs/auth/src/issuing/refresh-token.codec';
import { InMemoryRefreshTokenStore } from '../../libs/auth/src/stores/in-memory-refresh-token.store';
import type {
  RefreshTokenStore,
  RotateInput,
  RotateResult,
} from '../../libs/auth/src/stores/refresh-token.store';
import { RedisRefreshTokenStore } from '../../libs/auth/src/stores/redis/redis-refresh-token.store';
import { listKeys } from './redis-env';
import {
  describeOnTarget,
  describeRedisTarget,
  redisTarget,
  STORE_TARGETS,
  StoreTargetName,
} from './redis-targets';

const DAY = 86_400_000;
const T0 = Date.now();
const ABSOLUTE = 30 * DAY;
const IDLE = 14 * DAY;
const GRACE = 10_000;

/** A token the test holds: ids and secret, as the codec makes them. */
interface Held {
  fid: string;
  tid: string;
  secret: string;
}

const newSecret = () => randomBytes(32).toString('base64url');

/** The RefreshTokenStore behaviour on memory, Redis and Cluster, and the Redis-only checks (RT7–RT21). */
export function refreshTokenStoreSuites(): void {
  describe.each(STORE_TARGETS)('RefreshTokenStore behaviour on %s', (name: StoreTargetName) => {
    const body = () => {
      const target = name === 'memory' ? undefined : redisTarget(name);
      let store: RefreshTokenStore;

      beforeAll(async () => target?.setUp(), 30000);
      beforeEach(async () => {
        store = target
          ? new RedisRefreshTokenStore(await target.connect())
          : new InMemoryRefreshTokenStore();
      });
      afterEach(async () => target?.afterEach());

      async function login(
        subject = 'alice',
        createdAt = T0,
        max = 50,
        claims?: Record<string, unknown>,
      ) {
        const held: Held = { fid: randomId(), tid: randomId(), secret: newSecret() };
        const result = await store.createFamily({
          family: {
            id: held.fid,
            subject,
            clientId: 'web',
            scope: 'Payments.Read Payments.Write',
            claims,
            createdAt,
            absoluteExpiresAt: createdAt + ABSOLUTE,
          },
          token: { tokenId: held.tid, secretHash: hashSecret(held.secret) },
          maxFamiliesPerSubject: max,
        });
        return { held, evicted: result.evicted };
      }

      /** A rotation of `held` at `now`; `next` is the token the successor would be. */
      function rotation(held: Held, now: number, over: Partial<RotateInput> = {}) {
        const next: Held = { fid: held.fid, tid: randomId(), secret: newSecret() };
        const input: RotateInput = {
          familyId: held.fid,
          tokenId: held.tid,
          secretHash: hashSecret(held.secret),
          successor: {
            tokenId: next.tid,
            secretHash: hashSecret(next.secret),
            ciphertext: `sealed:${next.tid}`,
          },
          now,
          graceMs: GRACE,
          idleTtlMs: IDLE,
          ...over,
        };
        return { input, next };
      }

      async function rotate(held: Held, now: number, over: Partial<RotateInput> = {}) {
        const { input, next } = rotation(held, now, over);
        return { result: await store.rotate(input), next };
      }

      it('createFamily writes the family and its first token; getFamily reads it back', async () => {
        const { held, evicted } = await login('alice', T0, 50, { tenant: 't1', n: [1, 2] });
        expect(evicted).toEqual([]);
        expect(await store.getFamily(held.fid)).toEqual({
          id: held.fid,
          subject: 'alice',
          clientId: 'web',
          scope: 'Payments.Read Payments.Write',
          claims: { tenant: 't1', n: [1, 2] },
          createdAt: T0,
          absoluteExpiresAt: T0 + ABSOLUTE,
          lastUsedAt: T0,
          currentTokenId: held.tid,
          state: 'active',
        });
        expect(await store.getFamily(randomId())).toBeUndefined();
      });

      it('refuses a family id collision and leaves the family as it was', async () => {
        const { held } = await login();
        await expect(
          store.createFamily({
            family: {
              id: held.fid,
              subject: 'mallory',
              clientId: 'x',
              scope: '',
              createdAt: T0,
              absoluteExpiresAt: T0 + ABSOLUTE,
            },
            token: { tokenId: randomId(), secretHash: hashSecret(newSecret()) },
            maxFamiliesPerSubject: 50,
          }),
        ).rejects.toThrow(/collision/);
        expect((await store.getFamily(held.fid))?.subject).toBe('alice');
      });

      it('RT7: a current token is consumed once; its successor becomes current', async () => {
        const { held } = await login();
        const { result, next } = await rotate(held, T0 + 1000);
        expect(result.outcome).toBe('rotated');
        expect(result.outcome === 'rotated' && result.family).toMatchObject({
          currentTokenId: next.tid,
          lastUsedAt: T0 + 1000,
          state: 'active',
        });
        expect((await rotate(next, T0 + 2000)).result.outcome).toBe('rotated');
      });

      it('RT8: a replay inside the window gets the stored successor and writes nothing', async () => {
        const { held } = await login();
        const { next } = await rotate(held, T0 + 1000);
        const replay = await rotate(held, T0 + 1000 + GRACE - 1);
        expect(replay.result).toMatchObject({ outcome: 'grace', ciphertext: `sealed:${next.tid}` });
        const family = await store.getFamily(held.fid);
        expect(family).toMatchObject({ currentTokenId: next.tid, lastUsedAt: T0 + 1000 });
        // The replay's own successor was not written: the family line is unchanged.
        expect((await rotate(replay.next, T0 + 2000)).result).toEqual({
          outcome: 'invalid',
          reason: 'unknown',
        });
        expect((await rotate(next, T0 + 3000)).result.outcome).toBe('rotated');
      });

      it('RT8: the window runs from the first rotation and is never extended', async () => {
        const { held } = await login();
        await rotate(held, T0 + 1000);
        expect((await rotate(held, T0 + 5000)).result.outcome).toBe('grace');
        expect((await rotate(held, T0 + 1000 + GRACE)).result.outcome).toBe('reuse');
      });

      it('RT8: no grace once the successor was itself rotated (an older ancestor is reuse)', async () => {
        const { held } = await login();
        const { next } = await rotate(held, T0 + 1000);
        await rotate(next, T0 + 2000);
        expect((await rotate(held, T0 + 3000)).result.outcome).toBe('reuse');
      });

      it('RT8: with grace 0, or no ciphertext, a replay is reuse', async () => {
        const a = (await login()).held;
        await rotate(a, T0 + 1000, { graceMs: 0 });
        expect((await rotate(a, T0 + 1000, { graceMs: 0 })).result.outcome).toBe('reuse');
        const b = (await login()).held;
        const { input } = rotation(b, T0 + 1000);
        await store.rotate({ ...input, successor: { ...input.successor, ciphertext: undefined } });
        expect((await rotate(b, T0 + 1001)).result.outcome).toBe('reuse');
      });

      it('RT9: reuse revokes the family; its successor then fails and nothing comes back', async () => {
        const { held } = await login();
        const { next } = await rotate(held, T0 + 1000);
        const reuse = await rotate(held, T0 + 60_000);
        expect(reuse.result.outcome).toBe('reuse');
        expect(reuse.result.outcome === 'reuse' && reuse.result.family.state).toBe('revoked');
        const after = (await rotate(next, T0 + 61_000)).result;
        expect(after).toMatchObject({ outcome: 'invalid', reason: 'revoked' });
        expect(after.outcome === 'invalid' && after.family?.state).toBe('revoked');
        expect(await store.listFamilies('alice', T0 + 61_000, IDLE)).toEqual([]);
        // A token of a revoked family: refused, nothing further happens (RT10).
        expect((await rotate(held, T0 + 62_000)).result).toMatchObject({ reason: 'revoked' });
      });

      it('RT10: unknown ids and a wrong secret are refused and revoke nothing', async () => {
        const { held } = await login();
        const forged = { ...held, secret: newSecret() };
        expect((await rotate(forged, T0 + 1000)).result).toEqual({
          outcome: 'invalid',
          reason: 'mismatch',
        });
        for (const ids of [
          { fid: randomId(), tid: held.tid },
          { fid: held.fid, tid: randomId() },
          { fid: '', tid: held.tid },
          { fid: `${held.fid}}x{`, tid: held.tid },
        ]) {
          expect((await rotate({ ...held, ...ids }, T0 + 1000)).result).toEqual({
            outcome: 'invalid',
            reason: 'unknown',
          });
        }
        expect((await rotate(held, T0 + 2000)).result.outcome).toBe('rotated');
      });

      it('RT11: a rotated token is still caught as reuse after the idle lifetime', async () => {
        const { held } = await login();
        await rotate(held, T0 + 1000);
        expect((await rotate(held, T0 + IDLE + 5000)).result.outcome).toBe('reuse');
      });

      it('RT12: idle lifetime from the last rotation; absolute lifetime from creation', async () => {
        const { held } = await login();
        const idle = (await rotate(held, T0 + IDLE)).result;
        expect(idle).toMatchObject({ outcome: 'invalid', reason: 'expired' });
        expect(idle.outcome === 'invalid' && idle.family?.id).toBe(held.fid);
        // Rotating just in time renews the idle lifetime, never the absolute one.
        let current = held;
        for (const at of [T0 + IDLE - 1, T0 + 2 * IDLE - 2]) {
          const step = await rotate(current, at);
          expect(step.result.outcome).toBe('rotated');
          current = step.next;
        }
        const absolute = (await rotate(current, T0 + ABSOLUTE)).result;
        expect(absolute.outcome).toBe('invalid');
        // The contract says `expired`; the in-memory store drops a family at its absolute
        // expiry first and answers `unknown` (reported to the store's owner). Same 400 either way.
        expect(['expired', 'unknown']).toContain(absolute.outcome === 'invalid' && absolute.reason);
      });

      it('RT13: beyond the cap the oldest families are revoked and reported', async () => {
        const first = (await login('bob', T0, 2)).held;
        const second = (await login('bob', T0 + 1, 2)).held;
        const third = await login('bob', T0 + 2, 2);
        expect(third.evicted.map((f) => [f.id, f.state])).toEqual([[first.fid, 'revoked']]);
        expect((await store.listFamilies('bob', T0 + 3, IDLE)).map((f) => f.id)).toEqual([
          second.fid,
          third.held.fid,
        ]);
        expect((await rotate(first, T0 + 4)).result).toMatchObject({ reason: 'revoked' });
      });

      it('RT14: fifty concurrent rotations of one token: one rotation, 49 identical replays', async () => {
        const { held } = await login();
        const results = await Promise.all(
          Array.from({ length: 50 }, () => rotate(held, T0 + 1000).then((r) => r.result)),
        );
        const rotated = results.filter((r) => r.outcome === 'rotated');
        const grace = results.filter(
          (r): r is Extract<RotateResult, { outcome: 'grace' }> => r.outcome === 'grace',
        );
        expect(rotated).toHaveLength(1);
        expect(grace).toHaveLength(49);
        expect(new Set(grace.map((g) => g.ciphertext)).size).toBe(1);
        const family = await store.getFamily(held.fid);
        expect(grace[0].ciphertext).toBe(`sealed:${family!.currentTokenId}`);
      });

      it('RT14: with grace 0, fifty concurrent rotations: one rotation, then the family is revoked', async () => {
        const { held } = await login();
        const results = await Promise.all(
          Array.from({ length: 50 }, () =>
            rotate(held, T0 + 1000, { graceMs: 0 }).then((r) => r.result),
          ),
        );
        const outcomes = results.map((r) => (r.outcome === 'invalid' ? r.reason : r.outcome));
        expect(outcomes.filter((o) => o === 'rotated')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'reuse')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'revoked')).toHaveLength(48);
        expect((await store.getFamily(held.fid))?.state).toBe('revoked');
      });

      it('authenticate proves possession of any token of the family and writes nothing', async () => {
        const { held } = await login();
        expect((await store.authenticate(held.fid, held.tid, hashSecret(held.secret)))?.id).toBe(
          held.fid,
        );
        const { next } = await rotate(held, T0 + 1000);
        // A rotated token still authenticates (for /revoke); the current one too.
        expect(await store.authenticate(held.fid, held.tid, hashSecret(held.secret))).toBeDefined();
        expect(await store.authenticate(next.fid, next.tid, hashSecret(next.secret))).toMatchObject(
          {
            currentTokenId: next.tid,
          },
        );
        expect(
          await store.authenticate(held.fid, held.tid, hashSecret(newSecret())),
        ).toBeUndefined();
        expect(
          await store.authenticate(randomId(), held.tid, hashSecret(held.secret)),
        ).toBeUndefined();
        expect(await store.authenticate(held.fid, '', hashSecret(held.secret))).toBeUndefined();
        expect((await store.getFamily(held.fid))?.currentTokenId).toBe(next.tid);
      });

      it('RT20: lists the live families of a subject, oldest first; idle and revoked ones hidden', async () => {
        const a = (await login('carol', T0)).held;
        const b = (await login('carol', T0 + 10)).held;
        const c = (await login('carol', T0 + 20)).held;
        await login('dave', T0);
        await rotate(c, T0 + IDLE - 100);
        await store.revokeFamily(b.fid, T0 + 30);
        const listed = await store.listFamilies('carol', T0 + IDLE, IDLE);
        expect(listed.map((f) => f.id)).toEqual([c.fid]);
        expect((await store.listFamilies('carol', T0 + 40, IDLE)).map((f) => f.id)).toEqual([
          a.fid,
          c.fid,
        ]);
        expect(await store.listFamilies('nobody', T0, IDLE)).toEqual([]);
      });

      it('revokeFamily revokes once, keeps the records (RT10) and drops it from the index', async () => {
        const { held } = await login('erin');
        const revoked = await store.revokeFamily(held.fid, T0 + 10);
        expect(revoked).toMatchObject({ id: held.fid, state: 'revoked', subject: 'erin' });
        expect(await store.revokeFamily(held.fid, T0 + 20)).toMatchObject({ state: 'revoked' });
        expect(await store.revokeFamily(randomId(), T0 + 20)).toBeUndefined();
        expect((await rotate(held, T0 + 30)).result).toMatchObject({ reason: 'revoked' });
        expect(await store.listFamilies('erin', T0 + 30, IDLE)).toEqual([]);
      });

      it('RT21: revokeSubjectFamilies revokes every active family of the subject, once', async () => {
        const a = (await login('frank', T0)).held;
        const b = (await login('frank', T0 + 1)).held;
        const other = (await login('grace', T0)).held;
        const revoked = await store.revokeSubjectFamilies('frank', T0 + 10);
        expect(revoked.map((f) => f.id).sort()).toEqual([a.fid, b.fid].sort());
        expect(revoked.every((f) => f.state === 'revoked')).toBe(true);
        expect(await store.revokeSubjectFamilies('frank', T0 + 20)).toEqual([]);
        expect((await rotate(a, T0 + 30)).result).toMatchObject({ reason: 'revoked' });
        expect((await rotate(other, T0 + 30)).result.outcome).toBe('rotated');
      });
    };
    describeOnTarget(name, body);
  });

  describe.each([['redis'], ['cluster']] as const)(
    'RedisRefreshTokenStore in Redis (%s)',
    (name) => {
      describeRedisTarget(name, () => {
        const target = redisTarget(name);
        beforeAll(async () => target.setUp(), 30000);
        afterEach(async () => target.afterEach());

        async function family(store: RedisRefreshTokenStore, subject = 'alice') {
          const held: Held = { fid: randomId(), tid: randomId(), secret: newSecret() };
          await store.createFamily({
            family: {
              id: held.fid,
              subject,
              clientId: 'web',
              scope: 's',
              createdAt: T0,
              absoluteExpiresAt: T0 + ABSOLUTE,
            },
            token: { tokenId: held.tid, secretHash: hashSecret(held.secret) },
            maxFamiliesPerSubject: 50,
          });
          return held;
        }

        it('RT16: the key layout, one hash slot per family, hashes only, TTLs to absolute expiry', async () => {
          const store = new RedisRefreshTokenStore(await target.connect());
          const held = await family(store);
          const next = randomId();
          const nextSecret = newSecret();
          await store.rotate({
            familyId: held.fid,
            tokenId: held.tid,
            secretHash: hashSecret(held.secret),
            successor: {
              tokenId: next,
              secretHash: hashSecret(nextSecret),
              ciphertext: 'sealed',
            },
            now: T0 + 1000,
            graceMs: GRACE,
            idleTtlMs: IDLE,
          });
          const p = target.prefix;
          const tag = `${p}rt:{${held.fid}}`;
          expect(await listKeys(target.admin, p)).toEqual(
            [
              `${tag}:fam`,
              `${tag}:succ:${held.tid}`,
              `${tag}:t:${held.tid}`,
              `${tag}:t:${next}`,
              `${p}rt:sub:alice`,
            ].sort(),
          );
          const admin = target.admin;
          expect(await admin.hgetall(`${tag}:fam`)).toEqual({
            sub: 'alice',
            clientId: 'web',
            scope: 's',
            claims: '',
            createdAt: String(T0),
            absExp: String(T0 + ABSOLUTE),
            lastUsedAt: String(T0 + 1000),
            currentTid: next,
            state: 'active',
          });
          expect(await admin.hgetall(`${tag}:t:${held.tid}`)).toEqual({
            h: hashSecret(held.secret),
            issuedAt: String(T0),
            state: 'rotated',
            rotatedAt: String(T0 + 1000),
            next,
          });
          expect(await admin.hgetall(`${tag}:t:${next}`)).toEqual({
            h: hashSecret(nextSecret),
            parentTid: held.tid,
            issuedAt: String(T0 + 1000),
            state: 'current',
          });
          const dump = JSON.stringify(
            await Promise.all([`${tag}:fam`].map((k) => admin.hgetall(k))),
          );
          expect(dump).not.toContain(held.secret);
          // TTLs: the family's records to its absolute expiry, the ciphertext for the grace window.
          for (const key of [`${tag}:fam`, `${tag}:t:${held.tid}`]) {
            const ttl = await admin.pttl(key);
            expect(ttl).toBeGreaterThan(ABSOLUTE - 5000);
            expect(ttl).toBeLessThanOrEqual(ABSOLUTE);
          }
          expect(await admin.pttl(`${tag}:t:${next}`)).toBeLessThanOrEqual(ABSOLUTE - 1000);
          expect(await admin.pttl(`${tag}:succ:${held.tid}`)).toBeLessThanOrEqual(GRACE);
          expect(await admin.pttl(`${tag}:succ:${held.tid}`)).toBeGreaterThan(GRACE - 5000);
          expect(await admin.pttl(`${p}rt:sub:alice`)).toBeGreaterThan(ABSOLUTE - 5000);
          if (name === 'cluster') {
            const cluster = admin as Cluster;
            const slots = await Promise.all(
              [
                `${tag}:fam`,
                `${tag}:t:${held.tid}`,
                `${tag}:t:${next}`,
                `${tag}:succ:${held.tid}`,
              ].map((k) => cluster.cluster('KEYSLOT', k)),
            );
            expect(new Set(slots).size).toBe(1);
          }
        });

        it('RT18: state outlives the instance: another connection continues the family', async () => {
          const first = new RedisRefreshTokenStore(await target.connect());
          const held = await family(first);
          const second = new RedisRefreshTokenStore(await target.connect());
          const result = await second.rotate({
            familyId: held.fid,
            tokenId: held.tid,
            secretHash: hashSecret(held.secret),
            successor: { tokenId: randomId(), secretHash: hashSecret(newSecret()) },
            now: T0 + 1000,
            graceMs: 0,
            idleTtlMs: IDLE,
          });
          expect(result.outcome).toBe('rotated');
        });

        it('RT14: the family never has two current tokens after a race across two instances', async () => {
          const a = new RedisRefreshTokenStore(await target.connect());
          const b = new RedisRefreshTokenStore(await target.connect());
          const held = await family(a);
          const results = await Promise.all(
            Array.from({ length: 40 }, (_, i) =>
              (i % 2 ? a : b).rotate({
                familyId: held.fid,
                tokenId: held.tid,
                secretHash: hashSecret(held.secret),
                successor: {
                  tokenId: randomId(),
                  secretHash: hashSecret(newSecret()),
                  ciphertext: `c${i}`,
                },
                now: T0 + 1000,
                graceMs: GRACE,
                idleTtlMs: IDLE,
              }),
            ),
          );
          expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
          const tokens = (await listKeys(target.admin, `${target.prefix}rt:{${held.fid}}:t:`))
            .length;
          expect(tokens).toBe(2);
        });
      });
    },
  );
}
