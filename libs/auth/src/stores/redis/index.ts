// The public surface of the Redis stores (DESIGN S1). Selected by `stores.redis` in the module
// options; the classes are exported for typing, health checks and hand wiring.
export { RedisRefreshTokenStore } from './redis-refresh-token.store';
export { RedisRevocationStore } from './redis-revocation.store';
export { RedisSigningKeySource } from './redis-signing-key-source';
export { RedisConnection, RedisUnavailableError, redisClientDefaults } from './redis-connection';
export type { ChannelListener } from './redis-connection';
export { REDIS_STORES_DEFAULTS } from './redis-stores.options';
export type { RedisStoresOptions } from './redis-stores.options';
