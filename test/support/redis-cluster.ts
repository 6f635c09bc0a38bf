import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  PrivateRedisServer,
  RedisSetupError,
  requireRedisServerBinary,
  startRedisServer,
} from './redis-server';

const run = promisify(execFile);

/** A real three-master Redis Cluster on loopback ports, in a temp folder of its own. */
export interface PrivateRedisCluster {
  /** The start-up nodes, for `new Cluster(nodes)`. */
  readonly nodes: { host: string; port: number }[];
  /** Ends every node by its pid and removes the folder. */
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` nodes and joins them with
 * `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`.
 *
 * @throws RedisSetupError with a one-line reason when the cluster cannot start (the tests then
 *   fail with it: a cluster that cannot start is a failure, never a skip).
 */
export async function startRedisCluster(): Promise<PrivateRedisCluster> {
  requireRedisServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'auth-redis-cluster-'));
  const servers: PrivateRedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      // The cluster bus listens on port + 10000: both must be free.
      const port = await freePort(10000);
      servers.push(
        await startRedisServer({
          port,
          dir,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    try {
      await run(
        'redis-cli',
        ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
        { timeout: 20000 },
      );
    } catch (error) {
      const why =
        (error as { stderr?: string; message: string }).stderr || (error as Error).message;
      throw new RedisSetupError(
        `redis-cli --cluster create failed: ${why.trim().split('\n').pop()}`,
      );
    }
    await waitForClusterOk(servers.map((s) => s.port));
    return { nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })), stop };
  } catch (error) {
    await stop();
    if (error instanceof RedisSetupError) throw error;
    throw new RedisSetupError(`the Redis Cluster could not start: ${(error as Error).message}`);
  }
}

/** Waits until every node reports `cluster_state:ok` (slots assigned and agreed). */
async function waitForClusterOk(ports: number[], timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
      if (stdout.includes('cluster_state:ok')) break;
      if (Date.now() > deadline) {
        throw new RedisSetupError(`cluster node 127.0.0.1:${port} never reached cluster_state:ok`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
