import { HttpException, HttpStatus } from '@nestjs/common';
import { bearerChallenge } from './bearer-challenge';

/** A stable, machine-readable error code (RFC 6750 §3.1, plus this module's own). */
export type AuthErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_claims'
  | 'temporarily_unavailable';

/**
 * Base of every error this module raises on the request path. A Nest `HttpException` with a
 * `code` and the response headers it must carry (`WWW-Authenticate`, `Retry-After`).
 * Messages never contain a token or part of one (DESIGN V9).
 */
export abstract class AuthError extends HttpException {
  abstract readonly code: AuthErrorCode;

  /** Headers to set on the HTTP response before it is sent. */
  abstract headers(realm: string): Record<string, string>;

  protected constructor(message: string, status: number, error: string) {
    super({ statusCode: status, message, error }, status);
  }
}

/** The generic description used in `WWW-Authenticate` for every bad token (no oracle). */
export const INVALID_TOKEN_DESCRIPTION = 'The access token is invalid';

/** E1: no credentials at all → 401 with a bare `Bearer realm` challenge. */
export class MissingTokenError extends AuthError {
  readonly code = 'invalid_token' as const;
  constructor(message = 'Bearer token required') {
    super(message, HttpStatus.UNAUTHORIZED, 'Unauthorized');
  }
  headers(realm: string) {
    return { 'WWW-Authenticate': bearerChallenge(realm) };
  }
}

/** E2: a token was sent but is not acceptable → 401 `invalid_token`. */
export class InvalidTokenError extends AuthError {
  readonly code = 'invalid_token' as const;
  /** @param message what was wrong (expired, wrong audience, …), never the token itself. */
  constructor(message = 'Invalid access token') {
    super(message, HttpStatus.UNAUTHORIZED, 'Unauthorized');
  }
  headers(realm: string) {
    return {
      'WWW-Authenticate': bearerChallenge(realm, {
        error: 'invalid_token',
        error_description: INVALID_TOKEN_DESCRIPTION,
      }),
    };
  }
}

/** E3: a malformed request (two credentials, bad syntax) → 400 `invalid_request`. */
export class InvalidRequestError extends AuthError {
  readonly code = 'invalid_request' as const;
  constructor(message = 'Malformed authorization request') {
    super(message, HttpStatus.BAD_REQUEST, 'Bad Request');
  }
  headers(realm: string) {
    return {
      'WWW-Authenticate': bearerChallenge(realm, {
        error: 'invalid_request',
        error_description: this.message,
      }),
    };
  }
}

/** E4: authenticated, but missing a permission → 403 `insufficient_scope` with what would pass. */
export class InsufficientScopeError extends AuthError {
  readonly code = 'insufficient_scope' as const;
  /**
   * @param required the scopes, roles or groups that would have passed (listed in `scope="…"`).
   * @param message says what was missing.
   */
  constructor(
    readonly required: readonly string[],
    message = `Insufficient permissions: requires ${required.join(' or ')}`,
  ) {
    super(message, HttpStatus.FORBIDDEN, 'Forbidden');
  }
  headers(realm: string) {
    return {
      'WWW-Authenticate': bearerChallenge(realm, {
        error: 'insufficient_scope',
        error_description: this.message,
        scope: this.required.join(' '),
      }),
    };
  }
}

/**
 * E5: the subject was revoked after this token was issued → 401 with an Entra-CAE-style claims
 * challenge asking for a token issued after `notBefore` (epoch seconds).
 */
export class InsufficientClaimsError extends AuthError {
  readonly code = 'insufficient_claims' as const;
  constructor(readonly notBefore: number) {
    super('Token was revoked; sign in again', HttpStatus.UNAUTHORIZED, 'Unauthorized');
  }
  /** The base64 of `{"access_token":{"nbf":{"essential":true,"value":"<epoch>"}}}`. */
  get claims(): string {
    const json = JSON.stringify({
      access_token: { nbf: { essential: true, value: String(this.notBefore) } },
    });
    return Buffer.from(json).toString('base64');
  }
  headers(realm: string) {
    return {
      'WWW-Authenticate': bearerChallenge(realm, {
        error: 'insufficient_claims',
        error_description: 'The access token was revoked',
        claims: this.claims,
      }),
    };
  }
}

/** E7: a key source or store is down → 503 with `Retry-After`; the token may well be valid. */
export class TemporarilyUnavailableError extends AuthError {
  readonly code = 'temporarily_unavailable' as const;
  constructor(
    message = 'Authentication is temporarily unavailable',
    readonly retryAfterSeconds = 5,
  ) {
    super(message, HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable');
  }
  headers() {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}
