// Interoperability with an OAuth client written elsewhere: openid-client v6 (panva) discovers
// the sample's openid-configuration and performs the refresh-token grant and revocation against
// it. openid-client is ESM-only; jest.config.js has @swc/jest compile it (esmOnly list).
import type * as OpenIdClient from 'openid-client';
import { DEMO_PASSWORD, login, type RunningSample, startSample } from './support/sample-app';

describe('openid-client against the sample', () => {
  let sample: RunningSample;
  let oidc: typeof OpenIdClient;
  let config: OpenIdClient.Configuration;

  beforeAll(async () => {
    oidc = await import('openid-client');
    sample = await startSample({ LOGIN_RATE_LIMIT: '1000' });
    // Plain HTTP on loopback: openid-client v6 refuses it unless told.
    config = await oidc.discovery(new URL(sample.url), 'payments-sample', undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => sample.close());

  it('discovers the issuer and its endpoints', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(sample.url);
    expect(metadata.token_endpoint).toBe(`${sample.url}/auth/token`);
    expect(metadata.revocation_endpoint).toBe(`${sample.url}/auth/revoke`);
    expect(metadata.jwks_uri).toBe(`${sample.url}/.well-known/jwks.json`);
    expect(metadata.grant_types_supported).toEqual(['refresh_token']);
  });

  it('performs the refresh-token grant, rotating the refresh token', async () => {
    const first = await login(sample.url, 'alice', DEMO_PASSWORD);
    const tokens = await oidc.refreshTokenGrant(config, first.refresh_token);
    expect(tokens.token_type).toBe('bearer'); // normalised to lower case by openid-client
    // The wire value; `expiresIn()` counts down from receipt, so it may already read 899.
    expect(tokens.expires_in).toBe(900);
    expect(tokens.expiresIn()).toBeGreaterThanOrEqual(899);
    expect(tokens.scope).toBe('Payments.Read Payments.Write');
    expect(tokens.refresh_token).toMatch(/^rt_/);
    expect(tokens.refresh_token).not.toBe(first.refresh_token);

    const payments = await fetch(`${sample.url}/payments`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(payments.status).toBe(200);

    // The successor refreshes again; openid-client reports the server's refusals as OAuth errors.
    const again = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(again.access_token).toBeDefined();
    sample.clock.advance(11_000); // past the grace window: the first token is now reuse
    await expect(oidc.refreshTokenGrant(config, first.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
      error_description: 'refresh token is invalid, expired or revoked',
    });
  });

  it('revokes a refresh token (RFC 7009)', async () => {
    const pair = await login(sample.url, 'bob', DEMO_PASSWORD);
    await oidc.tokenRevocation(config, pair.refresh_token, { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(config, pair.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
