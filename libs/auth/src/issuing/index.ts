export { AccessTokenService, RESERVED_CLAIMS } from './access-token.service';
export type {
  AccessTokenRequest,
  MintedAccessToken,
  VerifiedOwnAccessToken,
} from './access-token.service';
export { ClientAuthenticator } from './client-authenticator.service';
export type { ClientIdentity } from './client-authenticator.service';
export { IssuingConfig } from './issuing-config';
export type { ResolvedRefreshCookie } from './issuing-config';
export { ISSUING_DEFAULTS } from './issuing.options';
export type {
  IssuingClientOptions,
  IssuingOptions,
  KeyRotationOptions,
  PemSigningKeyOptions,
  RefreshCookieOptions,
} from './issuing.options';
export { OAuthError, INVALID_GRANT_DESCRIPTION } from './oauth.errors';
export type { OAuthErrorCode } from './oauth.errors';
export { OAuthExceptionFilter } from './oauth-exception.filter';
export { RefreshGrantService } from './refresh-grant.service';
export type { RefreshGrantRequest } from './refresh-grant.service';
export { SessionController } from './session.controller';
export { SessionRevocationService } from './session-revocation.service';
export type { FamilyRevocationReason } from './session-revocation.service';
export { SessionService } from './session.service';
export type { SessionView } from './session.service';
export { TokenController } from './token.controller';
export { TokenRevocationService } from './token-revocation.service';
export { TokenService } from './token.service';
export type { IssueOptions } from './token.service';
export type { IssuedTokens, TokenResponse } from './token-response';
export { WellKnownController } from './well-known.controller';
