import { performance } from 'node:perf_hooks';
import { InMemoryRevocationStore, RevocationStore } from '@app/auth';
import { RedisRevocationStore } from '../../libs/auth/src/stores/redis/redis-revocation.store';
import {
  describeOnTarget,
  describeRedisTarget,
  RecordingEvents,
  RedisTarget,
  redisTarget,
  STORE_TARGETS,
  StoreTargetName,
} from './redis-targets';
import { ManualClock } from './test-app';

const NOW = Math.floor(Date.now() / 1000);
const token = (over: {
  tokenId?: string;
  sessionId?: string;
  subject?: string;
  issuedAt?: number;
}) => ({
  subject: 'alice',
  issuedAt: NOW - 10,
  ...over,
});

/** Waits until `done()` holds, polling on every turn of the event loop; returns the ms it took. */
async function until(done: () => boolean, timeoutMs = 2000): Promise<number> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > timeoutMs) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
  return performance.now() - start;
}

/** The RevocationStore behaviour on memory, Redis and Cluster, and propagation across instances (K1–K4). */
export function revocationStoreSuites(): void {
  describe.each(STORE_TARGETS)('RevocationStore behaviour on %s', (name: StoreTargetName) => {
    const body = () => {
      const target = name === 'memory' ? undefined : redisTarget(name);
      let clock: ManualClock;

      beforeAll(async () => target?.setUp(), 30000);
      afterEach(async () => target?.afterEach());

      async function store(): Promise<RevocationStore> {
        if (!target) return new InMemoryRevocationStore(clock);
        const s = new RedisRevocationStore(await target.connect(), clock, new RecordingEvents());
        await s.onModuleInit();
        return s;
      }

      beforeEach(() => (clock = new ManualClock(NOW * 1000)));

      it('K1: a revoked jti is refused until its expiry, then forgotten (K4)', async () => {
        const s = await store();
        await s.revokeToken('jti-1', NOW + 60);
        expect(s.check(token({ tokenId: 'jti-1' }), NOW)).toEqual({
          revoked: true,
          reason: 'token',
        });
        expect(s.check(token({ tokenId: 'jti-2' }), NOW)).toEqual({ revoked: false });
        expect(s.check(token({ tokenId: 'jti-1' }), NOW + 60)).toEqual({ revoked: false });
      });

      it('K1: a revoked session refuses every token with its sid', async () => {
        const s = await store();
        await s.revokeSession('fam-1', NOW + 60);
        expect(s.check(token({ sessionId: 'fam-1', tokenId: 'x' }), NOW)).toEqual({
          revoked: true,
          reason: 'session',
        });
        expect(s.check(token({ sessionId: 'fam-2' }), NOW)).toEqual({ revoked: false });
      });

      it('K2: a revoked subject refuses tokens issued before notBefore (E5), not after', async () => {
        const s = await store();
        await s.revokeSubject('alice', NOW, NOW + 60);
        expect(s.check(token({ issuedAt: NOW - 1 }), NOW)).toEqual({
          revoked: true,
          reason: 'subject',
          notBefore: NOW,
        });
        expect(s.check(token({ issuedAt: NOW }), NOW)).toEqual({ revoked: false });
        expect(s.check(token({ subject: 'bob', issuedAt: NOW - 1 }), NOW)).toEqual({
          revoked: false,
        });
        expect(s.subjectRevokedBefore('alice', NOW)).toBe(NOW);
        expect(s.subjectRevokedBefore('alice', NOW + 60)).toBeUndefined();
        expect(s.subjectRevokedBefore('bob', NOW)).toBeUndefined();
      });

      it('revocations never shrink: the later expiry and notBefore win', async () => {
        const s = await store();
        await s.revokeToken('jti-1', NOW + 100);
        await s.revokeToken('jti-1', NOW + 10);
        expect(s.check(token({ tokenId: 'jti-1' }), NOW + 50).revoked).toBe(true);
        await s.revokeSubject('alice', NOW + 5, NOW + 100);
        await s.revokeSubject('alice', NOW, NOW + 10);
        expect(s.subjectRevokedBefore('alice', NOW + 50)).toBe(NOW + 5);
      });
    };
    describeOnTarget(name, body);
  });

  describe.each([['redis'], ['cluster']] as const)(
    'RedisRevocationStore across instances (%s)',
    (name) => {
      describeRedisTarget(name, () => {
        const target = redisTarget(name);
        const clock = new ManualClock(NOW * 1000);
        beforeAll(async () => target.setUp(), 30000);
        afterEach(async () => target.afterEach());

        async function instance(events = new RecordingEvents()) {
          const s = new RedisRevocationStore(await target.connect({}, events), clock, events);
          await s.onModuleInit();
          return s;
        }

        it('K3/S2: a revocation on A is refused on B within the bound; the delay is measured', async () => {
          const a = await instance();
          const b = await instance();
          // One warm-up: the first EVALSHA of a fresh server loads the script.
          await a.revokeToken('warm-up', NOW + 60);
          await until(() => b.check(token({ tokenId: 'warm-up' }), NOW).revoked, 1000);
          const delays: number[] = [];
          for (let i = 0; i < 100; i++) {
            const jti = `jti-${i}`;
            const start = performance.now();
            await a.revokeToken(jti, NOW + 60);
            await until(() => b.check(token({ tokenId: jti }), NOW).revoked, 1000);
            delays.push(performance.now() - start);
          }
          delays.sort((x, y) => x - y);
          const median = delays[Math.floor(delays.length / 2)];
          const p99 = delays[Math.ceil(delays.length * 0.99) - 1];
          console.log(
            `revocation propagation A→B on ${name}: median ${median.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${delays.at(-1)!.toFixed(2)} ms (n=100)`,
          );
          expect(p99).toBeLessThan(1000);
        });

        it('K3: an instance started later loads every live revocation (resync on connect)', async () => {
          const a = await instance();
          await a.revokeToken('old-jti', NOW + 60);
          await a.revokeSession('old-sid', NOW + 60);
          await a.revokeSubject('carol', NOW, NOW + 60);
          const late = await instance();
          expect(late.synchronised).toBe(true);
          expect(late.check(token({ tokenId: 'old-jti' }), NOW).revoked).toBe(true);
          expect(late.check(token({ sessionId: 'old-sid' }), NOW).revoked).toBe(true);
          expect(late.subjectRevokedBefore('carol', NOW)).toBe(NOW);
        });

        it('K3: after its subscription drops, an instance resyncs in full and finds what it missed', async () => {
          const events = new RecordingEvents();
          const b = await instance(events);
          // A revocation B never heard of: written as an instance would, but its message is lost.
          await target.admin.set(`${target.prefix}rv:jti:missed`, `:${NOW + 60}`, 'EX', 60);
          expect(b.check(token({ tokenId: 'missed' }), NOW).revoked).toBe(false);
          const before = events.names().filter((n) => n === 'revocation.resynced').length;
          await killSubscribers(target);
          await until(() => b.check(token({ tokenId: 'missed' }), NOW).revoked, 3000);
          expect(events.names()).toContain('revocation.view_stale');
          expect(events.names().filter((n) => n === 'revocation.resynced').length).toBeGreaterThan(
            before,
          );
          expect(b.synchronised).toBe(true);
        });

        it('K4: each revocation key expires with the tokens it refuses', async () => {
          const a = await instance();
          await a.revokeToken('jti-ttl', NOW + 30);
          await a.revokeSubject('dave', NOW - 5, NOW + 90);
          const jtiTtl = await target.admin.pttl(`${target.prefix}rv:jti:jti-ttl`);
          const subTtl = await target.admin.pttl(`${target.prefix}rv:sub:dave`);
          expect(jtiTtl).toBeGreaterThan(29_000);
          expect(jtiTtl).toBeLessThanOrEqual(30_000);
          expect(subTtl).toBeGreaterThan(89_000);
          expect(await target.admin.get(`${target.prefix}rv:sub:dave`)).toBe(
            `${NOW - 5}:${NOW + 90}`,
          );
          // Already expired: nothing stored, nothing to refuse.
          await a.revokeToken('jti-dead', NOW - 1);
          expect(await target.admin.exists(`${target.prefix}rv:jti:jti-dead`)).toBe(0);
        });

        it('ignores malformed messages on the channel', async () => {
          const b = await instance();
          for (const junk of [
            'nope',
            '{}',
            '{"k":"jti","id":5,"exp":1}',
            '{"k":"sub","id":"x","exp":9}',
          ]) {
            await target.admin.publish(`${target.prefix}rv`, junk);
          }
          await target.admin.publish(
            `${target.prefix}rv`,
            JSON.stringify({ k: 'jti', id: 'ok', exp: NOW + 60 }),
          );
          await until(() => b.check(token({ tokenId: 'ok' }), NOW).revoked);
          expect(b.check(token({ subject: 'x', issuedAt: 0 }), NOW).revoked).toBe(false);
        });
      });
    },
  );

  /** Ends every pub/sub connection on the server(s), as a network blip would. */
  async function killSubscribers(target: RedisTarget): Promise<void> {
    const admin = target.admin as unknown as {
      nodes?: (role: string) => { client: (...args: string[]) => Promise<unknown> }[];
      client: (...args: string[]) => Promise<unknown>;
    };
    const nodes = typeof admin.nodes === 'function' ? admin.nodes('master') : [admin];
    for (const node of nodes) await node.client('KILL', 'TYPE', 'pubsub');
  }
}
