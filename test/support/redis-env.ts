import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { RedisSetupError, requireRedisServerBinary } from './redis-server';

/** The shared Redis of the integration tests: `REDIS_URL`, default `redis://127.0.0.1:6379`. */
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

let availability: string | undefined | null = null;

/**
 * Why the shared Redis cannot be used, or undefined when it answers. Checked once per test file,
 * synchronously (a child process sends one PING with a 1 s deadline), so a suite can decide at
 * `describe` time and never hang on a missing server.
 */
export function redisUnavailable(): string | undefined {
  if (availability !== null) return availability;
  const { hostname, port } = new URL(REDIS_URL);
  const script = `
    const s = require('net').connect(${Number(port) || 6379}, ${JSON.stringify(hostname || '127.0.0.1')});
    const t = setTimeout(() => process.exit(2), 1000);
    s.on('error', () => process.exit(1));
    s.on('connect', () => s.write('PING\\r\\n'));
    s.on('data', (d) => { clearTimeout(t); s.destroy(); process.exit(/^[+-]/.test(String(d)) ? 0 : 3); });
  `;
  try {
    execFileSync(process.execPath, ['-e', script], { stdio: 'ignore', timeout: 3000 });
    availability = undefined;
  } catch {
    availability =
      `Redis is not reachable at ${REDIS_URL}: start Redis ` +
      '(e.g. `redis-server --daemonize yes`) or set REDIS_URL to a running server.';
  }
  return availability;
}

/** Why no private `redis-server` can be started here, or undefined. */
export function redisServerUnavailable(): string | undefined {
  try {
    requireRedisServerBinary();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * `describe` for a suite that needs the shared Redis (`needs: 'url'`, the default) or the
 * `redis-server` binary for private servers and clusters (`needs: 'binary'`). Without it the
 * suite is one failing test whose message is one line saying what to do: no stack-trace wall,
 * no hang, no skip.
 */
export function describeRedis(
  name: string,
  body: () => void,
  needs: 'url' | 'binary' = 'url',
): void {
  const why = needs === 'url' ? redisUnavailable() : redisServerUnavailable();
  if (why === undefined) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    it(needs === 'url' ? 'needs Redis' : 'needs redis-server', () => {
      throw new RedisSetupError(why);
    });
  });
}

/** A fresh key prefix for one test, so tests never see each other's keys. */
export function freshPrefix(): string {
  return `authtest:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix`, on each master of a cluster. */
export async function deleteKeys(client: Redis | Cluster, prefix: string): Promise<void> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      // One DEL per key: in a cluster, keys of different slots cannot share a command.
      for (const key of keys) await node.del(key);
    } while (cursor !== '0');
  }
}

/** Every key under `prefix`, across a cluster's masters. */
export async function listKeys(client: Redis | Cluster, prefix: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const out: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
  }
  return out.sort();
}

/** A test client: fails fast instead of queueing when the server is gone. */
export function testClient(url = REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 1000 });
}
