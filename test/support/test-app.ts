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

export interface TestAppOptions {
  controllers?: Type[];
  clock?: Clock;
  customize?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** A Nest app with the module and the probe routes, listening on an ephemeral loopback port. */
export async function createTestApp(
  options: AuthModuleOptions & AuthModuleExtras,
  { controllers = [ProbeController], clock, customize = (b) => b }: TestAppOptions = {},
): Promise<{ app: INestApplication; http: () => ReturnType<typeof request> }> {
  let builder = Test.createTestingModule({
    imports: [AuthModule.forRoot(options)],
    controllers,
  });
  if (clock) builder = builder.overrideProvider(Clock).useValue(clock);
  const moduleRef = await customize(builder).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return { app, http: () => request(url.replace('[::1]', '127.0.0.1')) };
}

/** The exact challenge of a refused token with the default realm. */
export const INVALID_TOKEN_CHALLENGE =
  'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"';
