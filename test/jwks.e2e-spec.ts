import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuthEvents } from '@app/auth';
import { TestIssuer, generateRsaKey } from '@app/auth/testing';
import { createTestApp, INVALID_TOKEN_CHALLENGE, ManualClock } from './support/test-app';

/** Records events instead of logging them. */
class RecordingEvents extends AuthEvents {
  readonly seen: string[] = [];
  override emit(name: string): void {
    this.seen.push(name);
  }
}

describe('JWKS behaviour, counted on a real JWKS server (V7, E7)', () => {
  let issuer: TestIssuer;
  let app: INestApplication | undefined;
  let http: Awaited<ReturnType<typeof createTestApp>>['http'];
  let clock: ManualClock;
  let events: RecordingEvents;

  const start = async (jwks: Record<string, number> = {}) => {
    clock = new ManualClock();
    events = new RecordingEvents();
    ({ app, http } = await createTestApp(
      {
        ...issuer.authOptions(),
        validationCache: false,
        jwks: { cooldown: 30, timeoutMs: 400, ...jwks },
      },
      { clock, customize: (b) => b.overrideProvider(AuthEvents).useValue(events) },
    ));
  };
  const call = (token: string) => http().get('/probe').set('Authorization', `Bearer ${token}`);
  const attackerKey = generateRsaKey('attacker');
  const randomKidToken = () =>
    issuer.mint({}, { kid: randomBytes(16).toString('hex'), signWith: attackerKey.privateKey });

  beforeEach(async () => {
    issuer = await TestIssuer.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await issuer.stop();
  });

  it('50 concurrent cold requests share one fetch', async () => {
    await start();
    const token = issuer.mint();
    const results = await Promise.all(Array.from({ length: 50 }, () => call(token)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(issuer.fetchCount).toBe(1);
  });

  it('a known kid never refetches; a bad signature behind it neither', async () => {
    await start();
    await call(issuer.mint());
    const [h, p] = issuer.mint().split('.');
    const res = await call(`${h}.${p}.${randomBytes(256).toString('base64url')}`);
    expect(res.status).toBe(401);
    expect(issuer.fetchCount).toBe(1);
  });

  it('1,000 random kids cost at most one fetch per cooldown; a new key waits at most one cooldown', async () => {
    await start();
    await call(issuer.mint());
    issuer.resetFetchCount();
    const flood = Array.from({ length: 1000 }, randomKidToken);
    for (let i = 0; i < flood.length; i += 100) {
      const batch = await Promise.all(flood.slice(i, i + 100).map(call));
      for (const res of batch) {
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      }
    }
    expect(issuer.fetchCount).toBe(1);

    // A genuinely new key published during the flood, inside the cooldown: refused for now…
    issuer.addKey({ kid: 'k3' });
    const fresh = issuer.mint({}, { kid: 'k3' });
    expect((await call(fresh)).status).toBe(401);
    clock.advance(29_000);
    await Promise.all(Array.from({ length: 50 }, () => call(randomKidToken())));
    expect(issuer.fetchCount).toBe(1);
    // …and accepted once one cooldown has passed, after exactly one more fetch, flood or not.
    clock.advance(1_000);
    const [accepted] = await Promise.all([
      call(fresh),
      ...Array.from({ length: 20 }, () => call(randomKidToken())),
    ]);
    expect(accepted.status).toBe(200);
    expect(issuer.fetchCount).toBe(2);
  });

  it('a new kid right after warm-up is fetched at once (JWKS-03)', async () => {
    await start();
    await call(issuer.mint());
    issuer.addKey({ kid: 'k3' });
    expect((await call(issuer.mint({}, { kid: 'k3' }))).status).toBe(200);
    expect(issuer.fetchCount).toBe(2);
  });

  it('a removed key is refused once the cached set expires, after one refetch', async () => {
    await start({ cacheMaxAge: 60 });
    const token = issuer.mint();
    expect((await call(token)).status).toBe(200);
    issuer.removeKey('k1');
    clock.advance(59_000);
    expect((await call(token)).status).toBe(200);
    clock.advance(2_000);
    expect((await call(token)).status).toBe(401);
    expect(issuer.fetchCount).toBe(2);
  });

  it('endpoint down with cached keys: stale keys keep serving, reported once', async () => {
    await start({ cacheMaxAge: 60 });
    const token = issuer.mint();
    expect((await call(token)).status).toBe(200);
    issuer.setFault('status500');
    clock.advance(61_000);
    for (let i = 0; i < 5; i++) expect((await call(token)).status).toBe(200);
    clock.advance(10_000);
    expect((await call(token)).status).toBe(200);
    expect(events.seen.filter((e) => e === 'jwks.stale_keys_served')).toHaveLength(1);
  });

  it.each([
    'status500',
    'status404',
    'html',
    'garbage',
    'huge',
    'reset',
    'redirect',
    'hang',
    'stallAfterHeaders',
    'trickle',
  ] as const)(
    'endpoint %s with no cached keys → 503 with Retry-After, within the deadline',
    async (fault) => {
      issuer.setRedirectTarget(issuer.jwksUri);
      issuer.setFault(fault);
      await start();
      const started = Date.now();
      const res = await call(issuer.mint());
      expect(Date.now() - started).toBeLessThan(400 + 1000);
      expect(res.status).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      // Recovery without restart, once the back-off has passed.
      issuer.setFault('none');
      clock.advance(6_000);
      expect((await call(issuer.mint())).status).toBe(200);
    },
  );

  it('keys unfit to verify are filtered out of the set', async () => {
    const small = generateRsaKey('small', 1024);
    issuer.setExtraJwks([
      { ...small.publicJwk },
      { ...issuer.key('k2').publicJwk, kid: 'enc', use: 'enc' },
      { ...issuer.key('k2').publicJwk, kid: 'ops', key_ops: ['encrypt'] },
      { ...issuer.key('k2').publicJwk, kid: 'hs', alg: 'HS256' },
      { kty: 'oct', kid: 'oct', k: 'c2VjcmV0' },
    ]);
    await start();
    expect((await call(issuer.mint())).status).toBe(200);
    const k2 = issuer.key('k2').privateKey;
    for (const kid of ['small', 'enc', 'ops', 'hs', 'oct']) {
      const signWith = kid === 'small' ? small.privateKey : k2;
      expect((await call(issuer.mint({}, { kid, signWith }))).status).toBe(401);
    }
  });
});
