import type { CacheMemory } from './cache-memory';
import type { MainVariant, SignatureCost } from './ipc';
import type { RotationResult } from './rotation';
import type { AppFigures, FloodFigures, Settings } from './run';

/** A target of issue 8 and whether this run met it. */
export interface Target {
  name: string;
  value: number;
  op: '>=' | '<=';
  target: number;
  met: boolean;
}

/** Everything one run measured: the JSON written to bench/results. */
export interface Report {
  startedAt: string;
  seconds?: number;
  machine: {
    cores: number;
    cpu: string;
    node: string;
    nest: string;
    autocannon: string;
    platform: string;
    /** Bench apps on core 1, the load generator on core 0. */
    pinned: boolean;
    /** 1-minute load average when the run started and ended: above ~1, something else ran. */
    loadAverageBefore: number;
    loadAverageAfter?: number;
  };
  settings: Settings;
  main: Partial<Record<MainVariant, AppFigures>>;
  flood?: FloodFigures;
  signature?: SignatureCost;
  rotation?: RotationResult;
  cacheMemory?: CacheMemory;
  targets?: Target[];
  /** Harness problems (non-2xx on valid traffic, a key never accepted…): exit code 1. */
  errors: string[];
}

const LABELS: Record<MainVariant, string> = {
  cached: 'this module, validation cache on',
  uncached: 'this module, validation cache off',
  recipe: 'usual recipe (AuthGuard + jwks-rsa)',
};

/** Prints the tables. */
export function printReport(r: Report): void {
  const m = r.machine;
  const s = r.settings;
  console.log(
    `\n${m.cores} cores (${m.cpu}), Node ${m.node}, Nest ${m.nest} on Express, autocannon ${m.autocannon}` +
      `${m.pinned ? '; apps pinned to core 1, load generator to core 0' : ''}` +
      `\n${s.connections} connections; ${s.rounds} × ${s.phaseSeconds} s per route (medians)` +
      `${s.smoke ? ' — SMOKE RUN: figures mean nothing' : ''}` +
      `\nload average ${m.loadAverageBefore.toFixed(2)} before, ${m.loadAverageAfter?.toFixed(2)} after` +
      `${m.loadAverageBefore > 1.5 ? ' — OTHER WORK WAS RUNNING: req/s are low, CPU µs/req inflated' : ''}\n`,
  );

  const rows: string[][] = [];
  for (const variant of Object.keys(r.main) as MainVariant[]) {
    const f = r.main[variant]!;
    rows.push([
      `${LABELS[variant]}: open`,
      int(f.open.requestsPerSecond),
      '1.00',
      ms(f.open.p50),
      ms(f.open.p99),
      '',
      '',
      int(f.open.cpuMicros),
      '1.00',
    ]);
    if (f.token) {
      rows.push([
        `${LABELS[variant]}: open, token sent`,
        int(f.token.requestsPerSecond),
        f.tokenRatio!.toFixed(2),
        ms(f.token.p50),
        ms(f.token.p99),
        '',
        '',
        int(f.token.cpuMicros),
        f.tokenCpuRatio!.toFixed(2),
      ]);
    }
    rows.push([
      `${LABELS[variant]}: authenticated`,
      int(f.auth.requestsPerSecond),
      f.ratio.toFixed(2),
      ms(f.auth.p50),
      ms(f.auth.p99),
      ms(f.addedP50),
      ms(f.addedP99),
      int(f.auth.cpuMicros),
      f.cpuRatio.toFixed(2),
    ]);
  }
  if (rows.length) {
    const head = ['route', 'req/s', '/ open', 'p50 ms', 'p99 ms', '+p50 ms', '+p99 ms'];
    table([...head, 'CPU µs/req', 'open/this CPU'], rows);
    const cached = r.main.cached;
    if (cached?.beyondTokenRatio !== undefined) {
      console.log(
        `(open, token sent: /open with the same Authorization header. Authenticated / that: ` +
          `${cached.beyondTokenRatio.toFixed(2)} — the module's own cost beyond carrying the token.)`,
      );
    }
  }

  if (r.flood) {
    const f = r.flood;
    const cpuBaseline =
      ((f.before.cpuMicrosPerRequest ?? Number.NaN) + (f.after.cpuMicrosPerRequest ?? Number.NaN)) /
      2;
    console.log(
      `\nUnknown-kid flood: ${f.floodTokens} random kids in ${f.floodSeconds.toFixed(1)} s ` +
        `(answers ${JSON.stringify(f.floodStatuses)}), cooldown ${f.cooldownSeconds} s`,
    );
    table(
      ['', 'value'],
      [
        [
          'JWKS fetches',
          `${f.jwksFetches} (allowed ${f.allowedFetches} in ${f.windowSeconds.toFixed(1)} s)`,
        ],
        [
          'valid req/s before / after the flood',
          `${int(f.before.requestsPerSecond)} / ${int(f.after.requestsPerSecond)}`,
        ],
        [
          'valid req/s during the flood (/ without)',
          `${int(f.during.requestsPerSecond)} (${f.throughputRatio.toFixed(2)})`,
        ],
        [
          'server CPU µs per valid req, without / during',
          `${int(cpuBaseline)} / ${int(f.during.cpuMicrosPerRequest ?? Number.NaN)} (${f.cpuThroughputRatio.toFixed(2)})`,
        ],
        [
          'valid p99 before / during / after',
          `${ms(f.before.p99)} / ${ms(f.during.p99)} / ${ms(f.after.p99)} ms`,
        ],
        [
          'new kid accepted after',
          f.newKeyAcceptedSeconds === undefined
            ? 'never'
            : `${f.newKeyAcceptedSeconds.toFixed(2)} s`,
        ],
      ],
    );
  }

  if (r.signature || r.rotation) {
    console.log('\nIssuing');
    const rows: string[][] = [];
    if (r.signature) {
      const g = r.signature;
      rows.push([
        'RS256 signature (crypto.sign, KeyObject)',
        `${int(g.signaturesPerSecond)}/s`,
        `${g.microsPerSignature.toFixed(0)} µs`,
      ]);
      rows.push([
        'RS256 verification (crypto.verify)',
        `${int(g.verificationsPerSecond)}/s`,
        `${g.microsPerVerification.toFixed(0)} µs`,
      ]);
    }
    for (const [store, f] of Object.entries(r.rotation?.stores ?? {})) {
      const ratio = r.signature
        ? ` (${(f.rotationsPerSecond / r.signature.signaturesPerSecond).toFixed(2)} of signatures)`
        : '';
      rows.push([
        `refresh rotations over HTTP, ${store} store (${f.chains} chains)`,
        `${int(f.rotationsPerSecond)}/s${ratio}`,
        `${int(f.cpuMicros)} µs CPU; p50 ${ms(f.p50)} ms, p99 ${ms(f.p99)} ms`,
      ]);
      if (f.inProcess) {
        const of = r.signature
          ? ` (${(f.inProcess.rotationsPerSecond / r.signature.signaturesPerSecond).toFixed(2)} of signatures)`
          : '';
        rows.push([
          `  the same grants in process, no HTTP`,
          `${int(f.inProcess.rotationsPerSecond)}/s${of}`,
          `${int(f.inProcess.cpuMicros)} µs CPU`,
        ]);
      }
      if (f.floor) {
        rows.push([
          `  HTTP floor: POST /bench/floor (same body and answer size)`,
          `${int(f.floor.requestsPerSecond)}/s`,
          `${int(f.floor.cpuMicros)} µs CPU`,
        ]);
      }
    }
    for (const [store, why] of Object.entries(r.rotation?.skipped ?? {})) {
      rows.push([`refresh rotations, ${store} store`, 'not measured', why]);
    }
    table(['', 'rate', 'cost'], rows);
  }

  if (r.cacheMemory) {
    const c = r.cacheMemory;
    console.log('\nValidation cache');
    table(
      ['', 'value'],
      [
        [
          `heap for ${c.entries} live entries`,
          `${(c.heapDeltaBytes / 2 ** 20).toFixed(1)} MiB (${int(c.bytesPerEntry)} B/entry)`,
        ],
        ['lookup (hash + get)', `${c.microsPerGet.toFixed(2)} µs`],
        [
          `size after ${c.overfill.inserted} inserts, maxEntries ${c.overfill.maxEntries}`,
          `${c.overfill.size} (${c.overfill.bounded ? 'bounded' : 'NOT BOUNDED'})`,
        ],
      ],
    );
  }

  if (r.targets?.length) {
    console.log('\nTargets (issue 8)');
    table(
      ['target', 'measured', 'goal', ''],
      r.targets.map((t) => [
        t.name,
        num(t.value),
        `${t.op === '>=' ? '≥' : '≤'} ${num(t.target)}`,
        t.met ? 'met' : 'MISSED',
      ]),
    );
  }
}

function table(head: string[], rows: string[][]): void {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : (cell ?? '').padStart(widths[i])))
      .join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => v.toFixed(2);
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
