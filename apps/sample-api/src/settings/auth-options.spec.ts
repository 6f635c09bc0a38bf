import { authOptionsFor } from './auth-options';
import { readSettings } from './sample-settings';

const settings = (env: Record<string, string> = {}) => readSettings((name) => env[name]);

describe('authOptionsFor', () => {
  it('issues its own tokens, with the lifetimes, on in-memory stores by default', () => {
    expect(authOptionsFor(settings())).toEqual({
      clockTolerance: 60,
      issuing: {
        issuer: 'http://localhost:3000',
        audience: 'api://payments-sample',
        accessTokenTtl: 900,
        refreshIdleTtl: 14 * 86400,
        refreshAbsoluteTtl: 30 * 86400,
        defaultClientId: 'payments-sample',
        scopes: ['Payments.Read', 'Payments.Write'],
        keys: { retireAfter: 86400 },
      },
    });
  });

  it('keeps retired keys published for as long as their tokens live (RT24)', () => {
    expect(authOptionsFor(settings({ ACCESS_TOKEN_TTL: '24h' })).issuing?.keys).toEqual({
      retireAfter: 86400 + 660,
    });
  });

  it('adds the outside issuer, the Entra preset and Redis stores when set', () => {
    const options = authOptionsFor(
      settings({
        AUTH_ISSUER: 'https://idp.example.com/',
        AUTH_AUDIENCE: 'api://payments',
        AUTH_AUTHORITY: 'https://idp.example.com',
        ENTRA_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        ENTRA_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        REDIS_URL: 'redis://127.0.0.1:6379',
      }),
    );
    expect(options.providers).toEqual([
      {
        name: 'outside',
        issuer: ['https://idp.example.com/'],
        audience: ['api://payments'],
        authority: 'https://idp.example.com',
      },
    ]);
    expect(options.entra).toEqual({
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      clientId: '11111111-2222-3333-4444-555555555555',
    });
    expect(options.stores).toEqual({ redis: { url: 'redis://127.0.0.1:6379' } });
  });
});
