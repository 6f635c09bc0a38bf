/**
 * Test kit for apps that use `@app/auth`: a real local issuer with a JWKS server, token minting,
 * and hand-built malformed tokens. Import from `@app/auth/testing` in tests only.
 */
export { TestIssuer } from './test-issuer';
export type { AddKeyOptions, TestIssuerOptions } from './test-issuer';
export { DISCOVERY_PATH, JwksServer } from './jwks-server';
export type { JwksFault, JwksServerOptions } from './jwks-server';
export { mintJwt } from './token-minter';
export type { MintJwtOptions, MintOptions } from './token-minter';
export { b64u, generateEcKey, generateRsaKey, isAsymmetricAlg, rawJwt, signJws } from './raw-jwt';
export type { AsymmetricAlg, HmacAlg, RawJwtSigner, TestKey } from './raw-jwt';
export {
  ENTRA_TEST_CLIENT_APP_ID,
  ENTRA_TEST_OID,
  entraAudience,
  entraClaims,
  entraIssuer,
} from './entra';
export type { EntraTokenOptions } from './entra';
