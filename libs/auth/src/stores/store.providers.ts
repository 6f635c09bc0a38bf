import type { Provider } from '@nestjs/common';
import { AuthConfig } from '../auth-config';
import { AuthEvents } from '../auth-events';
import { Clock } from '../clock';
import { IssuingConfig } from '../issuing/issuing-config';
import { InMemoryRevocationStore } from '../revocation/in-memory-revocation.store';
import { RevocationStore } from '../revocation/revocation.store';
import { InMemoryRefreshTokenStore } from './in-memory-refresh-token.store';
import { InMemorySigningKeySource } from './in-memory-signing-key-source';
import { PemSigningKeySource } from './pem-signing-key-source';
import { RedisConnection } from './redis/redis-connection';
import { RedisRefreshTokenStore } from './redis/redis-refresh-token.store';
import { RedisRevocationStore } from './redis/redis-revocation.store';
import { RedisSigningKeySource } from './redis/redis-signing-key-source';
import { resolveRedisStoresOptions } from './redis/redis-stores.options';
import { RefreshTokenStore } from './refresh-token.store';
import { SigningKeySource } from './signing-key-source';

/**
 * Store selection (DESIGN S1), registered after the feature providers so it decides which
 * implementation backs `RefreshTokenStore`, `RevocationStore` and `SigningKeySource`: the Redis
 * ones when `stores.redis` is set, else the in-memory defaults. Factories read the options at
 * start-up, so `forRoot` and `forRootAsync` select alike. PEM keys from `issuing.signingKeys`
 * are shared by configuration already and win over Redis-held keys. A user's own provider in
 * `extraProviders` still wins over all of these.
 */
export const STORE_PROVIDERS: Provider[] = [
  {
    // null without `stores.redis`: nothing connects, nothing to close.
    provide: RedisConnection,
    useFactory: (config: AuthConfig, events: AuthEvents) => {
      const redis = config.options.stores?.redis;
      return redis ? new RedisConnection(resolveRedisStoresOptions(redis), events) : null;
    },
    inject: [AuthConfig, AuthEvents],
  },
  {
    provide: RevocationStore,
    useFactory: (redis: RedisConnection | null, clock: Clock, events: AuthEvents) =>
      redis ? new RedisRevocationStore(redis, clock, events) : new InMemoryRevocationStore(clock),
    inject: [RedisConnection, Clock, AuthEvents],
  },
  {
    provide: RefreshTokenStore,
    useFactory: (redis: RedisConnection | null, issuing: IssuingConfig | null) =>
      redis
        ? new RedisRefreshTokenStore(redis, issuing?.storeTimeoutMs)
        : new InMemoryRefreshTokenStore(),
    inject: [RedisConnection, IssuingConfig],
  },
  {
    provide: SigningKeySource,
    useFactory: (
      redis: RedisConnection | null,
      clock: Clock,
      issuing: IssuingConfig | null,
      events: AuthEvents,
    ) => {
      if (issuing?.signingKeys) return new PemSigningKeySource(clock, issuing);
      if (redis && issuing) return new RedisSigningKeySource(redis, clock, issuing, events);
      return new InMemorySigningKeySource(clock, issuing);
    },
    inject: [RedisConnection, Clock, IssuingConfig, AuthEvents],
  },
];

/** The stores are exported with their features (validation, issuing); nothing more here. */
export const STORE_EXPORTS: never[] = [];
