import type { INestApplication } from '@nestjs/common';
import { TestIssuer, entraIssuer, ENTRA_TEST_CLIENT_APP_ID } from '@app/auth/testing';
import type { AuthModuleOptions } from '@app/auth';
import { createTestApp, INVALID_TOKEN_CHALLENGE } from './support/test-app';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const TID2 = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';

describe('Microsoft Entra ID tokens (V3, V4, V6, A8)', () => {
  let issuer: TestIssuer;
  let app: INestApplication | undefined;
  let http: Awaited<ReturnType<typeof createTestApp>>['http'];

  const start = async (entra: Partial<NonNullable<AuthModuleOptions['entra']>>) => {
    ({ app, http } = await createTestApp({
      entra: { tenantId: TID, clientId: CLIENT_ID, jwksUri: issuer.jwksUri, ...entra },
    }));
  };
  const call = (token: string) => http().get('/probe').set('Authorization', `Bearer ${token}`);
  const expectRefused = async (token: string, message: RegExp) => {
    const res = await call(token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    expect(res.body.message).toMatch(message);
  };

  beforeAll(async () => {
    issuer = await TestIssuer.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    issuer.setKeyIssuer(undefined);
  });
  afterAll(() => issuer.stop());

  describe('single tenant', () => {
    beforeEach(() => start({}));

    it('accepts v2 tokens (aud = client id) and v1 tokens (aud = api://client id)', async () => {
      const v2 = await call(
        issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID, scp: 'Data.Read' }),
      );
      expect(v2.status).toBe(200);
      expect(v2.body).toMatchObject({
        tid: TID,
        issuer: entraIssuer(TID, 2),
        scopes: ['Data.Read'],
        kind: 'user',
        clientId: ENTRA_TEST_CLIENT_APP_ID,
      });
      const v1 = await call(issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID, version: 1 }));
      expect(v1.status).toBe(200);
      expect(v1.body.issuer).toBe(entraIssuer(TID, 1));
    });

    it('maps an application token (roles, no scp) as kind "app"', async () => {
      const res = await call(
        issuer.mintEntra({
          tenantId: TID,
          clientId: CLIENT_ID,
          roles: ['Data.Read.All'],
          claims: { idtyp: 'app' },
        }),
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ kind: 'app', roles: ['Data.Read.All'], scopes: [] });
    });

    it('refuses another tenant, the literal template, and issuer variants', async () => {
      await expectRefused(issuer.mintEntra({ tenantId: TID2, clientId: CLIENT_ID }), /issuer/);
      const variants = [
        `https://login.microsoftonline.com/${TID}/v2.0/`,
        `https://LOGIN.microsoftonline.com/${TID}/v2.0`,
        `http://login.microsoftonline.com/${TID}/v2.0`,
        `https://login.microsoftonline.com/${TID.toUpperCase()}/v2.0`,
        'https://login.microsoftonline.com/{tenantid}/v2.0',
        'https://login.microsoftonline.com/common/v2.0',
        `https://login.microsoftonline.com/${TID}/v2.0.evil.example`,
      ];
      for (const iss of variants) {
        await expectRefused(
          issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID, claims: { iss } }),
          /issuer/,
        );
      }
    });

    it('CLM-10: an ID token presented as an access token is refused', async () => {
      // (a) aud = the client app: fails on audience.
      const idToken = issuer.mintEntra({
        tenantId: TID,
        clientId: CLIENT_ID,
        claims: { aud: ENTRA_TEST_CLIENT_APP_ID, nonce: 'n', scp: undefined },
      });
      await expectRefused(idToken, /audience/);
      // (b) same registration (aud = API) but neither scp nor roles: A8.
      const shared = issuer.mintEntra({
        tenantId: TID,
        clientId: CLIENT_ID,
        claims: { nonce: 'n', at_hash: 'x', scp: undefined },
      });
      await expectRefused(shared, /neither a scope nor an app role/);
    });

    it('accepts the App ID URI as v1 audience when configured', async () => {
      await app!.close();
      await start({ appIdUri: 'https://contoso.example/api' });
      const res = await call(
        issuer.mintEntra({
          tenantId: TID,
          clientId: CLIENT_ID,
          version: 1,
          claims: { aud: 'https://contoso.example/api' },
        }),
      );
      expect(res.status).toBe(200);
    });
  });

  describe('multi-tenant ({tenantid} templates)', () => {
    it('accepts any tenant whose iss matches its own tid', async () => {
      await start({ tenantId: 'organizations' });
      expect((await call(issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID }))).status).toBe(
        200,
      );
      expect(
        (await call(issuer.mintEntra({ tenantId: TID2, clientId: CLIENT_ID, version: 1 }))).status,
      ).toBe(200);
      // iss names one tenant, tid another: the template does not match.
      await expectRefused(
        issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID, claims: { tid: TID2 } }),
        /issuer/,
      );
      await expectRefused(
        issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID, claims: { tid: undefined } }),
        /issuer/,
      );
      await expectRefused(
        issuer.mintEntra({
          tenantId: TID,
          clientId: CLIENT_ID,
          claims: { iss: 'https://login.microsoftonline.com/{tenantid}/v2.0', tid: '{tenantid}' },
        }),
        /issuer/,
      );
    });

    it('honours the tenant allow-list', async () => {
      await start({ tenantId: 'common', allowedTenants: [TID] });
      expect((await call(issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID }))).status).toBe(
        200,
      );
      await expectRefused(issuer.mintEntra({ tenantId: TID2, clientId: CLIENT_ID }), /tenant/);
    });

    it("checks the token's issuer against the key's issuer property", async () => {
      issuer.setKeyIssuer('https://login.microsoftonline.com/{tenantid}/v2.0');
      await start({ tenantId: 'organizations' });
      expect((await call(issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID }))).status).toBe(
        200,
      );
      expect(
        (await call(issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID, version: 1 }))).status,
      ).toBe(200);
      await app!.close();
      issuer.setKeyIssuer(`https://login.microsoftonline.com/${TID2}/v2.0`);
      await start({ tenantId: 'organizations' });
      await expectRefused(issuer.mintEntra({ tenantId: TID, clientId: CLIENT_ID }), /signing key/);
      expect((await call(issuer.mintEntra({ tenantId: TID2, clientId: CLIENT_ID }))).status).toBe(
        200,
      );
    });
  });
});
