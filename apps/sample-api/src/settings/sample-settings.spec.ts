import { DEFAULT_DEMO_PASSWORD, readSettings, SettingsError } from './sample-settings';

const from = (env: Record<string, string>) => (name: string) => env[name];

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    readSettings(from(env));
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return Object.fromEntries((error as SettingsError).problems.map((p) => [p.setting, p.message]));
  }
  throw new Error('expected a SettingsError');
}

describe('readSettings', () => {
  it('has documented defaults for everything', () => {
    expect(readSettings(from({}))).toEqual({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      audience: 'api://payments-sample',
      outside: undefined,
      entra: undefined,
      redisUrl: undefined,
      accessTokenTtl: 900,
      refreshIdleTtl: 14 * 86400,
      refreshAbsoluteTtl: 30 * 86400,
      demoPassword: DEFAULT_DEMO_PASSWORD,
      demoPasswordIsDefault: true,
      loginRateLimit: 10,
    });
    expect(DEFAULT_DEMO_PASSWORD).toBe('demo-password');
  });

  it('treats empty values as unset', () => {
    expect(
      readSettings(from({ PORT: '', ACCESS_TOKEN_TTL: ' ', DEMO_PASSWORD: '' })),
    ).toMatchObject({
      port: 3000,
      accessTokenTtl: 900,
      demoPasswordIsDefault: true,
    });
  });

  it('reads every setting', () => {
    const settings = readSettings(
      from({
        PORT: '8080',
        HOST: '0.0.0.0',
        PUBLIC_URL: 'https://payments.example.com/',
        SAMPLE_AUDIENCE: 'api://payments',
        AUTH_ISSUER: 'https://idp.example.com/, https://idp2.example.com/',
        AUTH_AUDIENCE: 'api://payments,payments',
        AUTH_JWKS_URI: 'https://idp.example.com/jwks',
        ENTRA_TENANT_ID: 'organizations',
        ENTRA_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        REDIS_URL: 'rediss://user:pw@redis.example.com:6380/1',
        ACCESS_TOKEN_TTL: '5m',
        REFRESH_IDLE_TTL: '1d',
        REFRESH_ABSOLUTE_TTL: '7d',
        DEMO_PASSWORD: 'a longer password',
        LOGIN_RATE_LIMIT: '3',
      }),
    );
    expect(settings).toEqual({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://payments.example.com',
      audience: 'api://payments',
      outside: {
        issuers: ['https://idp.example.com/', 'https://idp2.example.com/'],
        audiences: ['api://payments', 'payments'],
        jwksUri: 'https://idp.example.com/jwks',
      },
      entra: { tenantId: 'organizations', clientId: '11111111-2222-3333-4444-555555555555' },
      redisUrl: 'rediss://user:pw@redis.example.com:6380/1',
      accessTokenTtl: 300,
      refreshIdleTtl: 86400,
      refreshAbsoluteTtl: 7 * 86400,
      demoPassword: 'a longer password',
      demoPasswordIsDefault: false,
      loginRateLimit: 3,
    });
  });

  it('follows PORT in the default PUBLIC_URL', () => {
    expect(readSettings(from({ PORT: '4000' })).publicUrl).toBe('http://localhost:4000');
  });

  it('accepts an authority instead of a JWKS URI, and plain http on loopback', () => {
    expect(
      readSettings(
        from({
          AUTH_ISSUER: 'http://127.0.0.1:9000/',
          AUTH_AUDIENCE: 'api',
          AUTH_AUTHORITY: 'http://localhost:9000',
        }),
      ).outside,
    ).toEqual({
      issuers: ['http://127.0.0.1:9000/'],
      audiences: ['api'],
      authority: 'http://localhost:9000',
    });
  });

  it('names each bad setting and says what it expects', () => {
    expect(
      problemsOf({
        PORT: '70000',
        ACCESS_TOKEN_TTL: 'soon',
        REFRESH_IDLE_TTL: '0',
        REDIS_URL: 'localhost:6379',
        DEMO_PASSWORD: 'short',
        LOGIN_RATE_LIMIT: 'many',
        PUBLIC_URL: 'payments.example.com',
      }),
    ).toEqual({
      PORT: 'expected a whole number from 0 to 65535; got "70000"',
      ACCESS_TOKEN_TTL:
        'expected a number of seconds, or a number with a unit: 90s, 15m, 12h, 14d; got "soon"',
      REFRESH_IDLE_TTL:
        'expected a number of seconds, or a number with a unit: 90s, 15m, 12h, 14d; got "0"',
      REDIS_URL: 'expected redis://[user:password@]host:port[/db] or rediss://…',
      DEMO_PASSWORD: 'use at least 8 characters (or leave it unset for the documented default)',
      LOGIN_RATE_LIMIT: 'expected a whole number from 1 to 100000; got "many"',
      PUBLIC_URL: 'expected an absolute http(s) URL; got "payments.example.com"',
    });
  });

  it('caps ACCESS_TOKEN_TTL at 24h and keeps REFRESH_IDLE_TTL within REFRESH_ABSOLUTE_TTL', () => {
    expect(problemsOf({ ACCESS_TOKEN_TTL: '2d', REFRESH_IDLE_TTL: '31d' })).toEqual({
      ACCESS_TOKEN_TTL: 'must be at most 86400 s (1d); got 172800 s (2d)',
      REFRESH_IDLE_TTL:
        'must not be longer than REFRESH_ABSOLUTE_TTL (2592000 s (30d)); got 2678400 s (31d)',
    });
  });

  it('needs the outside issuer complete', () => {
    expect(problemsOf({ AUTH_ISSUER: 'https://idp.example.com/' })).toEqual({
      AUTH_AUDIENCE: expect.stringMatching(/^missing: to trust an outside issuer, set AUTH_ISSUER/),
      AUTH_JWKS_URI: expect.stringMatching(/^missing \(or set AUTH_AUTHORITY\)/),
    });
    expect(problemsOf({ AUTH_JWKS_URI: 'https://idp.example.com/jwks' })).toEqual({
      AUTH_ISSUER: expect.stringMatching(/^missing/),
      AUTH_AUDIENCE: expect.stringMatching(/^missing/),
    });
    expect(
      problemsOf({
        AUTH_ISSUER: 'idp',
        AUTH_AUDIENCE: 'api',
        AUTH_JWKS_URI: 'http://idp.example.com/jwks',
        AUTH_AUTHORITY: 'https://idp.example.com',
      }),
    ).toEqual({
      AUTH_ISSUER: expect.stringContaining('got "idp"'),
      AUTH_AUTHORITY: 'set AUTH_JWKS_URI or AUTH_AUTHORITY, not both',
      AUTH_JWKS_URI:
        'use https (plain http is accepted for localhost only); got "http://idp.example.com/jwks"',
    });
  });

  it('needs both Entra settings, and a GUID client id', () => {
    expect(problemsOf({ ENTRA_TENANT_ID: 'contoso' })).toEqual({
      ENTRA_CLIENT_ID: "set it with ENTRA_TENANT_ID: the API's application (client) id",
    });
    expect(problemsOf({ ENTRA_CLIENT_ID: 'my-api' })).toEqual({
      ENTRA_TENANT_ID: expect.stringMatching(/^set it with ENTRA_CLIENT_ID/),
      ENTRA_CLIENT_ID: 'expected the API\'s application (client) id, a GUID; got "my-api"',
    });
  });

  it('says so in one message naming every setting', () => {
    expect(() => readSettings(from({ PORT: 'x', REDIS_URL: 'y' }))).toThrow(
      'Invalid settings — the sample did not start:\n' +
        '  PORT: expected a whole number from 0 to 65535; got "x"\n' +
        '  REDIS_URL: expected redis://[user:password@]host:port[/db] or rediss://…',
    );
  });
});
