import { HttpException, HttpStatus } from '@nestjs/common';

/** RFC 6749 §5.2 error codes used by the token and revocation endpoints. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'temporarily_unavailable';

/** RT3: the one description of every refresh failure — unknown, expired, reused, revoked (no oracle). */
export const INVALID_GRANT_DESCRIPTION = 'refresh token is invalid, expired or revoked';

/**
 * An RFC 6749 §5.2 error response: the body is exactly `{"error", "error_description"}` and the
 * response carries `Cache-Control: no-store` and `Pragma: no-cache` (RT3), plus
 * `WWW-Authenticate: Basic` for `invalid_client` (RT5). Descriptions never hold a token (V9).
 */
export class OAuthError extends HttpException {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    status: number = HttpStatus.BAD_REQUEST,
    private readonly extraHeaders: Readonly<Record<string, string>> = {},
  ) {
    super({ error: code, error_description: description }, status);
  }

  /** Headers to set on the response. */
  headers(): Record<string, string> {
    return { 'Cache-Control': 'no-store', Pragma: 'no-cache', ...this.extraHeaders };
  }

  /** RT3, RT9, RT10: 400 `invalid_grant` with the one fixed description. */
  static invalidGrant(): OAuthError {
    return new OAuthError('invalid_grant', INVALID_GRANT_DESCRIPTION);
  }

  /** RT1: 400 `invalid_request` (missing or repeated parameter, bad body). */
  static invalidRequest(description: string): OAuthError {
    return new OAuthError('invalid_request', description);
  }

  /** RT1: 400 `unsupported_grant_type`. */
  static unsupportedGrantType(): OAuthError {
    return new OAuthError('unsupported_grant_type', 'only grant_type=refresh_token is supported');
  }

  /** RT4: 400 `invalid_scope`. */
  static invalidScope(
    description = 'the requested scope is invalid or exceeds the granted scope',
  ): OAuthError {
    return new OAuthError('invalid_scope', description);
  }

  /** RT5: 401 `invalid_client` with `WWW-Authenticate: Basic realm="…"`. */
  static invalidClient(realm: string): OAuthError {
    const safeRealm = realm.replace(/[^\x20-\x7e]/g, '?').replace(/(["\\])/g, '\\$1');
    return new OAuthError(
      'invalid_client',
      'client authentication failed',
      HttpStatus.UNAUTHORIZED,
      {
        'WWW-Authenticate': `Basic realm="${safeRealm}"`,
      },
    );
  }

  /** 405 for a GET (or other method) on a POST-only endpoint. */
  static methodNotAllowed(): OAuthError {
    return new OAuthError('invalid_request', 'use POST', HttpStatus.METHOD_NOT_ALLOWED, {
      Allow: 'POST',
    });
  }
}
