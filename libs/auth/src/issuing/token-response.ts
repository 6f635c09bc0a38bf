/** RT2: the body of a successful token response (RFC 6749 §5.1). */
export interface TokenResponse {
  /** The RFC 9068 access token. */
  readonly access_token: string;
  readonly token_type: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expires_in: number;
  /** The refresh token (`rt_…`, RT17). */
  readonly refresh_token: string;
  /** The access token's scope, space-separated. */
  readonly scope: string;
}

/** A token response with what the controller needs besides the body (cookie mode). */
export interface IssuedTokens {
  readonly body: TokenResponse;
  /** Seconds until the refresh token can no longer be used (cookie `Max-Age`). */
  readonly refreshExpiresIn: number;
}
