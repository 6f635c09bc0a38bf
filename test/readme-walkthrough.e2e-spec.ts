// Runs every command of the README walkthrough (README.md, between the
// walkthrough:start and walkthrough:end markers) exactly as written — in one bash session, so
// shell variables carry over — against the sample started in-process, and compares each
// command's output with the block shown under it. The only change: `http://localhost:3000`
// becomes the free port the sample got. `…` in the shown output stands for anything on that
// line; a line of just `…` for any number of lines.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type RunningSample, startSample } from './support/sample-app';

const FRAGMENT = join(__dirname, '../README.md');
const DOCUMENTED_ORIGIN = 'http://localhost:3000';

interface Step {
  /** The commands, exactly as shown. */
  readonly commands: string;
  /** The output shown under them; empty when none is shown. */
  readonly expected: string;
  readonly line: number;
}

/** The walkthrough's steps: each ```bash block and the output block that follows it, if any. */
function walkthroughSteps(markdown: string): Step[] {
  const start = markdown.indexOf('<!-- walkthrough:start');
  const end = markdown.indexOf('<!-- walkthrough:end -->');
  if (start < 0 || end < start) throw new Error('walkthrough markers not found in README.md');
  const before = markdown.slice(0, start).split('\n').length;
  const blocks = [...markdown.slice(start, end).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(
    (match) => ({
      language: match[1],
      body: match[2].replace(/\n$/, ''),
      line: before + markdown.slice(start, start + match.index).split('\n').length - 1,
    }),
  );
  const steps: Step[] = [];
  for (const block of blocks) {
    if (block.language === 'bash') {
      steps.push({ commands: block.body, expected: '', line: block.line });
    } else {
      const last = steps.at(-1);
      if (!last || last.expected !== '') {
        throw new Error(`output block at line ${block.line} follows no command`);
      }
      steps[steps.length - 1] = { ...last, expected: block.body };
    }
  }
  return steps;
}

/** A regular expression for a shown output: `…` is a wildcard, a line of `…` any lines. */
function outputPattern(expected: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lines = expected
    .split('\n')
    .map((line) =>
      line.trim() === '…' ? '(?:[^\\n]*\\n)*?' : `${escape(line).replace(/…/g, '[^\\n]*?')}\\n`,
    );
  return new RegExp(`^${lines.join('')}$`);
}

describe('README walkthrough (README.md)', () => {
  const steps = walkthroughSteps(readFileSync(FRAGMENT, 'utf8'));
  let sample: RunningSample;
  let outputs: string[];

  beforeAll(async () => {
    sample = await startSample(); // embedded defaults, as after `npm start`
    const marker = (i: number) => `@@walkthrough-step-${i}@@`;
    const script = [
      'set -e -o pipefail',
      ...steps.flatMap((step, i) => [
        `echo '${marker(i)}'`,
        step.commands.split(DOCUMENTED_ORIGIN).join(sample.url),
        'echo',
      ]),
    ].join('\n');
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
      timeout: 60_000,
    });
    outputs = steps.map((_, i) => {
      const from = stdout.indexOf(`${marker(i)}\n`) + marker(i).length + 1;
      const to = i + 1 < steps.length ? stdout.indexOf(marker(i + 1)) : stdout.length;
      return stdout.slice(from, to).replace(/\r\n/g, '\n').trim();
    });
  }, 90_000);
  afterAll(() => sample?.close());

  it('has the steps the issue asks for: log in, call, refresh, revoke', () => {
    const all = steps.map((s) => s.commands).join('\n');
    for (const path of ['/auth/login', '/payments', '/auth/token', '/auth/revoke']) {
      expect(all).toContain(`${DOCUMENTED_ORIGIN}${path}`);
    }
  });

  it.each(walkthroughSteps(readFileSync(FRAGMENT, 'utf8')).map((step, i) => [step.line, i]))(
    'the command at line %i prints what the README shows',
    (_line, i) => {
      const step = steps[i];
      if (step.expected === '') expect(outputs[i]).toBe('');
      else expect(`${outputs[i]}\n`).toMatch(outputPattern(step.expected));
    },
  );
});
