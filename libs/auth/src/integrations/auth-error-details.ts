import {
  AuthError,
  InsufficientClaimsError,
  InsufficientScopeError,
  MissingTokenError,
  TemporarilyUnavailableError,
} from '../errors/auth.errors';

/** `code` of each status, as Apollo Server and Nest's GraphQL drivers spell them. */
const CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * What a transport without HTTP headers (GraphQL errors, WebSocket messages) carries of an
 * {@link AuthError}: the same facts as the REST response's status and `WWW-Authenticate`.
 */
export interface AuthErrorDetails {
  /** `UNAUTHENTICATED` (401), `FORBIDDEN` (403), `BAD_REQUEST` (400), `SERVICE_UNAVAILABLE` (503). */
  code: string;
  /** The HTTP status the same failure gets on a REST route. */
  statusCode: number;
  /**
   * The RFC 6750 error code (`invalid_token`, `invalid_request`, `insufficient_scope`,
   * `insufficient_claims`, `temporarily_unavailable`). Absent when no token was sent at all, as
   * the HTTP challenge has none then (RFC 6750 §3.1, DESIGN E1).
   */
  error?: string;
  /** The `WWW-Authenticate` value the same failure gets over HTTP (absent for 503). */
  wwwAuthenticate?: string;
  /** E4: what would have passed, space-separated (the challenge's `scope`). */
  scope?: string;
  /** E5: the claims challenge (base64), as in the challenge's `claims`. */
  claims?: string;
  /** E7: seconds to wait before trying again (HTTP's `Retry-After`). */
  retryAfter?: number;
}

/**
 * The details of an {@link AuthError} for a transport without HTTP headers.
 *
 * @param realm the `realm` of the challenge (`AuthConfig.realm`; default `'api'`).
 */
export function authErrorDetails(error: AuthError, realm = 'api'): AuthErrorDetails {
  const statusCode = error.getStatus();
  const details: AuthErrorDetails = {
    code: CODES[statusCode] ?? 'INTERNAL_SERVER_ERROR',
    statusCode,
  };
  if (!(error instanceof MissingTokenError)) details.error = error.code;
  const challenge = error.headers(realm)['WWW-Authenticate'];
  if (challenge) details.wwwAuthenticate = challenge;
  if (error instanceof InsufficientScopeError) details.scope = error.required.join(' ');
  if (error instanceof InsufficientClaimsError) details.claims = error.claims;
  if (error instanceof TemporarilyUnavailableError) details.retryAfter = error.retryAfterSeconds;
  return details;
}
