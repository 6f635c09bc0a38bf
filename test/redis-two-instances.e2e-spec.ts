import { performance } from 'node:perf_hooks';
import { Test } from '@nestjs/testing';
import { AuthEvents, AuthModule, RevocationStore } from '@app/auth';
import { RefreshTokenStore, SigningKeySource } from '../libs/auth/src/stores';
import { RedisRefreshTokenStore } from '../libs/auth/src/stores/redis/redis-refresh-token.store';
import { RedisRevocationStore } from '../libs/auth/src/stores/redis/redis-revocation.store';
import { RedisSigningKeySource } from '../libs/auth/src/stores/redis/redis-signing-key-source';
import { deleteKeys, describeRedis, freshPrefix, REDIS_URL, testClient } from './support/redis-env';
import {
  AUDIENCE,
  createRefreshApp,
  expectInvalidGrant,
  ISSUER,
  RecordingEvents,
  RefreshApp,
} from './support/refresh-app';
import { ManualClock } from './support/test-app';

/** Polls `probe` until it answers `status`; returns the ms it took. */
async function until(probe: () => Promise<number>, status: number, timeoutMs = 1000) {
  const start = performance.now();
  while ((await probe()) !== status) {
    if (performance.now() - start > timeoutMs)
      throw new Error(`no ${status} within ${timeoutMs} ms`);
  }
  return performance.now() - start;
}

describeRedis('two app instances sharing one Redis (DESIGN S2, RT15, K3)', () => {
  const admin = testClient();
  let prefix: string;
  let apps: RefreshApp[] = [];
  let clock: ManualClock;

  beforeEach(() => {
    prefix = freshPrefix();
    clock = new ManualClock();
  });
  afterEach(async () => {
    await Promise.all(apps.map((a) => a.close()));
    apps = [];
    await deleteKeys(admin, prefix);
  });
  afterAll(async () => admin.quit());

  /**
   * Two apps of one deployment: same options, same Redis, same key prefix. ES256 keys, which
   * generate and sign far faster than RSA on a busy machine (the first test keeps RS256).
   */
  async function pair(graceSeconds?: number, rsa = false): Promise<[RefreshApp, RefreshApp]> {
    const issuing = {
      ...(graceSeconds === undefined ? {} : { graceSeconds }),
      ...(rsa ? {} : { algorithm: 'ES256' as const }),
    };
    const make = () =>
      createRefreshApp(issuing, {
        clock,
        module: { stores: { redis: { url: REDIS_URL, keyPrefix: prefix } } },
      });
    const a = await make();
    const b = await make();
    apps.push(a, b);
    return [a, b];
  }

  it('selects the Redis stores from `stores.redis`, with forRoot and forRootAsync alike', async () => {
    const [a] = await pair(undefined, true);
    expect(a.app.get(RefreshTokenStore)).toBeInstanceOf(RedisRefreshTokenStore);
    expect(a.app.get(RevocationStore)).toBeInstanceOf(RedisRevocationStore);
    expect(a.app.get(SigningKeySource)).toBeInstanceOf(RedisSigningKeySource);

    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRootAsync({
          useFactory: async () => ({
            issuing: { issuer: ISSUER, audience: AUDIENCE },
            stores: { redis: { url: REDIS_URL, keyPrefix: prefix } },
          }),
          extraProviders: [{ provide: AuthEvents, useValue: new RecordingEvents() }],
        }),
      ],
    }).compile();
    const asyncApp = moduleRef.createNestApplication({ logger: false });
    await asyncApp.init();
    try {
      expect(asyncApp.get(RefreshTokenStore)).toBeInstanceOf(RedisRefreshTokenStore);
      expect(asyncApp.get(RevocationStore)).toBeInstanceOf(RedisRevocationStore);
      expect(asyncApp.get(SigningKeySource)).toBeInstanceOf(RedisSigningKeySource);
    } finally {
      await asyncApp.close();
    }
    // Without `stores`, the in-memory defaults: libs/auth/src/stores/store.providers.spec.ts.
  });

  it('R1/S2: both instances publish the same JWKS and accept each other’s access tokens', async () => {
    const [a, b] = await pair();
    const jwksA = (await a.http().get('/.well-known/jwks.json')).body;
    const jwksB = (await b.http().get('/.well-known/jwks.json')).body;
    expect(jwksA.keys).toHaveLength(1);
    expect(jwksB).toEqual(jwksA);
    const issued = await a.tokens.issue('alice', { scope: 'Payments.Read' });
    expect((await b.probe(issued.access_token)).status).toBe(200);
    const refreshed = await b.refresh(issued.refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await a.probe(refreshed.body.access_token)).status).toBe(200);
  });

  it('RT15: 50 concurrent refreshes with one token split across both, grace > 0: all 200, one refresh token', async () => {
    const [a, b] = await pair();
    const { refresh_token } = await a.tokens.issue('alice');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).refresh(refresh_token)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const successors = new Set(results.map((r) => r.body.refresh_token));
    expect(successors.size).toBe(1);
    // One line of descent: the successor rotates, on either instance.
    expect((await a.refresh([...successors][0])).status).toBe(200);
  });

  it('RT15: 50 concurrent refreshes split across both, grace 0: exactly one 200, the family revoked', async () => {
    const [a, b] = await pair(0);
    const { refresh_token } = await a.tokens.issue('alice');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).refresh(refresh_token)),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectInvalidGrant(r);
    const store = a.app.get(RefreshTokenStore);
    expect((await store.getFamily(refresh_token.slice(3, 25)))?.state).toBe('revoked');
    expectInvalidGrant(await a.refresh(ok[0].body.refresh_token));
    expectInvalidGrant(await b.refresh(ok[0].body.refresh_token));
    // The access token of the one 200 carries the family's sid: refused on both instances.
    for (const app of [a, b])
      await until(async () => (await app.probe(ok[0].body.access_token)).status, 401);
  });

  it('S2: a token rotated on A and reused on B (outside the window) revokes the family everywhere', async () => {
    const [a, b] = await pair();
    const { refresh_token } = await a.tokens.issue('alice');
    const rotated = await a.refresh(refresh_token);
    expect(rotated.status).toBe(200);
    clock.advance(11_000);
    expectInvalidGrant(await b.refresh(refresh_token));
    expectInvalidGrant(await a.refresh(rotated.body.refresh_token));
    expect(b.events.names()).toContain('refresh.reuse_detected');
  });

  it('K3: a revocation on A is refused on B within the bound (measured)', async () => {
    const [a, b] = await pair();
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const issued = await a.tokens.issue(`user-${i}`);
      expect((await b.probe(issued.access_token)).status).toBe(200);
      const start = performance.now();
      const revoked = await a.http().post('/auth/revoke').type('form').send({
        token: issued.access_token,
        token_type_hint: 'access_token',
      });
      expect(revoked.status).toBe(200);
      await until(async () => (await b.probe(issued.access_token)).status, 401);
      delays.push(performance.now() - start);
    }
    delays.sort((x, y) => x - y);
    console.log(
      `HTTP revoke on A → 401 on B: median ${delays[5].toFixed(1)} ms, max ${delays[9].toFixed(1)} ms (n=10, includes both HTTP round trips)`,
    );
    expect(delays[9]).toBeLessThan(1000);
  });

  it('K2/RT21: logout-all on A refuses the subject’s tokens on B and ends its families', async () => {
    const [a, b] = await pair();
    const first = await a.tokens.issue('henry');
    const second = await b.tokens.issue('henry');
    clock.advance(1000);
    const res = await a
      .http()
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${first.access_token}`);
    expect(res.status).toBeLessThan(300);
    await until(async () => (await b.probe(second.access_token)).status, 401);
    expectInvalidGrant(await b.refresh(second.refresh_token));
    expectInvalidGrant(await b.refresh(first.refresh_token));
  });
});
