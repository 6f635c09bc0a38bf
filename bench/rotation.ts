import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { BenchApp } from './bench-app';
import { median } from './load';
import type { InProcessGrants } from './ipc';
import type { Settings } from './run';

/** Refresh rotations on one store, over `POST /auth/token`. */
export interface StoreRotations {
  rotationsPerSecond: number;
  /** Latency of one rotation, ms. */
  p50: number;
  p99: number;
  /** Server CPU per rotation, µs. */
  cpuMicros: number;
  /** Chains (sessions) rotated at once: one request in flight each. */
  chains: number;
  /** The same rotations through `RefreshGrantService` inside the app, without HTTP. */
  inProcess?: InProcessGrants;
  /** The HTTP floor: `POST /bench/floor` (same body, same-sized answer, nothing else). */
  floor?: { requestsPerSecond: number; cpuMicros: number };
}

export interface RotationResult {
  stores: Partial<Record<'memory' | 'redis', StoreRotations>>;
  /** Why a store was not measured. */
  skipped?: Partial<Record<'memory' | 'redis', string>>;
}

/** What the rotation runs need from the runner. */
export interface RotationContext {
  settings: Settings;
  core?: number;
  execArgv: (name: string) => string[];
  errors: string[];
  log: (line: string) => void;
}

/** The Redis the integration tests use too: `REDIS_URL`, default `redis://127.0.0.1:6379`. */
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

type Store = 'memory' | 'redis';

/** The rotation apps, started beside the others (or why one could not start). */
export interface RotationApps {
  apps: Partial<Record<Store, BenchApp>>;
  skipped: Partial<Record<Store, string>>;
}

/** Starts one issuing app per store; Redis only when it answers. */
export async function startRotationApps(c: RotationContext): Promise<RotationApps> {
  const started: RotationApps = { apps: {}, skipped: {} };
  const down = await redisDown(REDIS_URL);
  if (down) started.skipped.redis = down;
  await Promise.all(
    (['memory', 'redis'] as const)
      .filter((store) => !started.skipped[store])
      .map(async (store) => {
        const variant = `rotation-${store}` as const;
        try {
          started.apps[store] = await BenchApp.start({
            variant,
            cooldown: c.settings.cooldown,
            core: c.core,
            execArgv: c.execArgv(variant),
            redisUrl: store === 'redis' ? REDIS_URL : undefined,
          });
        } catch (error) {
          started.skipped[store] = error instanceof Error ? error.message : String(error);
        }
      }),
  );
  return started;
}

/**
 * Refresh rotations per second on the in-memory and the Redis stores: one app per store, each
 * connection rotating its own session in a chain (the successor of one answer is the next
 * request's token), so every request is a real, successful rotation.
 */
export async function measureRotations(
  c: RotationContext,
  started: RotationApps,
): Promise<RotationResult> {
  const result: RotationResult = { stores: {}, skipped: { ...started.skipped } };
  for (const [store, why] of Object.entries(started.skipped)) {
    c.errors.push(`refresh rotations (${store}) not measured: ${why}`);
  }
  for (const store of ['memory', 'redis'] as const) {
    const app = started.apps[store];
    if (!app) continue;
    c.log(`refresh rotations, ${store} store: ${c.settings.rotationSeconds} s`);
    try {
      const chains = c.settings.connections;
      const tokens = await app.call<string[]>({ cmd: 'refreshTokens', count: chains });
      if (c.settings.warmupSeconds > 0) await rotate(app.port, tokens, c.settings.warmupSeconds);
      const before = await app.call<number>({ cmd: 'cpu' });
      const run = await rotate(app.port, tokens, c.settings.rotationSeconds);
      const cpu = (await app.call<number>({ cmd: 'cpu' })) - before;
      if (run.failures.length) {
        c.errors.push(`refresh rotations (${store}): ${run.failures.join('; ')}`);
      }
      run.latencies.sort((a, b) => a - b);
      const seconds = c.settings.rotationSeconds;
      const inProcess = await app.call<InProcessGrants>({
        cmd: 'grants',
        chains,
        ms: seconds * 1e3,
      });
      if (inProcess.failures) {
        c.errors.push(`in-process grants (${store}): chains broke (${inProcess.firstError})`);
      }
      const floorBefore = await app.call<number>({ cmd: 'cpu' });
      const floor = await postFloor(app.port, chains, seconds);
      const floorCpu = (await app.call<number>({ cmd: 'cpu' })) - floorBefore;
      if (floor.failures) c.errors.push(`HTTP floor (${store}): ${floor.failures} non-200 answers`);
      result.stores[store] = {
        rotationsPerSecond: run.rotations / run.seconds,
        p50: median(run.latencies),
        p99: run.latencies[Math.floor(0.99 * run.latencies.length)] ?? Number.NaN,
        cpuMicros: cpu / (run.rotations || 1),
        chains,
        inProcess,
        floor: {
          requestsPerSecond: floor.requests / floor.seconds,
          cpuMicros: floorCpu / (floor.requests || 1),
        },
      };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      result.skipped = { ...result.skipped, [store]: why };
      c.errors.push(`refresh rotations (${store}) failed: ${why}`);
    }
  }
  return result;
}

interface RotationRun {
  rotations: number;
  seconds: number;
  latencies: number[];
  failures: string[];
}

/** Rotates every chain for `seconds`; `tokens` is updated to each chain's newest token. */
async function rotate(port: number, tokens: string[], seconds: number): Promise<RotationRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: tokens.length });
  const run: RotationRun = { rotations: 0, seconds: 0, latencies: [], failures: [] };
  const started = process.hrtime.bigint();
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    tokens.map(async (_, chain) => {
      while (Date.now() < end) {
        const sent = process.hrtime.bigint();
        const { status, body } = await post(agent, port, '/auth/token', {
          grant_type: 'refresh_token',
          refresh_token: tokens[chain],
        });
        const next = status === 200 ? (JSON.parse(body) as { refresh_token?: string }) : {};
        if (!next.refresh_token) {
          // The chain is broken (its token was consumed or revoked): stop it, report it.
          run.failures.push(`chain ${chain}: HTTP ${status}`);
          return;
        }
        tokens[chain] = next.refresh_token;
        run.rotations++;
        run.latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      }
    }),
  );
  run.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return run;
}

/** `POST /bench/floor` from `chains` connections for `seconds`, one request in flight each. */
async function postFloor(
  port: number,
  chains: number,
  seconds: number,
): Promise<{ requests: number; failures: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: chains });
  const body = { grant_type: 'refresh_token', refresh_token: `rt_${'x'.repeat(89)}` };
  let requests = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: chains }, async () => {
      while (Date.now() < end) {
        const { status } = await post(agent, port, '/bench/floor', body);
        if (status === 200) requests++;
        else failures++;
      }
    }),
  );
  agent.destroy();
  return { requests, failures, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function post(
  agent: Agent,
  port: number,
  path: string,
  json: object,
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(json);
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.end(body);
  });
}

/** Why Redis cannot be used (one PING, 1 s deadline), or undefined when it answers. */
function redisDown(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port) || 6379, hostname || '127.0.0.1');
    const fail = (why: string) => {
      socket.destroy();
      resolve(`no Redis at ${url} (${why}); start one, e.g. \`redis-server --daemonize yes\``);
    };
    const timer = setTimeout(() => fail('no answer in 1 s'), 1000);
    socket.on('error', (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
  });
}
