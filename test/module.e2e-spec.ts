import {
  Controller,
  Get,
  INestApplication,
  Injectable,
  Module,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Test } from '@nestjs/testing';
import { Strategy as PassportJwtStrategy } from 'passport-jwt';
import request from 'supertest';
import {
  AuthModule,
  AuthUser,
  ClaimsMapper,
  CurrentUser,
  JwtAuthGuard,
  Public,
  RevocationStore,
} from '@app/auth';
import { ValidationCache } from '../libs/auth/src/validation/validation-cache';
import { TestIssuer } from '@app/auth/testing';
import {
  ADAPTERS,
  createNestApp,
  createTestApp,
  INVALID_TOKEN_CHALLENGE,
  listen,
} from './support/test-app';

/** A mapper that adds a field, as a user would: extend and call super. */
@Injectable()
class TenantNameMapper extends ClaimsMapper {
  override map(claims: Readonly<Record<string, unknown>>) {
    const user = super.map(claims);
    return typeof user === 'string' ? user : { ...user, subject: `mapped:${user.subject}` };
  }
}

@Controller()
class OpenController {
  @Get('open') open() {
    return { open: true };
  }
  @Get('guarded') @UseGuards(JwtAuthGuard) guarded(@CurrentUser('subject') subject: string) {
    return { subject };
  }
}

@Controller('public')
@Public()
class PublicUserController {
  @Get(['plain', 'session'])
  read(@Req() req: { user?: unknown }) {
    return { present: 'user' in req, user: req.user ?? null };
  }
}

@Injectable()
class AuthSettings {
  issuer!: TestIssuer;
}

@Module({ providers: [AuthSettings], exports: [AuthSettings] })
class SettingsModule {}

describe.each(ADAPTERS)(
  'AuthModule wiring on %s (forRoot, forRootAsync, overrides, several providers)',
  (adapter) => {
    let a: TestIssuer;
    let b: TestIssuer;
    let app: INestApplication | undefined;

    beforeAll(async () => {
      a = await TestIssuer.start({ issuer: 'https://a.test/', audience: 'api://a' });
      b = await TestIssuer.start({ issuer: 'https://b.test/', audience: 'api://b' });
    });
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });
    afterAll(async () => {
      await a.stop();
      await b.stop();
    });
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

    it('V11: several providers; each token is checked only against the provider its iss names', async () => {
      let http;
      ({ app, http } = await createTestApp(
        { providers: [a.authOptions(), b.authOptions()] },
        { adapter },
      ));
      expect((await http().get('/probe').set(bearer(a.mint()))).body.issuer).toBe(
        'https://a.test/',
      );
      expect((await http().get('/probe').set(bearer(b.mint()))).body.issuer).toBe(
        'https://b.test/',
      );
      // Signed by A's key k1, claiming B as issuer: looked up in B's JWKS, where k1 is another key.
      const crossed = a.mint({ iss: 'https://b.test/', aud: 'api://b' });
      const res = await http().get('/probe').set(bearer(crossed));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      // An audience of the other provider is not accepted either.
      expect(
        (
          await http()
            .get('/probe')
            .set(bearer(a.mint({ aud: 'api://b' })))
        ).status,
      ).toBe(401);
      expect(
        (
          await http()
            .get('/probe')
            .set(bearer(a.mint({ iss: 'https://c.test/' })))
        ).body.message,
      ).toMatch(/issuer/);
    });

    it('V1: discovery from `authority` finds the JWKS once', async () => {
      let http;
      ({ app, http } = await createTestApp(
        {
          issuer: a.issuer,
          audience: a.audience,
          authority: a.authority,
        },
        { adapter },
      ));
      a.resetFetchCount();
      for (let i = 0; i < 3; i++)
        expect((await http().get('/probe').set(bearer(a.mint()))).status).toBe(200);
      expect(a.discoveryCount).toBe(1);
      expect(a.fetchCount).toBe(1);
    });

    it('forRootAsync with imports and inject', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          AuthModule.forRootAsync({
            imports: [SettingsModule],
            inject: [AuthSettings],
            useFactory: (settings: AuthSettings) => {
              settings.issuer = a;
              return settings.issuer.authOptions();
            },
          }),
        ],
        controllers: [OpenController],
      }).compile();
      app = await createNestApp(moduleRef, adapter);
      const server = await listen(app);
      expect((await request(server).get('/open')).status).toBe(401);
      expect((await request(server).get('/open').set(bearer(a.mint()))).status).toBe(200);
    });

    it('globalGuards: false leaves routes open unless guarded explicitly', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [AuthModule.forRoot({ ...a.authOptions(), globalGuards: false })],
        controllers: [OpenController],
      }).compile();
      app = await createNestApp(moduleRef, adapter);
      const server = await listen(app);
      expect((await request(server).get('/open')).status).toBe(200);
      expect((await request(server).get('/guarded')).status).toBe(401);
      expect(
        (
          await request(server)
            .get('/guarded')
            .set(bearer(a.mint({ sub: 'x' })))
        ).body,
      ).toEqual({ subject: 'x' });
    });

    it('extraProviders override the defaults (ClaimsMapper)', async () => {
      let http;
      ({ app, http } = await createTestApp(
        {
          ...a.authOptions(),
          extraProviders: [{ provide: ClaimsMapper, useClass: TenantNameMapper }],
        },
        { adapter },
      ));
      expect(
        (
          await http()
            .get('/probe')
            .set(bearer(a.mint({ sub: 'bob' })))
        ).body.subject,
      ).toBe('mapped:bob');
    });

    it('V8: cached results still see revocation on every request', async () => {
      let http;
      ({ app, http } = await createTestApp(a.authOptions(), { adapter }));
      const token = a.mint({ jti: 'token-1' });
      expect((await http().get('/probe').set(bearer(token))).status).toBe(200);
      // The result is cached (a compiled build once injected no cache at all: keep this check).
      const cache = app!.get(ValidationCache);
      expect(cache).toBeInstanceOf(ValidationCache);
      expect(cache.size).toBe(1);
      a.resetFetchCount();
      expect((await http().get('/probe').set(bearer(token))).status).toBe(200);
      await app!.get(RevocationStore).revokeToken('token-1', Math.floor(Date.now() / 1000) + 3600);
      const res = await http().get('/probe').set(bearer(token));
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Token was revoked');
      expect(a.fetchCount).toBe(0);
    });

    it('V8: a cached token is answered synchronously; another is verified (a promise)', async () => {
      ({ app } = await createTestApp(a.authOptions(), { adapter }));
      const guard = app!.get(JwtAuthGuard);
      const contextFor = (token: string) =>
        new ExecutionContextHost(
          [{ headers: { authorization: `Bearer ${token}` }, url: '/probe' }, {}],
          OpenController,
          OpenController.prototype.guarded,
        );
      const token = a.mint();
      const first = guard.canActivate(contextFor(token));
      expect(first).toBeInstanceOf(Promise);
      await expect(first).resolves.toBe(true);
      expect(guard.canActivate(contextFor(token))).toBe(true);
      // A bad token is refused through the promise, never by a synchronous throw.
      const refused = guard.canActivate(contextFor('not-a-jwt'));
      expect(refused).toBeInstanceOf(Promise);
      await expect(refused).rejects.toMatchObject({ status: 401 });
    });

    it('refuses a token that cannot be valid before Passport runs; verifies the rest through it', async () => {
      let http;
      ({ app, http } = await createTestApp(a.authOptions(), { adapter }));
      // Observed, not replaced: the real strategy still runs.
      const passportJwt = jest.spyOn(PassportJwtStrategy.prototype, 'authenticate');
      try {
        const [, payload, signature] = a.mint().split('.');
        const header = Buffer.from(
          JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'no-such-key' }),
        ).toString('base64url');
        const unknownKid = `${header}.${payload}.${signature}`;
        const foreign = a.mint({ iss: 'https://evil.test/' });
        for (const token of [unknownKid, foreign, 'e30.e30.e30']) {
          expect((await http().get('/probe').set(bearer(token))).status).toBe(401);
        }
        expect(passportJwt).not.toHaveBeenCalled();
        expect((await http().get('/probe').set(bearer(a.mint()))).status).toBe(200);
        expect(passportJwt).toHaveBeenCalledTimes(1);
      } finally {
        passportJwt.mockRestore();
      }
    });

    it('a public route keeps a user something else set, and gets user: undefined otherwise', async () => {
      let http;
      ({ app, http } = await createTestApp(a.authOptions(), {
        adapter,
        controllers: [PublicUserController],
        beforeListen: (nest) => {
          // What a session middleware does before the guards run (Express middleware here).
          if (adapter !== 'express') return;
          nest.use((req: { url: string; user?: unknown }, _res: unknown, next: () => void) => {
            if (req.url.startsWith('/public/session')) req.user = { subject: 'from-session' };
            next();
          });
        },
      }));
      expect((await http().get('/public/plain')).body).toEqual({ present: true, user: null });
      if (adapter === 'express') {
        expect((await http().get('/public/session')).body).toEqual({
          present: true,
          user: { subject: 'from-session' },
        });
      }
    });

    it('E5: a revoked subject gets a claims challenge', async () => {
      let http;
      ({ app, http } = await createTestApp(a.authOptions(), { adapter }));
      const now = Math.floor(Date.now() / 1000);
      await app!.get(RevocationStore).revokeSubject('user-9', now, now + 3600);
      const res = await http()
        .get('/probe')
        .set(bearer(a.mint({ sub: 'user-9', iat: now - 10 })));
      expect(res.status).toBe(401);
      const claims = Buffer.from(
        JSON.stringify({ access_token: { nbf: { essential: true, value: String(now) } } }),
      ).toString('base64');
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="api", error="insufficient_claims", error_description="The access token was revoked", claims="${claims}"`,
      );
    });

    it.each([
      [{}, /issuer/],
      [{ issuer: 'https://a.test/', jwksUri: 'https://a.test/jwks' }, /audience/],
      [{ issuer: 'https://a.test/', audience: 'x' }, /jwksUri/],
      [{ issuer: 'https://a.test/', audience: 'x', jwksUri: 'ftp://a' }, /jwksUri/],
      [
        { issuer: 'https://a.test/', audience: 'x', jwksUri: 'https://a/k', algorithms: ['none'] },
        /algorithms/,
      ],
      [
        { issuer: 'https://a.test/', audience: 'x', jwksUri: 'https://a/k', algorithms: ['HS256'] },
        /algorithms/,
      ],
      [
        { issuer: 'https://a.test/', audience: 'x', jwksUri: 'https://a/k', clockTolerance: -1 },
        /clockTolerance/,
      ],
      [{ entra: { tenantId: '', clientId: 'c' } }, /entra.tenantId/],
      [
        {
          providers: [
            { issuer: 'https://a.test/', audience: 'x', jwksUri: 'https://a/k' },
            { issuer: 'https://a.test/', audience: 'y', jwksUri: 'https://a/k' },
          ],
        },
        /two providers/,
      ],
    ])(
      'V10: bad options fail at start-up with a message naming the field (%#)',
      async (options, message) => {
        const compile = Test.createTestingModule({
          imports: [AuthModule.forRoot(options as never)],
        }).compile();
        await expect(compile).rejects.toThrow(message);
      },
    );

    it('AuthUser is typed and complete', async () => {
      let http;
      @Controller()
      class WhoController {
        @Get('who') who(@CurrentUser() user: AuthUser) {
          return { ...user, claims: undefined, frozen: Object.isFrozen(user.claims) };
        }
      }
      ({ app, http } = await createTestApp(a.authOptions(), {
        controllers: [WhoController],
        adapter,
      }));
      const res = await http()
        .get('/who')
        .set(
          bearer(
            a.mint({
              sub: 's',
              oid: 'o',
              tid: 't',
              azp: 'c',
              scope: 'x y',
              roles: ['R'],
              groups: ['g'],
              sid: 'fam',
              jti: 'j',
            }),
          ),
        );
      expect(res.body).toMatchObject({
        subject: 's',
        oid: 'o',
        tid: 't',
        issuer: 'https://a.test/',
        clientId: 'c',
        scopes: ['x', 'y'],
        roles: ['R'],
        groups: ['g'],
        hasGroupsOverage: false,
        kind: 'user',
        tokenId: 'j',
        sessionId: 'fam',
        frozen: true,
      });
    });
  },
);
