import { IssuingConfig } from './issuing-config';
import type { IssuingOptions } from './issuing.options';
import { ISSUING_DEFAULTS } from './issuing.options';

const base: IssuingOptions = { issuer: 'https://api.test', audience: 'api' };
const make = (extra: Partial<IssuingOptions>) => () => new IssuingConfig({ ...base, ...extra }, 60);

describe('IssuingConfig', () => {
  it('fills in every default from ISSUING_DEFAULTS', () => {
    const config = new IssuingConfig(base);
    expect(config).toMatchObject({
      accessTokenTtl: 900,
      refreshIdleTtl: 14 * 86400,
      refreshAbsoluteTtl: 30 * 86400,
      graceSeconds: ISSUING_DEFAULTS.graceSeconds,
      maxFamiliesPerSubject: 50,
      routePrefix: 'auth',
      baseUrl: 'https://api.test',
      cookie: undefined,
      algorithm: 'RS256',
      prePublish: 3600,
      retireAfter: 86400,
      defaultClientId: 'default',
    });
    expect(config.algorithms).toEqual(['RS256']);
  });

  it('RT8: graceSeconds outside 0–60 is a TypeError naming the field', () => {
    expect(make({ graceSeconds: 61 })).toThrow(TypeError);
    expect(make({ graceSeconds: 61 })).toThrow('`issuing.graceSeconds`');
    expect(make({ graceSeconds: -1 })).toThrow('`issuing.graceSeconds`');
    expect(make({ graceSeconds: 1.5 })).toThrow('`issuing.graceSeconds`');
    expect(make({ graceSeconds: 0 })).not.toThrow();
    expect(make({ graceSeconds: 60 })).not.toThrow();
  });

  it('RT23, RT24: the key schedule respects the JWKS max-age and token lifetime', () => {
    expect(make({ keys: { prePublish: 599 } })).toThrow('`issuing.keys.prePublish`');
    expect(make({ keys: { retireAfter: 900 + 60 + 599 } })).toThrow('`issuing.keys.retireAfter`');
    expect(make({ keys: { retireAfter: 900 + 60 + 600 } })).not.toThrow();
    expect(make({ accessTokenTtl: 86400 })).toThrow('`issuing.keys.retireAfter`');
    expect(make({ keys: { rotateEvery: 3600 } })).toThrow('`issuing.keys.rotateEvery`');
  });

  it('checks every other field with a message that names it', () => {
    const cases: [Partial<IssuingOptions>, string][] = [
      [{ issuer: '' }, 'issuing.issuer'],
      [{ audience: [] }, 'issuing.audience'],
      [{ accessTokenTtl: 0 }, 'issuing.accessTokenTtl'],
      [{ refreshIdleTtl: 40 * 86400 }, 'issuing.refreshIdleTtl'],
      [{ maxFamiliesPerSubject: 0 }, 'issuing.maxFamiliesPerSubject'],
      [{ routePrefix: '/auth/' }, 'issuing.routePrefix'],
      [{ baseUrl: 'api.test' }, 'issuing.baseUrl'],
      [{ algorithm: 'HS256' as never }, 'issuing.algorithm'],
      [{ cookie: { name: 'a b' } }, 'issuing.cookie.name'],
      [{ cookie: { path: 'auth' } }, 'issuing.cookie.path'],
      [{ defaultClientId: '' }, 'issuing.defaultClientId'],
      [{ scopes: ['a b'] }, 'issuing.scopes'],
      [{ clients: [{ clientId: 'x', clientSecret: 'short' }] }, 'issuing.clients[0].clientSecret'],
      [{ signingKeys: [] }, 'issuing.signingKeys'],
      [{ signingKeys: [{ privateKey: 'nope' }] }, 'issuing.signingKeys[0].privateKey'],
      [{ storeTimeoutMs: 0 }, 'issuing.storeTimeoutMs'],
    ];
    for (const [extra, field] of cases) expect(make(extra)).toThrow(`\`${field}\``);
  });

  it('resolves cookie mode with the route prefix as its path', () => {
    expect(new IssuingConfig({ ...base, cookie: true, routePrefix: 'api/auth' }).cookie).toEqual({
      name: 'refresh_token',
      path: '/api/auth',
      exposeInBody: false,
    });
  });
});
