import { Injectable, Logger } from '@nestjs/common';

/** Names of the events the module reports. */
export type AuthEventName =
  | 'jwks.fetched'
  | 'jwks.fetch_failed'
  | 'jwks.stale_keys_served'
  | 'family.created'
  | 'family.revoked'
  | 'refresh.rotated'
  | 'refresh.grace_replay'
  | 'refresh.reuse_detected'
  | 'refresh.invalid'
  | 'token.revoked'
  | 'subject.revoked'
  | 'revocation.ignored'
  | (string & {});

/**
 * Where the module reports what happened (JWKS failures, refresh reuse, revocations). Override it
 * to feed metrics or an audit log: `{ provide: AuthEvents, useClass: MyEvents }`.
 * Event data never holds a token, a secret, or part of one (DESIGN V9).
 */
@Injectable()
export class AuthEvents {
  private readonly logger = new Logger('Auth');

  /** Reports one event. The default writes a warning for failures and a debug line otherwise. */
  emit(
    name: AuthEventName,
    data: Record<string, string | number | boolean | undefined> = {},
  ): void {
    const line = `${name} ${JSON.stringify(data)}`;
    if (name.endsWith('failed') || name.includes('reuse') || name.includes('stale'))
      this.logger.warn(line);
    else this.logger.debug(line);
  }
}
