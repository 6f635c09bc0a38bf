import { Controller, Get, INestApplication, Post } from '@nestjs/common';
import { CurrentUser, Groups, Public, RevocationStore, Roles, Scopes } from '@app/auth';
import { TestIssuer } from '@app/auth/testing';
import request from 'supertest';
import { ProbeController } from './support/probe.controller';
import { rawRequest } from './support/raw-http';
import { AdapterName, createTestApp, ManualClock } from './support/test-app';

@Controller('data')
@Scopes('Data.Read')
class DataController {
  @Get() list(@CurrentUser('subject') subject: string) {
    return { subject, items: [1, 2, 3] };
  }
  @Post() @Scopes('Data.Write') create() {
    return { created: true };
  }
  @Post('approve') @Roles('Data.Approver') approve() {
    return { approved: true };
  }
  @Get('admin') @Groups('admins') admin() {
    return { admin: true };
  }
  @Get('open') @Public() open() {
    return { open: true };
  }
}

/** What must be byte-identical across adapters: status, auth headers, content type and body. */
interface Answer {
  status: number;
  wwwAuthenticate: string | undefined;
  retryAfter: string | undefined;
  contentType: string | undefined;
  body: string;
}

/**
 * DESIGN V12: the same requests get the same answers on Express and on Fastify — status,
 * `WWW-Authenticate`, `Retry-After` and the JSON body, byte for byte.
 */
describe('Express and Fastify answer identically (V12)', () => {
  let issuer: TestIssuer;
  let down: TestIssuer;
  const clock = new ManualClock();
  const apps = {} as Record<AdapterName, { app: INestApplication; url: string }>;
  const nowSeconds = () => Math.floor(clock.now() / 1000);

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    // A provider whose JWKS endpoint fails from the start: no key can be had → 503 (E7).
    down = await TestIssuer.start({ issuer: 'https://down.test/', audience: 'api://down' });
    down.setFault('status500');
    for (const adapter of ['express', 'fastify'] as const) {
      const { app, url } = await createTestApp(
        {
          providers: [issuer.authOptions(), down.authOptions()],
        },
        { adapter, clock, controllers: [ProbeController, DataController] },
      );
      const store = app.get(RevocationStore);
      await store.revokeToken('revoked-jti', nowSeconds() + 3600);
      await store.revokeSubject('revoked-subject', nowSeconds(), nowSeconds() + 3600);
      apps[adapter] = { app, url };
    }
  });
  afterAll(async () => {
    for (const { app } of Object.values(apps)) await app.close();
    await issuer?.stop();
    await down?.stop();
  });

  it('runs each app on the platform it names', () => {
    expect(apps.express.app.getHttpAdapter().getType()).toBe('express');
    expect(apps.fastify.app.getHttpAdapter().getType()).toBe('fastify');
  });

  type Case = [
    name: string,
    method: 'get' | 'post',
    path: string,
    authorization: () => string | undefined,
    status: number,
  ];
  const bearer =
    (claims: Record<string, unknown> = {}) =>
    () =>
      `Bearer ${issuer.mint({ sub: 'alice', ...claims })}`;
  const t = () => nowSeconds();
  const cases: Case[] = [
    ['public route', 'get', '/health', () => undefined, 200],
    ['public handler in a guarded controller', 'get', '/data/open', () => undefined, 200],
    ['valid token', 'get', '/probe', bearer({ scp: 'Data.Read', roles: ['R'] }), 200],
    ['valid token with the scope', 'get', '/data', bearer({ scp: 'Data.Read' }), 200],
    ['E1 no credentials', 'get', '/probe', () => undefined, 401],
    ['E1 another scheme', 'get', '/probe', () => 'Basic dTpw', 401],
    ['E2 garbage token', 'get', '/probe', () => 'Bearer a.b.c', 401],
    ['E2 expired', 'get', '/probe', bearer({ iat: t() - 900, exp: t() - 300 }), 401],
    ['E2 wrong audience', 'get', '/probe', bearer({ aud: 'api://other' }), 401],
    ['E2 unknown issuer', 'get', '/probe', bearer({ iss: 'https://nobody.test/' }), 401],
    ['E2 revoked jti', 'get', '/probe', bearer({ jti: 'revoked-jti' }), 401],
    ['E5 revoked subject', 'get', '/probe', bearer({ sub: 'revoked-subject', iat: t() - 5 }), 401],
    ['E3 extra credentials', 'get', '/probe', () => `${bearer()()} extra`, 400],
    ['E3 header and query', 'get', '/probe?access_token=x', bearer(), 400],
    ['E2 oversized', 'get', '/probe', bearer({ pad: 'x'.repeat(9_300) }), 401],
    ['E4 missing class scope', 'get', '/data', bearer({ scp: 'Other' }), 403],
    ['E4 missing method scope', 'post', '/data', bearer({ scp: 'Data.Read' }), 403],
    ['method scope present', 'post', '/data', bearer({ scp: 'Data.Read Data.Write' }), 201],
    ['E4 missing role', 'post', '/data/approve', bearer({ scp: 'Data.Read' }), 403],
    ['E4 missing group', 'get', '/data/admin', bearer({ scp: 'Data.Read', groups: ['x'] }), 403],
    ['group present', 'get', '/data/admin', bearer({ scp: 'Data.Read', groups: ['admins'] }), 200],
    [
      'E4 groups overage, default resolver',
      'get',
      '/data/admin',
      bearer({ scp: 'Data.Read', hasgroups: true }),
      403,
    ],
    ['E7 keys unreachable', 'get', '/probe', () => `Bearer ${down.mint({ sub: 'x' })}`, 503],
  ];

  const send = async (adapter: AdapterName, c: Case, authorization?: string): Promise<Answer> => {
    const [, method, path] = c;
    let req = request(apps[adapter].url)[method](path);
    if (authorization !== undefined) req = req.set('Authorization', authorization);
    const res = await req;
    return {
      status: res.status,
      wwwAuthenticate: res.headers['www-authenticate'],
      retryAfter: res.headers['retry-after'],
      contentType: res.headers['content-type'],
      body: res.text,
    };
  };

  it.each(cases)('%s', async (...c) => {
    // One token for both apps, so the bodies can be compared byte for byte.
    const authorization = c[3]();
    const express = await send('express', c, authorization);
    const fastify = await send('fastify', c, authorization);
    expect(express.status).toBe(c[4]);
    expect(fastify).toEqual(express);
    expect(express.contentType).toMatch(/^application\/json/);
    if (c[4] === 401 || c[4] === 400 || c[4] === 403) {
      expect(express.wwwAuthenticate).toMatch(/^Bearer realm="api"/);
      expect(JSON.parse(express.body)).toMatchObject({ statusCode: c[4] });
    }
    if (c[4] === 503) expect(Number(express.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('E3: two Authorization lines get the same 400 on both', async () => {
    const token = issuer.mint();
    const lines = [`Authorization: Bearer ${token}`, 'Authorization: Bearer x.y.z'];
    const answers = await Promise.all(
      (['express', 'fastify'] as const).map(async (adapter) => {
        const res = await rawRequest(apps[adapter].url, '/probe', lines);
        const header = /^www-authenticate: (.*)$/im.exec(res.head)?.[1];
        const body = res.body.slice(res.body.indexOf('{'), res.body.lastIndexOf('}') + 1);
        return { status: res.status, header, body };
      }),
    );
    expect(answers[0].status).toBe(400);
    expect(answers[0].header).toMatch(/^Bearer realm="api", error="invalid_request"/);
    expect(answers[1]).toEqual(answers[0]);
  });
});
