import { Cluster, Redis } from 'ioredis';
import { AuthEvents } from '@app/auth';
import { RedisConnection } from '../../libs/auth/src/stores/redis/redis-connection';
import {
  RedisStoresOptions,
  resolveRedisStoresOptions,
} from '../../libs/auth/src/stores/redis/redis-stores.options';
import { startRedisCluster, PrivateRedisCluster } from './redis-cluster';
import { deleteKeys, describeRedis, freshPrefix, REDIS_URL, redisUnavailable } from './redis-env';
import { RedisSetupError } from './redis-server';

/** Where a store suite runs: the in-memory default, the shared Redis, or a private Cluster. */
export type StoreTargetName = 'memory' | 'redis' | 'cluster';

/** The three targets, for `describe.each(STORE_TARGETS)`. */
export const STORE_TARGETS: [StoreTargetName][] = [['memory'], ['redis'], ['cluster']];

/** What a target needs, for `describeRedis`: the shared Redis, or the binary for a cluster. */
export function needs(name: StoreTargetName): 'url' | 'binary' {
  return name === 'cluster' ? 'binary' : 'url';
}

/** `body` in memory, or against the real Redis or Cluster (one failing line when it is missing). */
export function describeOnTarget(name: StoreTargetName, body: () => void): void {
  if (name === 'memory') describe('in memory', body);
  else
    describeRedis(
      `against real ${name === 'redis' ? 'Redis' : 'Redis Cluster'}`,
      body,
      needs(name),
    );
}

/** `body` against the shared Redis or a private three-master Cluster. */
export function describeRedisTarget(name: 'redis' | 'cluster', body: () => void): void {
  describeRedis(name === 'redis' ? 'shared Redis' : 'three-master cluster', body, needs(name));
}

/** Events a test can read back. */
export class RecordingEvents extends AuthEvents {
  readonly seen: { name: string; data: Record<string, unknown> }[] = [];
  override emit(name: string, data: Record<string, string | number | boolean | undefined> = {}) {
    this.seen.push({ name, data });
  }
  names(): string[] {
    return this.seen.map((e) => e.name);
  }
}

/**
 * One Redis backend for a suite (`redis` or `cluster`): `setUp()` in `beforeAll` (fails with one
 * line when Redis or the cluster cannot be had), `connect()` per store instance, a fresh key
 * prefix per test, and `tearDown()` closing everything and deleting the test's keys.
 */
export class RedisTarget {
  private cluster?: PrivateRedisCluster;
  /** A client of the test's own, for looking at keys. */
  admin!: Redis | Cluster;
  prefix = freshPrefix();
  private readonly connections: RedisConnection[] = [];
  private readonly clients: (Redis | Cluster)[] = [];

  private started?: Promise<void>;

  constructor(readonly name: 'redis' | 'cluster') {}

  /** Connects (starting the cluster) once per test file; later calls share it. */
  setUp(): Promise<void> {
    this.started ??= this.start();
    return this.started;
  }

  private async start(): Promise<void> {
    if (this.name === 'redis') {
      const why = redisUnavailable();
      if (why) throw new RedisSetupError(why);
      this.admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    } else {
      this.cluster = await startRedisCluster();
      this.admin = new Cluster(this.cluster.nodes);
    }
    await this.admin.ping();
  }

  /** Store options for this target and the current prefix. */
  storeOptions(extra: Partial<RedisStoresOptions> = {}): RedisStoresOptions {
    return this.name === 'redis'
      ? { url: REDIS_URL, keyPrefix: this.prefix, ...extra }
      : { client: this.newClient(), keyPrefix: this.prefix, ...extra };
  }

  /** A connection as the module makes it (one per simulated instance), ready to use. */
  async connect(extra: Partial<RedisStoresOptions> = {}, events = new RecordingEvents()) {
    const connection = new RedisConnection(
      resolveRedisStoresOptions(this.storeOptions(extra)),
      events,
    );
    this.connections.push(connection);
    if (!(await connection.whenReady(5000))) throw new RedisSetupError(`${this.name} not ready`);
    return connection;
  }

  /** A user-supplied client for this target (cluster: a `Cluster`), closed in `afterEach`. */
  newClient(): Redis | Cluster {
    const client =
      this.name === 'redis'
        ? new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })
        : new Cluster(this.cluster!.nodes, { enableOfflineQueue: true });
    this.clients.push(client);
    return client;
  }

  /** Closes this test's connections and deletes its keys; the next test gets a new prefix. */
  async afterEach(): Promise<void> {
    await Promise.all(this.connections.splice(0).map((c) => c.onApplicationShutdown()));
    await Promise.all(this.clients.splice(0).map((c) => c.quit().catch(() => undefined)));
    await deleteKeys(this.admin, this.prefix);
    this.prefix = freshPrefix();
  }

  async tearDown(): Promise<void> {
    await this.admin?.quit().catch(() => undefined);
    await this.cluster?.stop();
  }
}

const targets = new Map<'redis' | 'cluster', RedisTarget>();
// Registered when a test file imports this module, so at the file's top level: it runs once,
// after the file's last test.
afterAll(closeTargets);

/**
 * The file's one target of that name: the cluster starts once per test file, however many
 * suites use it, and everything is torn down after the file's last test.
 */
export function redisTarget(name: 'redis' | 'cluster'): RedisTarget {
  let target = targets.get(name);
  if (!target) {
    targets.set(name, (target = new RedisTarget(name)));
  }
  return target;
}

async function closeTargets(): Promise<void> {
  await Promise.all([...targets.values()].map((t) => t.tearDown()));
  targets.clear();
}
