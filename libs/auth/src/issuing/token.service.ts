import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuthEvents } from '../auth-events';
import { Clock } from '../clock';
import { RefreshTokenStore } from '../stores/refresh-token.store';
import { AccessTokenService, RESERVED_CLAIMS } from './access-token.service';
import { IssuingConfig } from './issuing-config';
import { OAuthError } from './oauth.errors';
import { refreshCookie } from './refresh-cookie';
import {
  familyRef,
  formatRefreshToken,
  hashSecret,
  newRefreshToken,
  randomId,
} from './refresh-token.codec';
import { parseScope } from './scope';
import { SessionRevocationService } from './session-revocation.service';
import { storeCall } from './store-call';
import type { TokenResponse } from './token-response';

/** What {@link TokenService.issue} issues for. */
export interface IssueOptions {
  /** Scope of the new session: a space-separated string or a list. Default: none (`""`). */
  scope?: string | readonly string[];
  /** `client_id` of the tokens. Default `issuing.defaultClientId` (`'default'`). */
  clientId?: string;
  /**
   * Extra access-token claims, kept with the session and re-emitted on every refresh. JSON values
   * only; a registered claim (`iss sub aud exp nbf iat jti client_id scope sid cnf typ`) throws.
   */
  claims?: Record<string, unknown>;
}

/**
 * Issues the API's own tokens. Call `issue()` from your login flow once the user is
 * authenticated: it starts a new session (refresh family, RT13) and returns the first pair.
 *
 * @example
 * `@Post('login') @Public() async login(@Body() b: LoginDto) {
 *    const user = await this.users.check(b.username, b.password);
 *    return this.tokens.issue(user.id, { scope: 'Payments.Read', clientId: 'web' });
 *  }`
 */
@Injectable()
export class TokenService {
  constructor(
    @Optional() @Inject(IssuingConfig) private readonly issuing: IssuingConfig | null,
    private readonly store: RefreshTokenStore,
    private readonly accessTokens: AccessTokenService,
    private readonly sessions: SessionRevocationService,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
  ) {}

  /**
   * Starts a session for `subject` and returns `{access_token, token_type, expires_in,
   * refresh_token, scope}` (RT2). The family is stored before anything is returned (DESIGN E7).
   *
   * @throws TypeError on misuse (empty subject, a reserved claim, `issuing` not configured).
   * @throws OAuthError `invalid_scope` for a scope outside `issuing.scopes`.
   * @throws TemporarilyUnavailableError (503) when the store or key source is down.
   */
  async issue(subject: string, options: IssueOptions = {}): Promise<TokenResponse> {
    const config = this.config;
    if (typeof subject !== 'string' || subject.trim() === '' || subject.length > 255) {
      throw new TypeError(
        'TokenService.issue: `subject` must be a non-empty string of at most 255 characters.',
      );
    }
    const clientId = options.clientId ?? config.defaultClientId;
    if (typeof clientId !== 'string' || clientId === '') {
      throw new TypeError('TokenService.issue: `clientId` must be a non-empty string.');
    }
    const names = parseScope(options.scope ?? '');
    if (!names) throw new TypeError('TokenService.issue: `scope` holds an invalid scope name.');
    if (config.scopes && !names.every((s) => config.scopes!.has(s)))
      throw OAuthError.invalidScope();
    const scope = names.join(' ');
    const claims = checkedClaims(options.claims);

    const familyId = randomId();
    // Sign first: if no key can sign, nothing is stored; if the store fails, nothing is returned.
    const access = await this.accessTokens.mint({
      subject,
      clientId,
      scope,
      sessionId: familyId,
      claims,
    });
    const first = newRefreshToken(familyId);
    const now = this.clock.now();
    const { evicted } = await storeCall(
      () =>
        this.store.createFamily({
          family: {
            id: familyId,
            subject,
            clientId,
            scope,
            claims,
            createdAt: now,
            absoluteExpiresAt: now + config.refreshAbsoluteTtl * 1000,
          },
          token: { tokenId: first.tokenId, secretHash: hashSecret(first.secret) },
          maxFamiliesPerSubject: config.maxFamiliesPerSubject,
        }),
      config.storeTimeoutMs,
    );
    for (const family of evicted) await this.sessions.revokeAccessTokensOf(family, 'evicted');
    this.events.emit('family.created', { family: familyRef(familyId), subject, clientId });
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: formatRefreshToken(first),
      scope,
    };
  }

  /**
   * Cookie mode (RT6): the `Set-Cookie` value that carries `response.refresh_token`, for your
   * login handler (`res.setHeader('Set-Cookie', …)`); undefined when cookie mode is off.
   */
  refreshCookie(response: TokenResponse): string | undefined {
    const cookie = this.config.cookie;
    return cookie
      ? refreshCookie(cookie, response.refresh_token, this.config.refreshIdleTtl)
      : undefined;
  }

  private get config(): IssuingConfig {
    if (!this.issuing) {
      throw new TypeError(
        'TokenService: configure `issuing` in AuthModule.forRoot() to issue tokens.',
      );
    }
    return this.issuing;
  }
}

function checkedClaims(
  claims: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (claims === undefined) return undefined;
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new TypeError('TokenService.issue: `claims` must be an object.');
  }
  for (const name of Object.keys(claims)) {
    if (RESERVED_CLAIMS.has(name)) {
      throw new TypeError(
        `TokenService.issue: claim \`${name}\` is set by the module and cannot be given.`,
      );
    }
  }
  // A JSON round trip keeps only JSON values, so what refreshes re-emit is what the first token had.
  return JSON.parse(JSON.stringify(claims)) as Record<string, unknown>;
}
