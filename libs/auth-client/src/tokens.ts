/**
 * A successful token response (RFC 6749 §5.1), as `POST /auth/token` and the sample's
 * `POST /auth/login` answer it.
 */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  /** Lifetime of the access token in seconds, counted from when the response was received. */
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
}

/** The tokens the client holds. Plain JSON, so any storage can keep it. */
export interface TokenSet {
  readonly accessToken: string;
  /** `Bearer`. */
  readonly tokenType: string;
  /** Absent in cookie mode, where the refresh token travels in an HttpOnly cookie. */
  readonly refreshToken?: string;
  /** When the client received the tokens, epoch milliseconds of its own clock. */
  readonly receivedAt: number;
  /** When the access token expires, epoch milliseconds; absent when `expires_in` was not given. */
  readonly expiresAt?: number;
  /** The granted scope (space-separated), when the server named it. */
  readonly scope?: string;
}

/**
 * Where the client keeps its tokens. Methods may be synchronous or return promises, so the
 * storage can be memory, `sessionStorage`, IndexedDB, a file or a keychain. Keep refresh tokens
 * out of storage that page scripts of other origins (or XSS) can read; prefer the server's cookie
 * mode in browsers.
 */
export interface TokenStorage {
  /** The tokens kept, or undefined when there are none. */
  get(): TokenSet | undefined | Promise<TokenSet | undefined>;
  /** Replaces the tokens kept. */
  set(tokens: TokenSet): void | Promise<void>;
  /** Forgets the tokens (log out, or a refresh that failed for good). */
  clear(): void | Promise<void>;
}

/** The default `TokenStorage`: one variable in memory; the tokens die with the page or process. */
export class MemoryTokenStorage implements TokenStorage {
  private tokens: TokenSet | undefined;

  /** The tokens kept, or undefined. */
  get(): TokenSet | undefined {
    return this.tokens;
  }

  /** Replaces the tokens kept. */
  set(tokens: TokenSet): void {
    this.tokens = tokens;
  }

  /** Forgets the tokens. */
  clear(): void {
    this.tokens = undefined;
  }
}

/**
 * Turns a token response into a `TokenSet`, received at `now` (epoch ms). A response without a
 * `refresh_token` keeps `previousRefreshToken` (RFC 6749 §6: the server may not rotate).
 *
 * @throws TypeError when `access_token` is missing or `expires_in` is not a non-negative number.
 */
export function tokenSetFrom(
  response: TokenResponse,
  now: number,
  previousRefreshToken?: string,
): TokenSet {
  if (typeof response !== 'object' || response === null) {
    throw new TypeError('The token response is not a JSON object');
  }
  if (typeof response.access_token !== 'string' || response.access_token === '') {
    throw new TypeError('The token response has no access_token');
  }
  const expiresIn = response.expires_in;
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !(expiresIn >= 0))) {
    throw new TypeError('The token response has an invalid expires_in');
  }
  const refreshToken =
    typeof response.refresh_token === 'string' && response.refresh_token !== ''
      ? response.refresh_token
      : previousRefreshToken;
  return {
    accessToken: response.access_token,
    tokenType: typeof response.token_type === 'string' ? response.token_type : 'Bearer',
    receivedAt: now,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(expiresIn !== undefined ? { expiresAt: now + expiresIn * 1000 } : {}),
    ...(typeof response.scope === 'string' ? { scope: response.scope } : {}),
  };
}
