/**
 * `npm run bench` — the benchmarks of DESIGN "Proof" and issue 8, all from one run:
 * open vs authenticated (validation cache on and off) vs the usual recipe; an unknown-kid flood;
 * refresh rotations beside the cost of a signature; the validation cache's memory.
 *
 * Bench apps run in child processes (one per variant, pinned to one core when `taskset` is
 * there); autocannon and the paced senders run here, on the other core. Prints a table and
 * writes `bench/results/<timestamp>.json` and, for a complete run, `latest.json`.
 *
 * Flags: `--smoke` (0.5–1 s phases, tiny counts: checks the harness only), `--cpu-prof`
 * (profile the bench apps into dist/bench/profiles), `--only=main,flood,rotation,memory`,
 * `--apps=cached,uncached,recipe` (which apps the main comparison drives).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BenchApp, canPin, pin } from './bench-app';
import type { CacheMemory } from './cache-memory';
import type { MainVariant, SignatureCost, Variant } from './ipc';
import { load, LoadResult, median } from './load';
import { paced, untilAccepted } from './paced';
import { print as printProfile, summarize } from './profile-summary';
import { printReport, Report, Target } from './report';
import { measureRotations, RotationApps, RotationContext, startRotationApps } from './rotation';

/** Sizes of one run. */
export interface Settings {
  smoke: boolean;
  connections: number;
  rounds: number;
  phaseSeconds: number;
  warmupSeconds: number;
  poolSize: number;
  /** Unknown-kid cooldown of the module's apps, in seconds. */
  cooldown: number;
  flood: { tokens: number; seconds: number; publishAtSeconds: number };
  signatureMs: number;
  rotationSeconds: number;
  cacheEntries: number;
}

const FULL: Settings = {
  smoke: false,
  connections: 10,
  rounds: 5,
  phaseSeconds: 4,
  warmupSeconds: 2,
  poolSize: 100,
  cooldown: 5,
  flood: { tokens: 2000, seconds: 10, publishAtSeconds: 2.5 },
  signatureMs: 2000,
  rotationSeconds: 5,
  cacheEntries: 100_000,
};

const SMOKE: Settings = {
  smoke: true,
  connections: 10,
  rounds: 1,
  phaseSeconds: 0.5,
  warmupSeconds: 0,
  poolSize: 10,
  cooldown: 1,
  flood: { tokens: 100, seconds: 1, publishAtSeconds: 0.3 },
  signatureMs: 200,
  rotationSeconds: 0.5,
  cacheEntries: 2000,
};

/** The repository root (this file runs as dist/bench/run.js). */
const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
const PHASES = ['main', 'flood', 'rotation', 'memory'] as const;
const VARIANTS: MainVariant[] = ['cached', 'uncached', 'recipe'];

/** The main comparison of one app: its open route and its authenticated route. */
export interface RouteFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Server CPU per request, µs (median of rounds). */
  cpuMicros: number;
  rounds: LoadResult[];
}

/** The routes of the main comparison; `token` is `/open` sent a bearer token anyway. */
type Route = 'open' | 'token' | 'auth';

export interface AppFigures {
  open: RouteFigures;
  auth: RouteFigures;
  /** `/open` with the Authorization header (cached app): the floor any bearer auth pays. */
  token?: RouteFigures;
  /** token / open req/s and CPU ratios, like `ratio` and `cpuRatio`. */
  tokenRatio?: number;
  tokenCpuRatio?: number;
  /** auth / token req/s: what authentication costs beyond carrying the token. */
  beyondTokenRatio?: number;
  /** auth / open req/s: median of the rounds' ratios. */
  ratio: number;
  /** open / auth server CPU per request (median of rounds): what a CPU-bound server would show. */
  cpuRatio: number;
  /** Latency added by authentication, ms: auth − open, median of rounds. */
  addedP50: number;
  addedP99: number;
}

export interface FloodFigures {
  cooldownSeconds: number;
  floodTokens: number;
  floodSeconds: number;
  floodStatuses: Record<string, number>;
  jwksFetches: number;
  /** Seconds from the flood's start to the fetch count being read. */
  windowSeconds: number;
  /** One fetch per cooldown started: floor(window / cooldown) + 1. */
  allowedFetches: number;
  /** Valid traffic for half the flood's length just before it, and again just after it. */
  before: LoadResult;
  after: LoadResult;
  during: LoadResult;
  /** Valid req/s during the flood / the mean of before and after. */
  throughputRatio: number;
  /** The same from server CPU per valid request (what a CPU-bound server would show). */
  cpuThroughputRatio: number;
  /** Seconds from publishing a new kid to its token's first 200 (undefined: never). */
  newKeyAcceptedSeconds?: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const settings = args.includes('--smoke') ? SMOKE : FULL;
  const only = listFlag(args, 'only') ?? [...PHASES];
  const mainApps = (listFlag(args, 'apps') as MainVariant[] | undefined) ?? VARIANTS;
  const profile = args.includes('--cpu-prof');
  const started = Date.now();
  mkdirSync(RESULTS, { recursive: true });
  // Profiles are big and machine-specific: kept under dist/ (ignored), not with the results.
  const stamp = new Date(started).toISOString().replace(/:/g, '-');
  const profileDir = join(ROOT, 'dist', 'bench', 'profiles', stamp);
  const pinned = cpus().length >= 2 && canPin();
  if (pinned) pin(process.pid, 0);

  const report: Report = {
    startedAt: new Date(started).toISOString(),
    machine: machine(pinned),
    settings,
    main: {},
    errors: [],
  };
  const needed = new Set<Variant>(only.includes('main') ? mainApps : []);
  // The flood runs on the module's default app; the signature cost is timed in it too.
  if (only.includes('flood') || only.includes('rotation')) needed.add('cached');
  const rotationContext: RotationContext = {
    settings,
    core: pinned ? 1 : undefined,
    execArgv: (name) => (profile ? cpuProfileFlags(profileDir, name) : []),
    errors: report.errors,
    log,
  };
  const rotationNames = only.includes('rotation') ? ['rotation-memory', 'rotation-redis'] : [];
  log(`starting bench apps: ${[...needed, ...rotationNames].join(', ')}`);
  // All at once: idle apps cost nothing, and start-up is the longest part of a smoke run.
  const apps = new Map<Variant, BenchApp>();
  let rotationApps: RotationApps | undefined;
  const starting = Promise.all([
    ...[...needed].map(async (variant) => {
      const app = await BenchApp.start({
        variant,
        cooldown: settings.cooldown,
        core: pinned ? 1 : undefined,
        execArgv: profile ? cpuProfileFlags(profileDir, variant) : [],
      });
      apps.set(variant, app);
    }),
    only.includes('rotation')
      ? startRotationApps(rotationContext).then((started) => void (rotationApps = started))
      : undefined,
  ]);
  try {
    await starting;
    if (only.includes('main')) report.main = await mainComparison(apps, mainApps, settings, report);
    if (only.includes('flood')) report.flood = await flood(apps.get('cached')!, settings, report);
    if (rotationApps) {
      report.signature = await apps
        .get('cached')!
        .call<SignatureCost>({ cmd: 'signatures', ms: settings.signatureMs });
      report.rotation = await measureRotations(rotationContext, rotationApps);
    }
  } finally {
    await starting.catch(() => undefined);
    const all = [...apps.values(), ...Object.values(rotationApps?.apps ?? {})];
    await Promise.all(all.map((app) => app.stop()));
  }
  if (only.includes('memory')) report.cacheMemory = cacheMemory(settings, report);
  report.targets = targets(report);
  report.seconds = (Date.now() - started) / 1000;
  report.machine.loadAverageAfter = loadavg()[0];

  printReport(report);
  const name = settings.smoke ? 'smoke.json' : `${report.startedAt.replace(/:/g, '-')}.json`;
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(join(RESULTS, name), json);
  // latest.json is the last complete run: not a smoke run, not one narrowed by --only or --apps.
  const complete = !settings.smoke && !listFlag(args, 'only') && !listFlag(args, 'apps');
  if (complete) writeFileSync(join(RESULTS, 'latest.json'), json);
  log(`wrote bench/results/${name}${complete ? ' and latest.json' : ''}`);
  if (profile) printProfiles(profileDir);
  if (report.errors.length) {
    console.error(`bench harness problems:\n- ${report.errors.join('\n- ')}`);
    process.exitCode = 1;
  }
}

async function mainComparison(
  apps: Map<Variant, BenchApp>,
  variants: MainVariant[],
  s: Settings,
  report: Report,
): Promise<Partial<Record<MainVariant, AppFigures>>> {
  const pools = new Map<Variant, string[]>();
  for (const variant of variants) {
    pools.set(variant, await apps.get(variant)!.call<string[]>({ cmd: 'mint', count: s.poolSize }));
  }
  // `token` is the open route sent the same tokens (cached app only): what carrying ~1 KB of
  // Authorization header costs before any authentication runs.
  const routes = (variant: MainVariant): Route[] =>
    variant === 'cached' ? ['open', 'token', 'auth'] : ['open', 'auth'];
  const run = (variant: Variant, route: Route, seconds: number) =>
    load({
      port: apps.get(variant)!.port,
      path: route === 'auth' ? '/auth' : '/open',
      tokens: route === 'open' ? undefined : pools.get(variant),
      connections: s.connections,
      seconds,
      serverCpu: () => apps.get(variant)!.call<number>({ cmd: 'cpu' }),
    });
  if (s.warmupSeconds > 0) {
    log(`warm-up: ${s.warmupSeconds} s per route`);
    for (const variant of variants) {
      for (const route of routes(variant)) await run(variant, route, s.warmupSeconds);
    }
  }
  const samples = new Map<string, LoadResult[]>();
  for (let round = 1; round <= s.rounds; round++) {
    log(`main comparison, round ${round} of ${s.rounds}: ${s.phaseSeconds} s per route`);
    for (const variant of variants) {
      // Every other round in the reverse order: a route that always ran first (or right after
      // another app) would carry that position's drift into every one of its samples.
      const order = round % 2 === 0 ? [...routes(variant)].reverse() : routes(variant);
      for (const route of order) {
        const result = await run(variant, route, s.phaseSeconds);
        check(report, `${variant} ${route}`, result);
        const key = `${variant}:${route}`;
        samples.set(key, [...(samples.get(key) ?? []), result]);
      }
    }
  }
  const figures = (key: string): RouteFigures | undefined => {
    const rounds = samples.get(key);
    if (!rounds) return undefined;
    return {
      requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      cpuMicros: median(rounds.map((r) => r.cpuMicrosPerRequest ?? Number.NaN)),
      rounds,
    };
  };
  const result: Partial<Record<MainVariant, AppFigures>> = {};
  for (const variant of variants) {
    const open = figures(`${variant}:open`)!;
    const auth = figures(`${variant}:auth`)!;
    const token = figures(`${variant}:token`);
    result[variant] = {
      open,
      auth,
      token,
      tokenRatio:
        token && perRound(open, token, (o, t) => t.requestsPerSecond / o.requestsPerSecond),
      beyondTokenRatio:
        token && perRound(token, auth, (t, a) => a.requestsPerSecond / t.requestsPerSecond),
      tokenCpuRatio:
        token &&
        perRound(
          open,
          token,
          (o, t) => (o.cpuMicrosPerRequest ?? 0) / (t.cpuMicrosPerRequest ?? 1),
        ),
      // Per round (open and auth ran back to back), then the median: drift between rounds cancels.
      ratio: perRound(open, auth, (o, a) => a.requestsPerSecond / o.requestsPerSecond),
      cpuRatio: perRound(
        open,
        auth,
        (o, a) => (o.cpuMicrosPerRequest ?? 0) / (a.cpuMicrosPerRequest ?? 1),
      ),
      addedP50: perRound(open, auth, (o, a) => a.p50 - o.p50),
      addedP99: perRound(open, auth, (o, a) => a.p99 - o.p99),
    };
  }
  return result;
}

function perRound(
  open: RouteFigures,
  auth: RouteFigures,
  f: (open: LoadResult, auth: LoadResult) => number,
): number {
  return median(open.rounds.map((o, i) => f(o, auth.rounds[i])));
}

async function flood(app: BenchApp, s: Settings, report: Report): Promise<FloodFigures> {
  const valid = await app.call<string[]>({ cmd: 'mint', count: s.poolSize });
  const floodTokens = randomKidTokens(app, s.flood.tokens);
  const fresh = await app.call<string>({ cmd: 'prepareKey', kid: `fresh-${randomUUID()}` });
  const validLoad = (seconds: number) =>
    load({
      port: app.port,
      path: '/auth',
      tokens: valid,
      connections: s.connections,
      seconds,
      serverCpu: () => app.call<number>({ cmd: 'cpu' }),
    });
  if (s.warmupSeconds > 0) await validLoad(s.warmupSeconds);
  // The baseline brackets the flood (half before, half after), so a drift in the machine's
  // background load does not pass for the flood's effect.
  log(`flood: ${s.flood.seconds / 2} s of valid traffic without a flood`);
  const before = await validLoad(s.flood.seconds / 2);
  check(report, 'valid traffic before the flood', before);

  log(
    `flood: ${s.flood.tokens} random-kid tokens over ${s.flood.seconds} s beside valid traffic;` +
      ` a new kid published after ${s.flood.publishAtSeconds} s (cooldown ${s.cooldown} s)`,
  );
  await app.call({ cmd: 'resetFetchCount' });
  const floodStart = Date.now();
  const during = validLoad(s.flood.seconds);
  const attack = paced(app.port, '/auth', floodTokens, s.flood.tokens / s.flood.seconds);
  await sleep(s.flood.publishAtSeconds * 1000);
  await app.call({ cmd: 'publishPrepared' });
  const acceptedMs = await untilAccepted(
    app.port,
    '/auth',
    fresh,
    20,
    2 * s.cooldown * 1000 + 2000,
  );
  const [duringResult, attackResult] = await Promise.all([during, attack]);
  const jwksFetches = await app.call<number>({ cmd: 'fetchCount' });
  const windowSeconds = (Date.now() - floodStart) / 1000;
  check(report, 'valid traffic during flood', duringResult);
  log(`flood: ${s.flood.seconds / 2} s of valid traffic after the flood`);
  const after = await validLoad(s.flood.seconds / 2);
  check(report, 'valid traffic after the flood', after);
  const mean = (pick: (r: LoadResult) => number) => (pick(before) + pick(after)) / 2;
  if (acceptedMs === undefined)
    report.errors.push('flood: the newly published key was never accepted');
  if (attackResult.statuses['200']) report.errors.push('flood: a random-kid token was accepted');
  return {
    cooldownSeconds: s.cooldown,
    floodTokens: attackResult.sent,
    floodSeconds: attackResult.seconds,
    floodStatuses: attackResult.statuses,
    jwksFetches,
    windowSeconds,
    allowedFetches: Math.floor(windowSeconds / s.cooldown) + 1,
    before,
    after,
    during: duringResult,
    throughputRatio: duringResult.requestsPerSecond / mean((r) => r.requestsPerSecond),
    cpuThroughputRatio:
      mean((r) => r.cpuMicrosPerRequest ?? Number.NaN) /
      (duringResult.cpuMicrosPerRequest ?? Number.NaN),
    newKeyAcceptedSeconds: acceptedMs === undefined ? undefined : acceptedMs / 1000,
  };
}

/** Well-formed tokens for the app's issuer, each naming a random kid; the signature is noise. */
function randomKidTokens(app: BenchApp, count: number): string[] {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return Array.from({ length: count }, (_, i) =>
    [
      part({ alg: 'RS256', typ: 'JWT', kid: randomBytes(12).toString('hex') }),
      part({
        iss: app.ready.issuer,
        aud: app.ready.audience,
        sub: `attacker-${i}`,
        iat: now - 60,
        exp: now + 3600,
      }),
      randomBytes(256).toString('base64url'),
    ].join('.'),
  );
}

function cacheMemory(s: Settings, report: Report): CacheMemory | undefined {
  log(`validation cache memory: ${s.cacheEntries} entries`);
  try {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', join(__dirname, 'cache-memory.js'), String(s.cacheEntries)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const result = JSON.parse(out.trim().split('\n').pop()!) as CacheMemory;
    if (!result.overfill.bounded) report.errors.push('validation cache grew past maxEntries');
    return result;
  } catch (error) {
    report.errors.push(`cache memory: ${(error as Error).message}`);
    return undefined;
  }
}

function targets(r: Report): Target[] {
  const t: Target[] = [];
  const add = (name: string, value: number | undefined, op: '>=' | '<=', target: number) =>
    value !== undefined &&
    Number.isFinite(value) &&
    t.push({ name, value, op, target, met: op === '>=' ? value >= target : value <= target });
  const { cached, uncached, recipe } = r.main;
  add('authenticated, cache on / open', cached?.ratio, '>=', 0.95);
  add('  same, from server CPU per request', cached?.cpuRatio, '>=', 0.95);
  add('authenticated, cache off / open', uncached?.ratio, '>=', 0.7);
  add('  same, from server CPU per request', uncached?.cpuRatio, '>=', 0.7);
  if (recipe) {
    const base = recipe.auth.requestsPerSecond;
    add('cache on / usual recipe (×)', cached && cached.auth.requestsPerSecond / base, '>=', 3);
    add(
      'cache off / usual recipe (×)',
      uncached && uncached.auth.requestsPerSecond / base,
      '>=',
      3,
    );
  }
  if (r.flood) {
    add(
      'flood: JWKS fetches (≤ 1 per cooldown)',
      r.flood.jwksFetches,
      '<=',
      r.flood.allowedFetches,
    );
    add('flood: valid req/s during / without', r.flood.throughputRatio, '>=', 0.9);
    add('flood: same, from server CPU per request', r.flood.cpuThroughputRatio, '>=', 0.9);
    add(
      'flood: new key accepted after (s)',
      r.flood.newKeyAcceptedSeconds ?? Number.POSITIVE_INFINITY,
      '<=',
      r.flood.cooldownSeconds,
    );
  }
  if (r.signature && r.rotation?.stores) {
    for (const [store, figures] of Object.entries(r.rotation.stores)) {
      if (!figures) continue;
      const ratio = figures.rotationsPerSecond / r.signature.signaturesPerSecond;
      add(`rotations/s / signatures/s (${store}, over HTTP)`, ratio, '>=', 0.7);
      const cpuRatio = r.signature.microsPerSignature / figures.cpuMicros;
      add('  same, from server CPU per rotation', cpuRatio, '>=', 0.7);
      if (figures.inProcess) {
        const inProcess = figures.inProcess.rotationsPerSecond / r.signature.signaturesPerSecond;
        add(`rotations/s / signatures/s (${store}, in process)`, inProcess, '>=', 0.7);
      }
    }
  }
  if (r.cacheMemory) {
    const { overfill } = r.cacheMemory;
    add(`cache size after ${overfill.inserted} inserts`, overfill.size, '<=', overfill.maxEntries);
  }
  return t;
}

function check(report: Report, what: string, result: LoadResult): void {
  if (result.ok === 0) report.errors.push(`${what}: no successful response`);
  if (result.other > 0 || result.errors > 0) {
    report.errors.push(`${what}: ${result.other} non-2xx answers, ${result.errors} errors`);
  }
}

function machine(pinned: boolean): Report['machine'] {
  const cores = cpus();
  return {
    cores: cores.length,
    cpu: cores[0]?.model.trim() ?? 'unknown',
    node: process.version,
    nest: version('@nestjs/core'),
    autocannon: version('autocannon'),
    platform: `${process.platform} ${process.arch}`,
    pinned,
    loadAverageBefore: loadavg()[0],
  };
}

function version(name: string): string {
  try {
    const file = join(ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function printProfiles(dir: string): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    printProfile(file, summarize(join(dir, file), 20));
  }
  console.log(`\nprofiles in ${dir}`);
}

/** `node` flags that profile a bench app into `dir/<name>.cpuprofile`. */
export function cpuProfileFlags(dir: string, name: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`];
}

function listFlag(args: string[], name: string): string[] | undefined {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3).split(',');
}

const T0 = Date.now();

function log(line: string): void {
  console.log(`[bench ${((Date.now() - T0) / 1000).toFixed(1).padStart(5)} s] ${line}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
