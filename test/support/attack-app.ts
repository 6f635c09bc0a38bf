import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { AuthConfig, AuthUser, CurrentUser, Groups, Public, Roles, Scopes } from '@app/auth';
import type { AuthModuleExtras, AuthModuleOptions } from '@app/auth';
import { TestIssuer, rawJwt } from '@app/auth/testing';
import type { TestKey } from '@app/auth/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { createTestApp, ManualClock, TestAppOptions } from './test-app';

/** The ATTACKS.md fixture: our tenant, a foreign one, the API's and the client's ids. */
export const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const TID2 = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const AUD = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
export const CLIENT = 'c1e1a000-0000-4000-8000-00000000c11e';
export const ISS = `https://login.microsoftonline.com/${TID}/v2.0`;
/** V's header, byte-exact. */
export const V_HEADER = '{"alg":"RS256","typ":"JWT","kid":"k1"}';

/** The routes of ATTACKS.md "Conventions". */
@Controller()
export class AttackController {
  @Get('probe')
  probe(@CurrentUser() user: AuthUser) {
    return { subject: user.subject, scopes: user.scopes, roles: user.roles, groups: user.groups };
  }

  /** For tokens sent in a body (ENC-05 c); authenticated like any route. */
  @Post('probe')
  @HttpCode(200)
  probePost(@CurrentUser() user: AuthUser, @Body() _body: unknown) {
    return { subject: user.subject };
  }

  @Get('scoped')
  @Scopes('Data.Read')
  scoped() {
    return { ok: true };
  }

  /** CLM-15: "GET /scoped (needs Admin.All)". */
  @Get('scoped-admin')
  @Scopes('Admin.All')
  scopedAdmin() {
    return { ok: true };
  }

  @Get('admin')
  @Roles('Admin')
  admin() {
    return { ok: true };
  }

  @Get('group')
  @Groups('G')
  group() {
    return { ok: true };
  }

  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }
}

/** Everything an attack suite needs: the issuer (K1, K2), the app, a clock, and V. */
export interface AttackFixture {
  issuer: TestIssuer;
  app: INestApplication;
  http: Awaited<ReturnType<typeof createTestApp>>['http'];
  /** Base URL of the app, for raw sockets. */
  url: string;
  clock: ManualClock;
  config: AuthConfig;
  /** `now` in epoch seconds, from the app's clock. */
  now(): number;
  /** V's payload with `changes` applied (a change to `undefined` removes the claim). */
  payload(changes?: Record<string, unknown>): Record<string, unknown>;
  /** V, or V with payload changes, signed RS256 by K1 (or `key`) under V's header (or `header`). */
  v(
    changes?: Record<string, unknown>,
    options?: { header?: string | object; key?: TestKey },
  ): string;
  /** Signs raw header and payload text (byte-exact) with RS256 and K1 (or `key`). */
  signed(
    header: string | Buffer | object,
    payload: string | Buffer | object,
    key?: TestKey,
  ): string;
  /** GET `path` with `Authorization: <value>` (none when undefined). */
  get(path: string, authorization?: string): Promise<Response>;
  /** GET `path` with `Authorization: Bearer <token>`. */
  bearer(token: string, path?: string): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts the TestIssuer as the Entra-shaped IdP of ATTACKS.md (`iss` = ISS, `aud` = AUD) and an app
 * with the attack routes. `options` are merged over `{ issuer: ISS, audience: AUD, jwksUri }`,
 * unless they hold `entra` (then they are used as they are). Only one fixture may be open at a
 * time in a test file: passport's strategy registry is process-global (see SECURITY.md).
 */
export async function startAttackApp(
  options: Partial<AuthModuleOptions & AuthModuleExtras> = {},
  {
    issuer,
    customize,
    adapter,
  }: {
    issuer?: TestIssuer;
    customize?: TestAppOptions['customize'];
    adapter?: TestAppOptions['adapter'];
  } = {},
): Promise<AttackFixture> {
  const idp = issuer ?? (await TestIssuer.start({ issuer: ISS, audience: AUD }));
  const clock = new ManualClock();
  const { app, http } = await createTestApp(
    // With the Entra preset, the preset is the provider; otherwise the fixture's IdP is, inline.
    (options.entra
      ? options
      : { issuer: ISS, audience: AUD, jwksUri: idp.jwksUri, ...options }) as AuthModuleOptions &
      AuthModuleExtras,
    { controllers: [AttackController], clock, customize, adapter },
  );
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const now = () => Math.floor(clock.now() / 1000);
  const payload = (changes: Record<string, unknown> = {}) => {
    const t = now();
    const base: Record<string, unknown> = {
      aud: AUD,
      iss: ISS,
      iat: t - 60,
      nbf: t - 60,
      exp: t + 3600,
      azp: CLIENT,
      oid: randomUUID(),
      sub: randomBytes(16).toString('base64url'),
      tid: TID,
      scp: 'Data.Read',
      ver: '2.0',
      uti: randomBytes(16).toString('base64url'),
    };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete base[name];
      else base[name] = value;
    }
    return base;
  };
  const signed = (
    header: string | Buffer | object,
    body: string | Buffer | object,
    key = idp.key('k1'),
  ) => rawJwt(header, body, { key: key.privateKey, alg: 'RS256' });
  const get = (path: string, authorization?: string) => {
    const req = http().get(path);
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };
  return {
    issuer: idp,
    app,
    http,
    url,
    clock,
    config: app.get(AuthConfig),
    now,
    payload,
    signed,
    v: (changes, opts = {}) => signed(opts.header ?? V_HEADER, payload(changes), opts.key),
    get,
    bearer: (token, path = '/probe') => get(path, `Bearer ${token}`),
    close: async () => {
      await app.close();
      if (!issuer) await idp.stop();
    },
  };
}

/** The parts of a compact JWS, and the decoded payload of one made by the fixture. */
export function parts(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  return [h, p, s];
}
