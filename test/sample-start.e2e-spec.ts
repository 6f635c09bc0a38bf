// `npm start` for real: build if stale (what its prestart does), then spawn the built sample
// (`node dist/apps/sample-api/src/main.js`) on a free port with no settings at all, as a new
// user would. Measures the start-up time; checks 401 without a token and 200 with a login's.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist/apps/sample-api/src/main.js');
/** Generous for a loaded 2-core CI machine; a built tree starts in about a second. */
const STARTUP_BUDGET_MS = 8000;

/** The environment of a user who configured nothing (no sample setting leaks in from ours). */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly startupMs: number;
  readonly stdout: () => string;
}

function startBuilt(env: NodeJS.ProcessEnv): Promise<Started> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner after 30 s:\n${stdout}\n${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Payments sample API on (http:\/\/localhost:\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1],
          startupMs: performance.now() - began,
          stdout: () => stdout,
        });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sample exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function run(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start: the built sample on embedded defaults', () => {
  let sample: Started;

  beforeAll(async () => {
    // The `prestart` step of `npm start`: compiles only when a source is newer than dist/.
    await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build-if-stale.js')], {
      cwd: ROOT,
      timeout: 240_000,
    });
    // PORT=0: the sample asks the OS for a free port and prints where it listens.
    sample = await startBuilt(bareEnv({ PORT: '0' }));
    console.log(`sample start-up (spawn → listening banner): ${Math.round(sample.startupMs)} ms`);
  }, 300_000);
  afterAll(async () => {
    if (sample) await stop(sample.child);
  });

  it(`is up within ${STARTUP_BUDGET_MS} ms and prints how to log in and call it`, () => {
    expect(sample.startupMs).toBeLessThan(STARTUP_BUDGET_MS);
    const banner = sample.stdout();
    expect(banner).toContain(`curl -s -X POST ${sample.url}/auth/login`);
    expect(banner).toContain(
      `curl -s ${sample.url}/payments -H "Authorization: Bearer $ACCESS_TOKEN"`,
    );
    expect(banner).toContain('password "demo-password"');
    expect(banner).toContain(`${sample.url}/docs`);
  });

  it('answers 401 without a token and 200 with a token from POST /auth/login', async () => {
    const anonymous = await fetch(`${sample.url}/payments`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="api"');

    const login = await fetch(`${sample.url}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'demo-password' }),
    });
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const payments = await fetch(`${sample.url}/payments`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    expect(payments.status).toBe(200);
    expect(Array.isArray(await payments.json())).toBe(true);
  });

  it('stops on SIGTERM', async () => {
    const code = await stop(sample.child);
    expect(code === 0 || code === null).toBe(true);
  });
});

describe('npm start: bad settings', () => {
  it('stops with exit code 1 and a message naming each bad setting, without a stack trace', async () => {
    const { code, stderr } = await run(
      bareEnv({ ACCESS_TOKEN_TTL: '15 minutes', ENTRA_TENANT_ID: 'contoso', PORT: '70000' }),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid settings — the sample did not start:');
    expect(stderr).toContain('  PORT: expected a whole number from 0 to 65535; got "70000"');
    expect(stderr).toContain('  ACCESS_TOKEN_TTL: expected a number of seconds');
    expect(stderr).toContain('  ENTRA_CLIENT_ID: set it with ENTRA_TENANT_ID');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

describe('the built library', () => {
  it('does not load @nestjs/swagger unless the app does', async () => {
    const script = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === '@nestjs/swagger' || request.startsWith('@nestjs/swagger/')) {
          throw new Error('@nestjs/swagger was loaded');
        }
        return resolve.call(this, request, ...rest);
      };
      const auth = require(${JSON.stringify(join(ROOT, 'dist/libs/auth/src/index.js'))});
      process.stdout.write(typeof auth.applyAuthToOpenApi);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT });
    expect(stdout).toBe('function');
  });
});
