import autocannon from 'autocannon';

/** One autocannon run against one route. */
export interface LoadOptions {
  port: number;
  path: string;
  /** Bearer tokens cycled through (one request each, in turn); none for an open route. */
  tokens?: readonly string[];
  connections: number;
  /** Seconds to run (ignored when `amount` is given). */
  seconds?: number;
  /** Total requests to send, then stop. */
  amount?: number;
  /** Requests per second over all connections (a paced load instead of as fast as possible). */
  overallRate?: number;
  /** The server's CPU time so far, in µs; read before and after the run. */
  serverCpu?: () => Promise<number>;
}

/** What a run measured; latencies in ms with µs resolution (autocannon's own are whole ms). */
export interface LoadResult {
  requestsPerSecond: number;
  ok: number;
  other: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  mean: number;
  /** Server CPU time (user + system) per answered request, in µs: steady even on a busy machine. */
  cpuMicrosPerRequest?: number;
}

/** Runs autocannon once and measures every response itself. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let other = 0;
  const requests = (options.tokens ?? [undefined]).map((token) => ({
    method: 'GET' as const,
    path: options.path,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }));
  const cpuBefore = await options.serverCpu?.();
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${options.port}`,
        connections: options.connections,
        duration: options.seconds ?? 3600,
        amount: options.amount,
        overallRate: options.overallRate,
        requests,
        // autocannon stops on a sample tick: 100 ms ticks end a run within 0.1 s of its length.
        sampleInt: 100,
      },
      (error: unknown, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latencies.push(responseTime);
      } else other++;
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = await options.serverCpu?.();
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: ok / seconds,
    ok,
    other,
    errors: result.errors + result.timeouts,
    seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    mean: latencies.reduce((sum, v) => sum + v, 0) / (latencies.length || 1),
    cpuMicrosPerRequest:
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : (cpuAfter - cpuBefore) / (ok + other || 1),
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
