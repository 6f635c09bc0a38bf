import {
  Controller,
  Get,
  HttpCode,
  Inject,
  OnModuleInit,
  Optional,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { Public } from '../authorization/public.decorator';
import { setResponseHeaders } from '../errors/response-headers';
import { ClientAuthenticator } from './client-authenticator.service';
import { assertIssuingConfigured, assertMountedPrefix } from './controller-guard';
import { IssuingConfig } from './issuing-config';
import { ISSUING_DEFAULTS } from './issuing.options';
import { OAuthExceptionFilter } from './oauth-exception.filter';
import { OAuthError } from './oauth.errors';
import { readCookie, refreshCookie } from './refresh-cookie';
import { RefreshGrantService } from './refresh-grant.service';
import { readTokenParams, TokenHttpRequest } from './token-request';
import { TokenRevocationService } from './token-revocation.service';
import type { TokenResponse } from './token-response';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/**
 * `POST /auth/token` (RFC 6749 §6; RT1–RT6) and `POST /auth/revoke` (RFC 7009; RT19). Public
 * routes: the refresh token is the credential. Thin: reading the request is `readTokenParams`,
 * the work is `RefreshGrantService` and `TokenRevocationService`; errors are shaped by
 * `OAuthExceptionFilter`. The prefix follows `issuing.routePrefix`.
 */
@Public()
@UseFilters(OAuthExceptionFilter)
@Controller(ISSUING_DEFAULTS.routePrefix)
export class TokenController implements OnModuleInit {
  constructor(
    @Optional() @Inject(IssuingConfig) private readonly config: IssuingConfig | null,
    private readonly grants: RefreshGrantService,
    private readonly revocations: TokenRevocationService,
    private readonly clients: ClientAuthenticator,
  ) {}

  onModuleInit(): void {
    assertIssuingConfigured(this.config);
    assertMountedPrefix(this, this.config);
  }

  /** The refresh-token grant; in cookie mode the token may come from, and goes to, the cookie. */
  @Post('token')
  @HttpCode(200)
  async token(
    @Req() req: TokenHttpRequest,
    @Res({ passthrough: true }) res: unknown,
  ): Promise<TokenResponse | Omit<TokenResponse, 'refresh_token'>> {
    const params = await readTokenParams(req);
    const client = this.clients.identify(req.headers.authorization, params);
    const cookie = this.config!.cookie;
    const issued = await this.grants.exchange({
      params,
      client,
      cookieToken: cookie ? readCookie(req.headers.cookie, cookie.name) : undefined,
    });
    setResponseHeaders(res, NO_STORE);
    if (!cookie) return issued.body;
    setResponseHeaders(res, {
      'Set-Cookie': refreshCookie(cookie, issued.body.refresh_token, issued.refreshExpiresIn),
    });
    if (cookie.exposeInBody) return issued.body;
    const { refresh_token: _hidden, ...body } = issued.body;
    return body;
  }

  /** RT-05: the token endpoint is POST only. */
  @Get('token')
  tokenWithGet(): never {
    throw OAuthError.methodNotAllowed();
  }

  /** RFC 7009: 200 with an empty body whatever the token was (RT19). */
  @Post('revoke')
  @HttpCode(200)
  async revoke(
    @Req() req: TokenHttpRequest,
    @Res({ passthrough: true }) res: unknown,
  ): Promise<void> {
    const params = await readTokenParams(req);
    const client = this.clients.identify(req.headers.authorization, params);
    await this.revocations.revoke(params, client);
    setResponseHeaders(res, NO_STORE);
  }

  /** The revocation endpoint is POST only. */
  @Get('revoke')
  revokeWithGet(): never {
    throw OAuthError.methodNotAllowed();
  }
}
