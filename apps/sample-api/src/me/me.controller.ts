import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '@app/auth';
import type { AuthUser } from '@app/auth';

/** `GET /me`: who the token says the caller is. Any valid token. */
@ApiTags('me')
@Controller('me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'The caller, as the token describes them' })
  me(@CurrentUser() user: AuthUser) {
    return {
      subject: user.subject,
      name: typeof user.claims.name === 'string' ? user.claims.name : undefined,
      kind: user.kind,
      issuer: user.issuer,
      clientId: user.clientId,
      scopes: user.scopes,
      roles: user.roles,
      groups: user.groups,
      sessionId: user.sessionId,
      expiresAt: user.expiresAt,
    };
  }
}
