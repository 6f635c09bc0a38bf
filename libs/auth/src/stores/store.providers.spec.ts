import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { AuthModule } from '../auth.module';
import { InMemoryRevocationStore } from '../revocation/in-memory-revocation.store';
import { RevocationStore } from '../revocation/revocation.store';
import { InMemoryRefreshTokenStore } from './in-memory-refresh-token.store';
import { InMemorySigningKeySource } from './in-memory-signing-key-source';
import { PemSigningKeySource } from './pem-signing-key-source';
import { RedisRefreshTokenStore } from './redis/redis-refresh-token.store';
import { RedisRevocationStore } from './redis/redis-revocation.store';
import { RedisSigningKeySource } from './redis/redis-signing-key-source';
import { RefreshTokenStore } from './refresh-token.store';
import { SigningKeySource } from './signing-key-source';
import { generateKeyPairSync } from 'node:crypto';

const issuing = { issuer: 'https://api.test', audience: 'api' };

/** Compiles the module without starting it: the factories run, nothing connects. */
async function selected(options: Parameters<typeof AuthModule.forRoot>[0]) {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthModule.forRoot(options)],
  }).compile();
  return {
    refresh: moduleRef.get(RefreshTokenStore),
    revocation: moduleRef.get(RevocationStore),
    keys: moduleRef.get(SigningKeySource),
  };
}

describe('STORE_PROVIDERS (store selection, DESIGN S1)', () => {
  const client = new Redis({ lazyConnect: true });
  afterAll(() => client.disconnect());

  it('without `stores`: the in-memory defaults', async () => {
    const s = await selected({ issuing });
    expect(s.refresh).toBeInstanceOf(InMemoryRefreshTokenStore);
    expect(s.revocation).toBeInstanceOf(InMemoryRevocationStore);
    expect(s.keys).toBeInstanceOf(InMemorySigningKeySource);
  });

  it('with `stores.redis`: the Redis stores, on the given client', async () => {
    const s = await selected({ issuing, stores: { redis: { client } } });
    expect(s.refresh).toBeInstanceOf(RedisRefreshTokenStore);
    expect(s.revocation).toBeInstanceOf(RedisRevocationStore);
    expect(s.keys).toBeInstanceOf(RedisSigningKeySource);
  });

  it('PEM keys from `issuing.signingKeys` win over Redis-held keys; no issuing, no Redis key source', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const withPem = await selected({
      issuing: { ...issuing, signingKeys: [{ privateKey: pem }] },
      stores: { redis: { client } },
    });
    expect(withPem.keys).toBeInstanceOf(PemSigningKeySource);
    const validationOnly = await selected({
      issuer: 'https://idp.test/',
      audience: 'api',
      jwksUri: 'https://idp.test/jwks',
      stores: { redis: { client } },
    });
    expect(validationOnly.revocation).toBeInstanceOf(RedisRevocationStore);
    expect(validationOnly.keys).not.toBeInstanceOf(RedisSigningKeySource);
  });

  it('refuses bad `stores.redis` options at start-up, naming the field', async () => {
    await expect(selected({ issuing, stores: { redis: { url: 'http://x' } } })).rejects.toThrow(
      /`stores.redis.url`/,
    );
  });
});
