import { refreshTokenStoreSuites } from './support/redis-refresh-store.suite';
import { revocationStoreSuites } from './support/redis-revocation-store.suite';
import { rotationRateSuite } from './support/redis-rotation-rate.suite';
import { signingKeySourceSuites } from './support/redis-signing-keys.suite';

/**
 * Every store against real parts (DESIGN "Proof"): the same behaviour tests on the in-memory
 * store, on the shared Redis (`REDIS_URL`) and on a private three-master Redis Cluster, which
 * starts once for this file. Each test runs under a fresh key prefix and deletes its keys.
 */
describe('stores on memory, Redis and Redis Cluster', () => {
  refreshTokenStoreSuites();
  revocationStoreSuites();
  signingKeySourceSuites();
  rotationRateSuite();
});
