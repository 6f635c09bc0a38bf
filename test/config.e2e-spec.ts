import { Controller, Get, INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService, ConfigType, registerAs } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthConfig, AuthModule, AuthModuleOptions, CurrentUser, Public } from '@app/auth';
import { TestIssuer } from '@app/auth/testing';

@Controller()
class ConfiguredController {
  @Get('me') me(@CurrentUser('subject') subject: string) {
    return { subject };
  }
  @Get('health') @Public() health() {
    return { ok: true };
  }
}

/** The README recipe: AUTH_* variables read through ConfigService. */
function authFromEnv(config: ConfigService): AuthModuleOptions {
  return {
    issuer: config.getOrThrow<string>('AUTH_ISSUER'),
    audience: config.getOrThrow<string>('AUTH_AUDIENCE').split(','),
    jwksUri: config.getOrThrow<string>('AUTH_JWKS_URI'),
    clockTolerance: Number(config.get('AUTH_CLOCK_TOLERANCE', 60)),
  };
}

describe('AuthModule.forRootAsync with @nestjs/config', () => {
  let issuer: TestIssuer;
  let app: INestApplication | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
  });
  beforeEach(() => {
    env = {
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: `api://other,${issuer.audience}`,
      AUTH_JWKS_URI: issuer.jwksUri,
      AUTH_CLOCK_TOLERANCE: '30',
    };
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => issuer?.stop());

  /** ConfigModule reads `env` instead of process.env and no .env file, so tests stay hermetic. */
  const configModule = (values: Record<string, string>, isGlobal = false) =>
    ConfigModule.forRoot({
      ignoreEnvFile: true,
      ignoreEnvVars: true,
      load: [() => values],
      isGlobal,
    });

  const start = async (
    imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]['imports']>,
  ) => {
    const moduleRef = await Test.createTestingModule({
      imports,
      controllers: [ConfiguredController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('imports + inject ConfigService: options come from configuration', async () => {
    const nest = await start([
      AuthModule.forRootAsync({
        imports: [configModule(env)],
        inject: [ConfigService],
        useFactory: authFromEnv,
      }),
    ]);
    const server = nest.getHttpServer();
    expect((await request(server).get('/health')).status).toBe(200);
    expect((await request(server).get('/me')).status).toBe(401);
    const res = await request(server)
      .get('/me')
      .set(bearer(issuer.mint({ sub: 'from-config' })));
    expect(res.body).toEqual({ subject: 'from-config' });
    const config = nest.get(AuthConfig);
    expect(config.clockTolerance).toBe(30);
    expect(config.providers[0].audience).toEqual(['api://other', issuer.audience]);
  });

  it('a global ConfigModule needs no imports; module switches sit beside the factory', async () => {
    const nest = await start([
      configModule(env, true),
      AuthModule.forRootAsync({
        inject: [ConfigService],
        useFactory: authFromEnv,
        globalGuards: false,
      }),
    ]);
    // globalGuards: false → the controller is not guarded; the config was still applied.
    expect((await request(nest.getHttpServer()).get('/health')).status).toBe(200);
    expect(nest.get(AuthConfig).providers[0].issuer).toBe(issuer.issuer);
  });

  it('registerAs + ConfigType: a typed namespace for the auth options', async () => {
    const authConfig = registerAs('auth', () => ({
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE.split(','),
      jwksUri: env.AUTH_JWKS_URI,
    }));
    const nest = await start([
      AuthModule.forRootAsync({
        imports: [ConfigModule.forFeature(authConfig)],
        inject: [authConfig.KEY],
        useFactory: (auth: ConfigType<typeof authConfig>) => ({ ...auth }),
      }),
    ]);
    const res = await request(nest.getHttpServer())
      .get('/me')
      .set(bearer(issuer.mint({ sub: 'typed' })));
    expect(res.body).toEqual({ subject: 'typed' });
  });

  it('a missing variable stops the app at start-up (ConfigService.getOrThrow)', async () => {
    const { AUTH_JWKS_URI: _dropped, ...partial } = env;
    await expect(
      start([
        AuthModule.forRootAsync({
          imports: [configModule(partial)],
          inject: [ConfigService],
          useFactory: authFromEnv,
        }),
      ]),
    ).rejects.toThrow(/AUTH_JWKS_URI/);
  });

  it('a wrong value stops the app with the module’s message naming the field', async () => {
    await expect(
      start([
        AuthModule.forRootAsync({
          imports: [configModule({ ...env, AUTH_JWKS_URI: 'ftp://keys.example/jwks' })],
          inject: [ConfigService],
          useFactory: authFromEnv,
        }),
      ]),
    ).rejects.toThrow(/jwksUri/);
    await expect(
      start([
        AuthModule.forRootAsync({
          imports: [configModule({ ...env, AUTH_CLOCK_TOLERANCE: 'soon' })],
          inject: [ConfigService],
          useFactory: authFromEnv,
        }),
      ]),
    ).rejects.toThrow(/clockTolerance/);
  });

  it('an async factory (e.g. reading a secret store) is awaited', async () => {
    const nest = await start([
      AuthModule.forRootAsync({
        imports: [configModule(env)],
        inject: [ConfigService],
        useFactory: async (config: ConfigService) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return authFromEnv(config);
        },
      }),
    ]);
    const res = await request(nest.getHttpServer())
      .get('/me')
      .set(bearer(issuer.mint({ sub: 'later' })));
    expect(res.status).toBe(200);
  });
});
