import type { INestApplication, Type } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { AuthModule, Clock } from '@app/auth';
import type { AuthModuleExtras, AuthModuleOptions } from '@app/auth';
import request from 'supertest';
import { ProbeController } from './probe.controller';

/** A clock the test moves by hand. */
export class ManualClock extends Clock {
  constructor(private current = Date.now()) {
    super();
  }
  override now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** The HTTP platforms the suites run on (DESIGN V12). */
export type AdapterName = 'express' | 'fastify';

/** Both adapters, for `describe.each(ADAPTERS)`. */
export const ADAPTERS: [AdapterName][] = [['express'], ['fastify']];

export interface TestAppOptions {
  controllers?: Type[];
  /** More modules beside `AuthModule` (e.g. `GraphQLModule.forRoot(…)`). */
  imports?: NonNullable<Parameters<typeof Test.createTestingModule>[0]['imports']>;
  /** More providers (e.g. a WebSocket gateway or a resolver). */
  providers?: NonNullable<Parameters<typeof Test.createTestingModule>[0]['providers']>;
  clock?: Clock;
  customize?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Default `'express'`. */
  adapter?: AdapterName;
  /** Runs after the app is created, before it listens (e.g. `app.useWebSocketAdapter(…)`). */
  beforeListen?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Creates a Nest app on the given platform. Fastify is loaded only when asked for, so an
 * Express-only suite never pays for it.
 */
export async function createNestApp(
  moduleRef: { createNestApplication: (...args: never[]) => INestApplication },
  adapter: AdapterName = 'express',
): Promise<INestApplication> {
  const create = moduleRef.createNestApplication as (...args: unknown[]) => INestApplication;
  // rawBody lets the token endpoint see repeated JSON members (RFC 6749 §3.2).
  if (adapter === 'express') return create.call(moduleRef, { logger: false, rawBody: true });
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return create.call(moduleRef, new FastifyAdapter(), { logger: false, rawBody: true });
}

/** Listens on an ephemeral loopback port and returns the base URL (`http://127.0.0.1:<port>`). */
export async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return url.replace('[::1]', '127.0.0.1');
}

/** A Nest app with the module and the probe routes, listening on an ephemeral loopback port. */
export async function createTestApp(
  options: AuthModuleOptions & AuthModuleExtras,
  {
    controllers = [ProbeController],
    imports = [],
    providers = [],
    clock,
    customize = (b) => b,
    adapter = 'express',
    beforeListen,
  }: TestAppOptions = {},
): Promise<{ app: INestApplication; http: () => ReturnType<typeof request>; url: string }> {
  let builder = Test.createTestingModule({
    imports: [AuthModule.forRoot(options), ...imports],
    controllers,
    providers,
  });
  if (clock) builder = builder.overrideProvider(Clock).useValue(clock);
  const moduleRef = await customize(builder).compile();
  const app = await createNestApp(moduleRef, adapter);
  await beforeListen?.(app);
  const url = await listen(app);
  return { app, http: () => request(url), url };
}

/** The exact challenge of a refused token with the default realm. */
export const INVALID_TOKEN_CHALLENGE =
  'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"';
