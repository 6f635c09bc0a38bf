// The public surface of the client: every export is deliberate.
export { AuthClient, DEFAULT_RENEW_MARGIN_SECONDS } from './auth-client';
export type { AuthClientOptions, FetchFunction } from './auth-client';
export {
  AuthClientError,
  ClaimsChallengeError,
  LoginRequiredError,
  TokenEndpointError,
} from './errors';
export type { LoginRequiredReason } from './errors';
export { MemoryTokenStorage, tokenSetFrom } from './tokens';
export type { TokenResponse, TokenSet, TokenStorage } from './tokens';
export { bearerChallengeOf, parseWwwAuthenticate } from './www-authenticate';
export type { AuthChallenge } from './www-authenticate';
export { decodeClaimsChallenge } from './claims-challenge';
