import { Controller, Get } from '@nestjs/common';
import { AuthUser, CurrentUser, Public } from '@app/auth';

/** Routes the e2e suites call: one authenticated, one public. */
@Controller()
export class ProbeController {
  @Get('probe')
  probe(@CurrentUser() user: AuthUser) {
    return {
      subject: user.subject,
      issuer: user.issuer,
      tid: user.tid,
      scopes: user.scopes,
      roles: user.roles,
      kind: user.kind,
      clientId: user.clientId,
    };
  }

  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }
}
