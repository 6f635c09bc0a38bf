import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  OnModuleInit,
  Optional,
  Param,
  Post,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { AuthUser } from '../auth-user';
import { CurrentUser } from '../authorization/current-user.decorator';
import { setResponseHeaders } from '../errors/response-headers';
import { JwtAuthGuard } from '../validation/jwt-auth.guard';
import { assertIssuingConfigured, assertMountedPrefix } from './controller-guard';
import { IssuingConfig } from './issuing-config';
import { ISSUING_DEFAULTS } from './issuing.options';
import { clearedRefreshCookie } from './refresh-cookie';
import { RetryAfterFilter } from './retry-after.filter';
import { SessionService, SessionView } from './session.service';

/**
 * The caller's sessions (RT20, RT21): `GET /auth/sessions`, `DELETE /auth/sessions/:id`,
 * `POST /auth/logout`, `POST /auth/logout-all`. Each needs a valid bearer token: the guard is
 * applied here as well as globally, so the routes stay closed even with `globalGuards: false`.
 */
@UseGuards(JwtAuthGuard)
@UseFilters(RetryAfterFilter)
@Controller(ISSUING_DEFAULTS.routePrefix)
export class SessionController implements OnModuleInit {
  constructor(
    @Optional() @Inject(IssuingConfig) private readonly config: IssuingConfig | null,
    private readonly sessions: SessionService,
  ) {}

  onModuleInit(): void {
    assertIssuingConfigured(this.config);
    assertMountedPrefix(this, this.config);
  }

  /** RT20: `[{id, clientId, createdAt, lastUsedAt, current}]`. */
  @Get('sessions')
  list(
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: unknown,
  ): Promise<SessionView[]> {
    setResponseHeaders(res, { 'Cache-Control': 'no-store' });
    return this.sessions.list(user);
  }

  /** RT20: 204, or 404 for an unknown id or another subject's session. */
  @Delete('sessions/:id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    await this.sessions.revoke(user, id);
  }

  /** Ends the current session (the token's `sid`); clears the cookie in cookie mode. */
  @Post('logout')
  @HttpCode(204)
  async logout(
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: unknown,
  ): Promise<void> {
    await this.sessions.logout(user);
    this.clearCookie(res);
  }

  /** RT21: ends every session of the caller. */
  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) res: unknown,
  ): Promise<void> {
    await this.sessions.logoutAll(user);
    this.clearCookie(res);
  }

  private clearCookie(res: unknown): void {
    const cookie = this.config?.cookie;
    if (cookie) setResponseHeaders(res, { 'Set-Cookie': clearedRefreshCookie(cookie) });
  }
}
