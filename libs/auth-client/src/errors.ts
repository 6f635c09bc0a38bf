import type { AuthChallenge } from './www-authenticate';

/** Base of the errors `AuthClient` throws. Messages never contain a token. */
export abstract class AuthClientError extends Error {
  /** A stable, machine-readable code. */
  abstract readonly code: string;
}

/** Why the user must log in again. */
export type LoginRequiredReason =
  /** The client holds no tokens (never logged in, logged out, or cleared after a failure). */
  | 'no_tokens'
  /** The tokens cannot be renewed: there is no refresh token and the access token expired. */
  | 'no_refresh_token'
  /** The token endpoint refused the refresh token (RFC 6749 §5.2, e.g. `invalid_grant`). */
  | 'refresh_rejected';

/**
 * "Log in again": the client has no usable tokens and cannot get new ones by itself. Thrown by
 * `AuthClient.fetch()` and `refresh()`, and handed to the `onLoginRequired` callback once per
 * failed refresh (not once per waiting call). The stored tokens are cleared.
 */
export class LoginRequiredError extends AuthClientError {
  readonly code = 'login_required' as const;
  /**
   * @param reason what happened.
   * @param oauthError the token endpoint's `error` (`invalid_grant`, …) for `refresh_rejected`.
   * @param status the token endpoint's HTTP status for `refresh_rejected`.
   */
  constructor(
    readonly reason: LoginRequiredReason,
    readonly oauthError?: string,
    readonly status?: number,
  ) {
    super(
      reason === 'refresh_rejected'
        ? `Log in again: the refresh was refused (${oauthError ?? `HTTP ${status}`})`
        : reason === 'no_refresh_token'
          ? 'Log in again: the access token expired and there is no refresh token'
          : 'Log in again: no tokens are stored',
    );
    this.name = 'LoginRequiredError';
  }
}

/**
 * The token endpoint could not be reached or answered with a server error (5xx, a body that is
 * not a token response). Temporary: the tokens are kept, and the call can be retried.
 */
export class TokenEndpointError extends AuthClientError {
  readonly code = 'token_endpoint_error' as const;
  /**
   * @param message what went wrong.
   * @param status the HTTP status, when there was a response.
   * @param retryAfter seconds from the `Retry-After` header, when given (DESIGN E7).
   * @param oauthError the `error` field of an OAuth error body, when given.
   */
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfter?: number,
    readonly oauthError?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TokenEndpointError';
  }
}

/**
 * A `401` with `error="insufficient_claims"` (DESIGN E5, Entra Continuous Access Evaluation):
 * the API wants a token issued after some moment — typically because every session of the user
 * was revoked. Refreshing does not help; the user must authenticate again, asking the
 * authorization server for `claims` (the `claimsParameter` as is).
 */
export class ClaimsChallengeError extends AuthClientError {
  readonly code = 'insufficient_claims' as const;
  /**
   * @param claims the decoded challenge, e.g. `{ access_token: { nbf: { essential: true, value: "1700000000" } } }`.
   * @param claimsParameter the `claims` auth-param as sent (base64), to pass on unchanged.
   * @param challenge the whole parsed `Bearer` challenge.
   * @param status the API's HTTP status (401).
   */
  constructor(
    readonly claims: Record<string, unknown>,
    readonly claimsParameter: string,
    readonly challenge: AuthChallenge,
    readonly status: number,
  ) {
    super(
      `The API requires a fresh sign-in (insufficient_claims)${
        challenge.params.error_description ? `: ${challenge.params.error_description}` : ''
      }`,
    );
    this.name = 'ClaimsChallengeError';
  }

  /** The `nbf` value the challenge asks for (epoch seconds), when it names one. */
  get notBefore(): number | undefined {
    const accessToken = this.claims.access_token as Record<string, unknown> | undefined;
    const nbf = accessToken?.nbf as { value?: unknown } | undefined;
    const value = Number(nbf?.value);
    return Number.isFinite(value) ? value : undefined;
  }
}
