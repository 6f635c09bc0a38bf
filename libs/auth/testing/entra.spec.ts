import {
  ENTRA_TEST_CLIENT_APP_ID,
  ENTRA_TEST_OID,
  entraAudience,
  entraClaims,
  entraIssuer,
} from './entra';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const API = '6e74172b-be56-4843-9ff4-e66a39bb12e3';

describe('entra', () => {
  it('builds v1 and v2 issuers and audiences', () => {
    expect(entraIssuer(TID)).toBe(`https://login.microsoftonline.com/${TID}/v2.0`);
    expect(entraIssuer(TID, 1)).toBe(`https://sts.windows.net/${TID}/`);
    expect(entraAudience(API)).toBe(API);
    expect(entraAudience(API, 1)).toBe(`api://${API}`);
  });

  it('shapes v2 claims with a default scope and no jti', () => {
    const claims = entraClaims({ tenantId: TID, clientId: API });
    expect(claims).toEqual({
      iss: `https://login.microsoftonline.com/${TID}/v2.0`,
      aud: API,
      tid: TID,
      oid: ENTRA_TEST_OID,
      azp: ENTRA_TEST_CLIENT_APP_ID,
      ver: '2.0',
      uti: expect.stringMatching(/^[\w-]{22}$/),
      jti: undefined,
      scp: 'access_as_user',
    });
  });

  it('shapes v1 claims with appid instead of azp', () => {
    const claims = entraClaims({ tenantId: TID, clientId: API, version: 1, scp: 'Data.Read' });
    expect(claims).toMatchObject({
      iss: `https://sts.windows.net/${TID}/`,
      aud: `api://${API}`,
      appid: ENTRA_TEST_CLIENT_APP_ID,
      ver: '1.0',
      scp: 'Data.Read',
    });
    expect(claims).not.toHaveProperty('azp');
  });

  it('carries roles without a scope, or both when both are given', () => {
    const appOnly = entraClaims({ tenantId: TID, clientId: API, roles: ['Admin'] });
    expect(appOnly.roles).toEqual(['Admin']);
    expect(appOnly).not.toHaveProperty('scp');
    const both = entraClaims({ tenantId: TID, clientId: API, scp: 'a b', roles: [] });
    expect(both).toMatchObject({ scp: 'a b', roles: [] });
  });

  it('lets claims override anything, and gives each token its own uti', () => {
    const claims = entraClaims({
      tenantId: TID,
      clientId: API,
      claims: { tid: 'x', scp: undefined },
    });
    expect(claims.tid).toBe('x');
    expect(claims.scp).toBeUndefined();
    expect(entraClaims({ tenantId: TID, clientId: API }).uti).not.toBe(claims.uti);
  });
});
