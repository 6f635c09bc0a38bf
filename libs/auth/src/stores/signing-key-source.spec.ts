import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { Clock } from '../clock';
import { IssuingConfig } from '../issuing/issuing-config';
import { InMemorySigningKeySource } from './in-memory-signing-key-source';
import { PemSigningKeySource, SIGNING_KEY_ENV } from './pem-signing-key-source';
import { signingKeyFromPem } from './signing-key.factory';
import { SigningKeyRing } from './signing-key-ring';
import type { SigningKey } from './signing-key-source';

class FixedClock extends Clock {
  constructor(public ms: number) {
    super();
  }
  override now() {
    return this.ms;
  }
}

const HOUR = 3_600_000;
const T0 = 1_800_000_000_000;
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi'];
const config = (extra: object = {}) =>
  new IssuingConfig({ issuer: 'https://api.test', audience: 'api', ...extra }, 60);
const rsaPem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;

describe('InMemorySigningKeySource', () => {
  it('RT22: kid is the RFC 7638 thumbprint and tokens sign with RS256', async () => {
    const source = new InMemorySigningKeySource(new FixedClock(T0), config());
    const key = await source.activeKey();
    expect(key.alg).toBe('RS256');
    expect(key.kid).toBe(
      await calculateJwkThumbprint({ kty: 'RSA', n: key.jwk.n!, e: key.jwk.e! }, 'sha256'),
    );
    expect(key.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('RT25: the JWKS holds only kty n e kid alg use', async () => {
    const source = new InMemorySigningKeySource(new FixedClock(T0), config());
    await source.rotate();
    const { keys } = await source.publicJwks();
    expect(keys).toHaveLength(2);
    for (const jwk of keys) {
      expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      for (const member of PRIVATE) expect(jwk).not.toHaveProperty(member);
    }
  });

  it('RT23: a rotated-in key is pending for prePublish, then the one active key', async () => {
    const clock = new FixedClock(T0);
    const source = new InMemorySigningKeySource(clock, config());
    const first = await source.activeKey();
    const pending = await source.rotate();
    expect(pending.state).toBe('pending');
    expect(pending.activatesAt).toBe(T0 + HOUR);
    clock.ms = T0 + HOUR - 1;
    expect((await source.activeKey()).kid).toBe(first.kid);
    clock.ms = T0 + HOUR;
    expect((await source.activeKey()).kid).toBe(pending.kid);
    const states = await source.status();
    expect(states.filter((s) => s.state === 'active')).toHaveLength(1);
    expect(states.find((s) => s.kid === first.kid)?.state).toBe('retired');
  });

  it('RT24: a retired key stays published for retireAfter, then is removed', async () => {
    const clock = new FixedClock(T0);
    const source = new InMemorySigningKeySource(clock, config());
    const first = await source.activeKey();
    await source.rotate();
    clock.ms = T0 + HOUR + 24 * HOUR - 1;
    expect((await source.publishedKeys()).map((k) => k.kid)).toContain(first.kid);
    clock.ms = T0 + HOUR + 24 * HOUR;
    expect((await source.publishedKeys()).map((k) => k.kid)).not.toContain(first.kid);
    expect((await source.status()).find((s) => s.kid === first.kid)?.state).toBe('removed');
  });

  it('RT24: revokeKey removes at once and a pending key takes over', async () => {
    const source = new InMemorySigningKeySource(new FixedClock(T0), config());
    const first = await source.activeKey();
    const pending = await source.rotate();
    await source.revokeKey(first.kid);
    expect((await source.activeKey()).kid).toBe(pending.kid);
    expect((await source.publishedKeys()).map((k) => k.kid)).toEqual([pending.kid]);
  });

  it('RT24: revoking the only key generates a new active one', async () => {
    const source = new InMemorySigningKeySource(new FixedClock(T0), config());
    const first = await source.activeKey();
    await source.revokeKey(first.kid);
    const next = await source.activeKey();
    expect(next.kid).not.toBe(first.kid);
    await source.revokeKey('unknown-kid');
    expect((await source.activeKey()).kid).toBe(next.kid);
  });

  it('rotateEvery publishes the successor prePublish ahead and swaps on time', async () => {
    const clock = new FixedClock(T0);
    const source = new InMemorySigningKeySource(clock, config({ keys: { rotateEvery: 7200 } }));
    const first = await source.activeKey();
    clock.ms = T0 + HOUR;
    await source.activeKey();
    await new Promise((r) => setTimeout(r, 300));
    await waitFor(async () => (await source.publishedKeys()).length === 2);
    expect((await source.activeKey()).kid).toBe(first.kid);
    clock.ms = T0 + 2 * HOUR;
    expect((await source.activeKey()).kid).not.toBe(first.kid);
  });

  it('generates P-256 keys for ES256', async () => {
    const source = new InMemorySigningKeySource(new FixedClock(T0), config({ algorithm: 'ES256' }));
    const key = await source.activeKey();
    expect(key.alg).toBe('ES256');
    const { keys } = await source.publicJwks();
    expect(Object.keys(keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(key.kid).toBe(
      await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: key.jwk.x!, y: key.jwk.y! }),
    );
  });
});

describe('PemSigningKeySource', () => {
  const pemA = rsaPem();
  const pemB = rsaPem();

  it('follows the configured activation times (RT23, RT24)', async () => {
    const clock = new FixedClock(T0);
    const source = new PemSigningKeySource(
      clock,
      config({
        signingKeys: [
          { privateKey: pemA },
          { privateKey: pemB, activeFrom: (T0 + 2 * HOUR) / 1000 },
        ],
      }),
    );
    const a = signingKeyFromPem(pemA, 'a');
    const b = signingKeyFromPem(pemB, 'b');
    expect((await source.activeKey()).kid).toBe(a.kid);
    expect((await source.publishedKeys()).map((k) => k.kid)).toEqual([b.kid, a.kid]);
    clock.ms = T0 + 2 * HOUR;
    expect((await source.activeKey()).kid).toBe(b.kid);
    clock.ms = T0 + 26 * HOUR;
    expect((await source.publishedKeys()).map((k) => k.kid)).toEqual([b.kid]);
    await expect(source.rotate()).rejects.toThrow('activeFrom');
  });

  it('answers 503 when its only key is revoked', async () => {
    const source = new PemSigningKeySource(
      new FixedClock(T0),
      config({ signingKeys: [{ privateKey: pemA }] }),
    );
    await source.revokeKey((await source.activeKey()).kid);
    await expect(source.activeKey()).rejects.toMatchObject({ status: 503 });
  });

  it('reads AUTH_SIGNING_KEY when no keys are configured, and refuses bad PEM', () => {
    const before = process.env[SIGNING_KEY_ENV];
    try {
      process.env[SIGNING_KEY_ENV] = pemA.replace(/\n/g, '\\n');
      expect(() => new PemSigningKeySource(new FixedClock(T0), config())).not.toThrow();
      delete process.env[SIGNING_KEY_ENV];
      expect(() => new PemSigningKeySource(new FixedClock(T0), config())).toThrow(SIGNING_KEY_ENV);
    } finally {
      if (before === undefined) delete process.env[SIGNING_KEY_ENV];
      else process.env[SIGNING_KEY_ENV] = before;
    }
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(() => signingKeyFromPem(String(small), 'f')).toThrow('2048');
    expect(() =>
      signingKeyFromPem('-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----', 'f'),
    ).toThrow('invalid option `f`');
  });
});

describe('SigningKeyRing', () => {
  const key = (kid: string) => ({ kid, alg: 'RS256', jwk: { kid } }) as unknown as SigningKey;

  it('a key revoked while pending never retires the active one', () => {
    const ring = new SigningKeyRing({ prePublishMs: 10, retireAfterMs: 100 });
    ring.add(key('a'), 0, 0);
    ring.add(key('b'), 0, 50);
    ring.revoke('b', 20);
    expect(ring.active(60)?.kid).toBe('a');
    expect(ring.published(60).map((k) => k.kid)).toEqual(['a']);
  });

  it('exactly one key is active at any time', () => {
    const ring = new SigningKeyRing({ prePublishMs: 10, retireAfterMs: 100 });
    ring.add(key('a'), 0, 0);
    ring.add(key('b'), 0, 50);
    ring.add(key('c'), 0, 90);
    for (let t = 0; t < 300; t += 7) {
      expect(ring.status(t).filter((s) => s.state === 'active')).toHaveLength(1);
    }
    expect(ring.status(95).map((s) => [s.kid, s.state])).toEqual([
      ['c', 'active'],
      ['b', 'retired'],
      ['a', 'retired'],
    ]);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
