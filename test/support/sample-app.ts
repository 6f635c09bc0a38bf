import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthEvents, Clock } from '@app/auth';
import type { AuthEventName } from '@app/auth';
import { AppModule } from '../../apps/sample-api/src/app.module';
import { configureApp } from '../../apps/sample-api/src/app.setup';
import { SETTING_NAMES } from '../../apps/sample-api/src/settings/sample-settings';
import { ManualClock } from './test-app';

export { ManualClock };

/** Every setting the sample reads, cleared before each start so the host's own env cannot leak in. */
const SAMPLE_ENV = SETTING_NAMES;

/** `AuthEvents` that also records what happened, so tests can count refreshes server-side. */
export class RecordingEvents extends AuthEvents {
  readonly seen: { name: AuthEventName; data: Record<string, unknown> }[] = [];

  override emit(
    name: AuthEventName,
    data: Record<string, string | number | boolean | undefined> = {},
  ): void {
    this.seen.push({ name, data });
  }

  count(name: AuthEventName): number {
    return this.seen.filter((event) => event.name === name).length;
  }
}

/** A free loopback port (the OS picks it; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningSample {
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>`, also the issuer of the sample's own tokens. */
  readonly url: string;
  readonly clock: ManualClock;
  readonly events: RecordingEvents;
  close(): Promise<void>;
}

/**
 * Starts the sample in-process, as `main.ts` does (`Test.createTestingModule({ imports:
 * [AppModule] })` + `configureApp`), with `env` as its only settings, a `ManualClock` and
 * recording `AuthEvents`, listening on a free loopback port that is also its `PUBLIC_URL` (so
 * discovery clients such as openid-client find the issuer they asked for).
 */
export async function startSample(env: Record<string, string> = {}): Promise<RunningSample> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const saved = new Map(SAMPLE_ENV.map((name) => [name, process.env[name]]));
  for (const name of SAMPLE_ENV) delete process.env[name];
  Object.assign(process.env, { PORT: String(port), PUBLIC_URL: url, ...env });
  const clock = new ManualClock();
  const events = new RecordingEvents();
  let app: INestApplication;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(Clock)
      .useValue(clock)
      .overrideProvider(AuthEvents)
      .useValue(events)
      .compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false, rawBody: true }));
    await app.listen(port, '127.0.0.1');
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  return { app, url, clock, events, close: () => app.close() };
}

/** The default demo password (DEMO_PASSWORD unset). */
export const DEMO_PASSWORD = 'demo-password';

/** Logs a demo user in over HTTP and returns the token response. */
export async function login(
  url: string,
  username: string,
  password = DEMO_PASSWORD,
): Promise<{
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
}> {
  const response = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login of ${username}: HTTP ${response.status}`);
  return (await response.json()) as never;
}
