import type { INestApplication, Provider } from '@nestjs/common';
import type { TestingModuleBuilder } from '@nestjs/testing';
import request from 'supertest';
import { AuthEvents } from '@app/auth';
import type { AuthModuleExtras, AuthModuleOptions } from '@app/auth';
import type { IssuingOptions } from '../../libs/auth/src/issuing';
import { TokenService } from '../../libs/auth/src/issuing';
import { AdapterName, createTestApp, ManualClock } from './test-app';

export const ISSUER = 'https://api.test';
export const AUDIENCE = 'api://payments';

/** AuthEvents that remember what was emitted, to tell failures apart (RT3). */
export class RecordingEvents extends AuthEvents {
  readonly events: { name: string; data: Record<string, unknown> }[] = [];
  override emit(
    name: string,
    data: Record<string, string | number | boolean | undefined> = {},
  ): void {
    this.events.push({ name, data });
  }
  names(): string[] {
    return this.events.map((e) => e.name);
  }
  clear(): void {
    this.events.length = 0;
  }
}

export interface RefreshApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  tokens: TokenService;
  clock: ManualClock;
  events: RecordingEvents;
  /** `POST /auth/token` with a form body. */
  refresh: (refreshToken: string, extra?: Record<string, string>) => request.Test;
  /** `GET /probe` with the access token. */
  probe: (accessToken: string) => request.Test;
  close: () => Promise<void>;
}

/** An app issuing its own tokens: `AuthModule.forRoot({ issuing: { issuer, audience, … } })`. */
export async function createRefreshApp(
  issuing: Partial<IssuingOptions> = {},
  {
    module = {},
    clock = new ManualClock(),
    providers = [],
    customize = (b) => b,
    adapter = 'express',
  }: {
    module?: Partial<AuthModuleOptions & AuthModuleExtras>;
    clock?: ManualClock;
    providers?: Provider[];
    customize?: (b: TestingModuleBuilder) => TestingModuleBuilder;
    adapter?: AdapterName;
  } = {},
): Promise<RefreshApp> {
  const events = new RecordingEvents();
  const { app, http } = await createTestApp(
    {
      issuing: { issuer: ISSUER, audience: AUDIENCE, ...issuing },
      ...module,
      extraProviders: [
        { provide: AuthEvents, useValue: events },
        ...providers,
        ...(module.extraProviders ?? []),
      ],
    },
    { clock, customize, adapter },
  );
  return {
    app,
    http,
    tokens: app.get(TokenService),
    clock,
    events,
    refresh: (refreshToken, extra = {}) =>
      http()
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }),
    probe: (accessToken) => http().get('/probe').set('Authorization', `Bearer ${accessToken}`),
    close: () => app.close(),
  };
}

/** The decoded header and payload of a JWT (no verification: the app verified it). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}

/** RT3's exact failure body. */
export const INVALID_GRANT = {
  error: 'invalid_grant',
  error_description: 'refresh token is invalid, expired or revoked',
};

/** Asserts RT3: 400, the exact body, no-store, and no echo of what was sent. */
export function expectInvalidGrant(res: request.Response, sent?: string): void {
  expect(res.status).toBe(400);
  expect(res.body).toEqual(INVALID_GRANT);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['pragma']).toBe('no-cache');
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  if (sent) expect(res.text).not.toContain(sent.slice(3, 20));
}

/** Asserts an RFC 6749 §5.2 error of another code. */
export function expectOAuthError(res: request.Response, status: number, error: string): void {
  expect(res.status).toBe(status);
  expect(res.body.error).toBe(error);
  expect(typeof res.body.error_description).toBe('string');
  expect(Object.keys(res.body).sort()).toEqual(['error', 'error_description']);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['pragma']).toBe('no-cache');
}

/** The exact challenge of a refused access token (E2). */
export const INVALID_TOKEN_CHALLENGE =
  'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"';
