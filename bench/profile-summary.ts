/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): the frames with the most self time, and the
 * share of time under our library. `node dist/bench/profile-summary.js <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of a summary. */
export interface Frame {
  frame: string;
  selfPercent: number;
}

/** Where the time of a profile went. */
export interface Summary {
  /** Share of the profile's time not idle. */
  busyPercent: number;
  /** Self time per function (summed over call sites) as a share of busy time, busiest first. */
  frames: Frame[];
  /** Time spent in and under the functions of auth code (ours, Passport, jsonwebtoken, jwks-rsa). */
  auth: Frame[];
}

const AUTH_CODE = /libs\/auth|passport|jsonwebtoken|jws|jwa|jwks-rsa|bench\/apps/;

export function summarize(file: string, top = 15): Summary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const name = label(byId.get(id)!);
    total += dt;
    if (name === '(idle)') idle += dt;
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = label(byId.get(at)!);
      if (seen.has(frame) || !AUTH_CODE.test(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + dt);
    }
  });
  const busy = total - idle;
  const rank = (times: Map<string, number>) =>
    [...times.entries()]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, time]) => ({ frame, selfPercent: (100 * time) / busy }));
  return { frames: rank(self), auth: rank(inclusive), busyPercent: (100 * busy) / total };
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(anonymous)';
  const short = url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/dist\//, '');
  return `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  print(file, summarize(file, Number(top ?? 25)));
}

/** Prints a summary: self time, then time in and under auth code, as shares of busy time. */
export function print(file: string, { frames, auth, busyPercent }: Summary): void {
  console.log(`\n${file}: busy ${busyPercent.toFixed(1)}% of the time. Self time (of busy):`);
  for (const f of frames) console.log(`${f.selfPercent.toFixed(1).padStart(6)}%  ${f.frame}`);
  console.log('In and under auth code (of busy):');
  for (const f of auth) console.log(`${f.selfPercent.toFixed(1).padStart(6)}%  ${f.frame}`);
}
