import { decodeClaimsChallenge } from './claims-challenge';
import {
  ClaimsChallengeError,
  LoginRequiredError,
  type LoginRequiredReason,
  TokenEndpointError,
} from './errors';
import {
  MemoryTokenStorage,
  type TokenResponse,
  type TokenSet,
  type TokenStorage,
  tokenSetFrom,
} from './tokens';
import { type AuthChallenge, bearerChallengeOf } from './www-authenticate';

/** The `fetch` the client calls: the global one by default (Node ≥ 18, every browser). */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** Options of {@link AuthClient}. Every one is optional. */
export interface AuthClientOptions {
  /**
   * Base URL of the API, e.g. `https://api.example.com/`. Relative request paths resolve against
   * it (standard URL rules: keep a trailing slash on a base with a path), and the access token is
   * sent only to its origin — a request to another origin throws instead of leaking the token.
   * Default: none (in a browser, relative paths then resolve against the page, and any origin is
   * allowed).
   */
  baseUrl?: string | URL;
  /** The token endpoint (RFC 6749 §6). Default `auth/token` under `baseUrl` (`/auth/token`). */
  tokenEndpoint?: string | URL;
  /** The revocation endpoint (RFC 7009) used by `logout()`. Default `auth/revoke` under `baseUrl`. */
  revocationEndpoint?: string | URL;
  /** `client_id` sent with refresh and revocation requests. Default: none (the server's default). */
  clientId?: string;
  /** Where tokens are kept. Default a new `MemoryTokenStorage`. */
  storage?: TokenStorage;
  /**
   * How many seconds before the access token's `expires_in` runs out the client renews it, so
   * most calls never meet a 401. Capped at half the token's lifetime. Default 60.
   */
  renewMarginSeconds?: number;
  /**
   * `credentials` of the token and revocation requests. Set `'include'` (cross-origin) or
   * `'same-origin'` when the server keeps the refresh token in an HttpOnly cookie (cookie mode);
   * the client then refreshes without holding a refresh token. Default: not set (fetch's default).
   */
  tokenRequestCredentials?: RequestInit['credentials'];
  /** The `fetch` to use. Default `globalThis.fetch`. */
  fetch?: FetchFunction;
  /** The clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /**
   * Called when the user must log in again: once per failed refresh (not once per waiting call),
   * and when a call finds no tokens at all.
   */
  onLoginRequired?: (error: LoginRequiredError) => void;
  /** Called with every new token set (login, refresh). */
  onTokens?: (tokens: TokenSet) => void;
  /** Called when an API answered with a claims challenge, before the error is thrown. */
  onClaimsChallenge?: (error: ClaimsChallengeError) => void;
}

/** The default of {@link AuthClientOptions.renewMarginSeconds}. */
export const DEFAULT_RENEW_MARGIN_SECONDS = 60;

/**
 * A fetch-based API client that keeps the caller's tokens fresh by itself. It works in Node ≥ 20
 * and in browsers (no Node-only imports).
 *
 * - {@link AuthClient.fetch} attaches `Authorization: Bearer <access token>`.
 * - It renews the access token `renewMarginSeconds` before `expires_in` runs out.
 * - On a `401` with `error="invalid_token"` it refreshes once and replays the request once. Every
 *   concurrent call shares one refresh in flight, so a burst of calls across an expiry costs one
 *   refresh; a call whose token was already replaced just replays with the new one.
 * - When the refresh is refused it clears the tokens, calls `onLoginRequired` once, and every
 *   waiting call rejects with {@link LoginRequiredError}.
 * - On a `401` with `error="insufficient_claims"` (DESIGN E5) it rejects with
 *   {@link ClaimsChallengeError} carrying the decoded claims.
 *
 * Other responses (including other 401s and every 403) are returned as they are.
 *
 * @example
 * ```ts
 * const client = new AuthClient({ baseUrl: 'http://localhost:3000/' });
 * await client.login('auth/login', { username: 'alice', password: 'demo-password' });
 * const res = await client.fetch('payments');
 * ```
 */
export class AuthClient {
  private readonly storage: TokenStorage;
  private readonly fetchFn: FetchFunction;
  private readonly now: () => number;
  private readonly baseUrl?: URL;
  private readonly tokenEndpoint: string;
  private readonly revocationEndpoint: string;
  private readonly renewMarginMs: number;
  /** The one refresh in flight, shared by every caller. */
  private inFlight?: Promise<TokenSet>;
  /** The access token the last refresh replaced, and what replaced it. */
  private lastRotation?: { readonly replaced: string; readonly tokens: TokenSet };
  /** The access token whose refresh was refused, and the error every late caller gets too. */
  private lastFailure?: { readonly accessToken: string; readonly error: LoginRequiredError };

  /** @throws TypeError when `baseUrl` is not an absolute URL or `renewMarginSeconds` is negative. */
  constructor(private readonly options: AuthClientOptions = {}) {
    if (options.baseUrl !== undefined) {
      try {
        this.baseUrl = new URL(options.baseUrl);
      } catch {
        throw new TypeError('AuthClient: `baseUrl` must be an absolute URL');
      }
    }
    const margin = options.renewMarginSeconds ?? DEFAULT_RENEW_MARGIN_SECONDS;
    if (typeof margin !== 'number' || !(margin >= 0)) {
      throw new TypeError('AuthClient: `renewMarginSeconds` must be a number ≥ 0');
    }
    this.renewMarginMs = margin * 1000;
    this.storage = options.storage ?? new MemoryTokenStorage();
    const globalFetch = typeof fetch === 'function' ? fetch.bind(globalThis) : undefined;
    const fetchFn = options.fetch ?? globalFetch;
    if (!fetchFn) throw new TypeError('AuthClient: no global fetch; pass `fetch`');
    this.fetchFn = fetchFn;
    this.now = options.now ?? Date.now;
    this.tokenEndpoint = this.endpoint(options.tokenEndpoint, 'auth/token');
    this.revocationEndpoint = this.endpoint(options.revocationEndpoint, 'auth/revoke');
  }

  /**
   * Calls the API with the access token, renewing it first when it is about to expire, and
   * refreshing and replaying once on a `401 invalid_token`. Takes what `fetch` takes; an
   * `Authorization` header of your own is replaced. A request whose body is a stream cannot be
   * replayed: its 401 is returned as it is.
   *
   * @throws LoginRequiredError when there are no tokens, or they cannot be renewed.
   * @throws ClaimsChallengeError on a `401` with `error="insufficient_claims"`.
   * @throws TokenEndpointError when a needed refresh failed for a temporary reason.
   * @throws TypeError when the URL's origin is not `baseUrl`'s (the token is never sent there).
   */
  async fetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const target = this.target(input);
    const replayable = !isStream(init.body);
    const pristine = target instanceof Request && replayable ? target.clone() : target;
    const tokens = await this.currentTokens();
    const first = await this.send(target, init, tokens.accessToken);
    if (first.status !== 401) return first;
    const challenge = bearerChallengeOf(first);
    this.throwIfClaimsChallenge(first, challenge);
    if (challenge?.params.error !== 'invalid_token' || !replayable) return first;

    await first.body?.cancel().catch(() => undefined);
    const renewed = await this.renewAfterRejection(tokens.accessToken);
    const second = await this.send(pristine, init, renewed.accessToken);
    if (second.status === 401) this.throwIfClaimsChallenge(second, bearerChallengeOf(second));
    return second;
  }

  /**
   * Refreshes now (RFC 6749 §6). Concurrent calls — and the refreshes `fetch()` makes — share
   * one request.
   *
   * @returns the new tokens, also stored.
   * @throws LoginRequiredError when the server refused the refresh (tokens are cleared) or there
   *   is nothing to refresh with.
   * @throws TokenEndpointError when the endpoint is unreachable or failed (tokens are kept).
   */
  refresh(): Promise<TokenSet> {
    if (!this.inFlight) {
      this.inFlight = this.doRefresh().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /**
   * Logs in at a password-style endpoint that answers like the token endpoint (the sample's
   * `POST /auth/login`): posts `credentials` as JSON and stores the tokens it returns.
   *
   * @throws TokenEndpointError with the status (e.g. 401 for wrong credentials, 429 when rate
   *   limited) when the login is refused.
   */
  async login(path: string | URL, credentials: Record<string, unknown>): Promise<TokenSet> {
    const url = this.target(path) as string | URL;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(credentials),
        credentials: this.options.tokenRequestCredentials,
      });
    } catch (cause) {
      throw new TokenEndpointError(
        'The login endpoint could not be reached',
        undefined,
        undefined,
        undefined,
        {
          cause,
        },
      );
    }
    const body = await readJson(response);
    if (!response.ok) {
      throw new TokenEndpointError(
        `The login was refused (HTTP ${response.status})`,
        response.status,
        retryAfterOf(response),
        oauthErrorOf(body),
      );
    }
    return this.setTokens(body as TokenResponse);
  }

  /** Stores the tokens of a token response you obtained yourself (e.g. after an OIDC login). */
  async setTokens(response: TokenResponse): Promise<TokenSet> {
    const tokens = tokenSetFrom(response, this.now());
    this.lastFailure = undefined;
    await this.storage.set(tokens);
    this.options.onTokens?.(tokens);
    return tokens;
  }

  /** The tokens held now, or undefined. */
  async getTokens(): Promise<TokenSet | undefined> {
    return this.storage.get();
  }

  /**
   * Logs out: revokes the refresh token at the revocation endpoint (RFC 7009; its answer and any
   * failure are ignored, since the tokens are forgotten either way), then clears the storage.
   */
  async logout(): Promise<void> {
    const tokens = await this.storage.get();
    if (tokens?.refreshToken) {
      const body = new URLSearchParams({
        token: tokens.refreshToken,
        token_type_hint: 'refresh_token',
      });
      if (this.options.clientId) body.set('client_id', this.options.clientId);
      await this.fetchFn(this.revocationEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        credentials: this.options.tokenRequestCredentials,
      })
        .then((response) => response.body?.cancel())
        .catch(() => undefined);
    }
    this.lastRotation = undefined;
    await this.storage.clear();
  }

  /** The stored tokens, renewed first when the access token is inside the renew margin. */
  private async currentTokens(): Promise<TokenSet> {
    if (this.inFlight) return this.inFlight;
    const tokens = await this.storage.get();
    if (!tokens) throw await this.loginRequired('no_tokens', undefined);
    if (!this.dueForRenewal(tokens)) return tokens;
    try {
      return await this.renewAfterRejection(tokens.accessToken);
    } catch (error) {
      // Renewing early failed for a temporary reason: the token may still be good for a while.
      if (error instanceof TokenEndpointError && !this.expired(tokens)) return tokens;
      throw error;
    }
  }

  /**
   * New tokens after `rejected` was refused (or is about to expire): the ones that already
   * replaced it when another call got there first, else one (shared) refresh.
   */
  private async renewAfterRejection(rejected: string): Promise<TokenSet> {
    if (this.inFlight) return this.inFlight;
    if (this.lastRotation?.replaced === rejected) return this.lastRotation.tokens;
    if (this.lastFailure?.accessToken === rejected) throw this.lastFailure.error;
    const stored = await this.storage.get();
    if (this.inFlight) return this.inFlight;
    if (this.lastRotation?.replaced === rejected) return this.lastRotation.tokens;
    if (this.lastFailure?.accessToken === rejected) throw this.lastFailure.error;
    if (stored && stored.accessToken !== rejected && !this.dueForRenewal(stored)) return stored;
    return this.refresh();
  }

  private async doRefresh(): Promise<TokenSet> {
    const tokens = await this.storage.get();
    const cookieMode = this.options.tokenRequestCredentials !== undefined;
    if (!tokens?.refreshToken && !cookieMode) {
      throw await this.loginRequired(tokens ? 'no_refresh_token' : 'no_tokens', tokens);
    }
    const body = new URLSearchParams({ grant_type: 'refresh_token' });
    if (tokens?.refreshToken) body.set('refresh_token', tokens.refreshToken);
    if (this.options.clientId) body.set('client_id', this.options.clientId);

    let response: Response;
    try {
      response = await this.fetchFn(this.tokenEndpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body,
        credentials: this.options.tokenRequestCredentials,
      });
    } catch (cause) {
      throw new TokenEndpointError(
        'The token endpoint could not be reached',
        undefined,
        undefined,
        undefined,
        {
          cause,
        },
      );
    }
    const json = await readJson(response);
    if (response.status === 400 || response.status === 401) {
      // RFC 6749 §5.2: the grant is invalid, expired or revoked — only a new login helps.
      throw await this.loginRequired(
        'refresh_rejected',
        tokens,
        oauthErrorOf(json),
        response.status,
      );
    }
    if (!response.ok) {
      throw new TokenEndpointError(
        `The token endpoint failed (HTTP ${response.status})`,
        response.status,
        retryAfterOf(response),
        oauthErrorOf(json),
      );
    }
    let next: TokenSet;
    try {
      next = tokenSetFrom(json as TokenResponse, this.now(), tokens?.refreshToken);
    } catch (cause) {
      throw new TokenEndpointError(
        'The token endpoint answered without a valid token response',
        response.status,
        undefined,
        undefined,
        { cause },
      );
    }
    await this.storage.set(next);
    this.lastFailure = undefined;
    if (tokens) this.lastRotation = { replaced: tokens.accessToken, tokens: next };
    this.options.onTokens?.(next);
    return next;
  }

  private async send(target: string | URL | Request, init: RequestInit, accessToken: string) {
    const base = target instanceof Request ? target.headers : undefined;
    const headers = new Headers(init.headers ?? base);
    headers.set('Authorization', `Bearer ${accessToken}`);
    return this.fetchFn(target, { ...init, headers });
  }

  private throwIfClaimsChallenge(response: Response, challenge: AuthChallenge | undefined): void {
    if (challenge?.params.error !== 'insufficient_claims') return;
    const parameter = challenge.params.claims ?? '';
    let claims: Record<string, unknown>;
    try {
      claims = decodeClaimsChallenge(parameter);
    } catch {
      claims = {};
    }
    const error = new ClaimsChallengeError(claims, parameter, challenge, response.status);
    void response.body?.cancel().catch(() => undefined);
    this.options.onClaimsChallenge?.(error);
    throw error;
  }

  /** Clears the tokens (they cannot be used any more), reports, and returns the error to throw. */
  private async loginRequired(
    reason: LoginRequiredReason,
    tokens: TokenSet | undefined,
    oauthError?: string,
    status?: number,
  ): Promise<LoginRequiredError> {
    const error = new LoginRequiredError(reason, oauthError, status);
    this.lastRotation = undefined;
    if (tokens) {
      this.lastFailure = { accessToken: tokens.accessToken, error };
      await this.storage.clear();
    }
    this.options.onLoginRequired?.(error);
    return error;
  }

  private dueForRenewal(tokens: TokenSet): boolean {
    if (tokens.expiresAt === undefined) return false;
    const lifetime = tokens.expiresAt - tokens.receivedAt;
    const margin = Math.min(this.renewMarginMs, Math.max(0, lifetime / 2));
    return this.now() >= tokens.expiresAt - margin;
  }

  private expired(tokens: TokenSet): boolean {
    return tokens.expiresAt !== undefined && this.now() >= tokens.expiresAt;
  }

  /** Resolves a relative path against `baseUrl` and refuses another origin. */
  private target(input: string | URL | Request): string | URL | Request {
    if (!this.baseUrl) return input;
    const url =
      input instanceof Request ? new URL(input.url) : new URL(String(input), this.baseUrl);
    if (url.origin !== this.baseUrl.origin) {
      throw new TypeError(
        `AuthClient: refusing to send the access token to ${url.origin}; it belongs to ${this.baseUrl.origin}`,
      );
    }
    return input instanceof Request ? input : url;
  }

  private endpoint(given: string | URL | undefined, fallback: string): string {
    if (given !== undefined) return String(this.baseUrl ? new URL(given, this.baseUrl) : given);
    return this.baseUrl ? new URL(fallback, this.baseUrl).href : `/${fallback}`;
  }
}

function isStream(body: unknown): boolean {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function oauthErrorOf(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? error : undefined;
}

function retryAfterOf(response: Response): number | undefined {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
