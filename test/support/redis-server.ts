import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `redis-server` process of a test's own, on a loopback port, ended by its pid. */
export interface PrivateRedisServer {
  readonly port: number;
  readonly url: string;
  /** The pid of the running server (changes after `restart`). */
  readonly pid: number;
  /** Kills the server by its pid (SIGKILL: a crash, not a clean shutdown) and waits for it. */
  kill(): Promise<void>;
  /** Starts it again on the same port (an empty data set: it keeps nothing on disk). */
  restart(): Promise<void>;
  /** Kills it and removes its folder. */
  stop(): Promise<void>;
}

/** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
export interface RedisServerOptions {
  readonly port?: number;
  readonly args?: readonly string[];
  readonly dir?: string;
}

/** Says why a Redis process cannot be had, in one line, with what to do. */
export class RedisSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisSetupError';
    // One line in Jest's report, not a stack-trace wall.
    this.stack = `${this.name}: ${message}`;
  }
}

/** Throws a one-line error when the `redis-server` binary is missing. */
export function requireRedisServerBinary(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new RedisSetupError(
      'redis-server is not installed: install Redis (e.g. `apt-get install redis-server`) to run the Redis tests.',
    );
  }
}

/** A TCP port free on 127.0.0.1 now (and, with `plus`, port + plus too — the cluster bus). */
export async function freePort(plus?: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if ((await isFree(port)) && (plus === undefined || (await isFree(port + plus)))) return port;
  }
  throw new RedisSetupError('no free loopback port found for a private redis-server');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Answers once `PING` gets `+PONG` on the port, or throws after `timeoutMs`. */
export async function waitForPong(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pingOnce('127.0.0.1', port, 500)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new RedisSetupError(
    `redis-server on 127.0.0.1:${port} did not answer PING in ${timeoutMs} ms`,
  );
}

/** One PING over a raw socket; true on `+PONG`. */
export function pingOnce(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Every process this file started, ended if the test process exits without `stop()`. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `redis-server --port <free> --save '' --appendonly no` in a temp folder and waits for
 * it to answer. The caller ends it with `stop()` (by pid).
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<PrivateRedisServer> {
  requireRedisServerBinary();
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'auth-redis-'));
  let child: ChildProcess;

  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        ...(options.args ?? []),
      ],
      { stdio: 'ignore' },
    );
    running.add(child);
    child.once('exit', () => running.delete(child));
    await waitForPong(port);
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
