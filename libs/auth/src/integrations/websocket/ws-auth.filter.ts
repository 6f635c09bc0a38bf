import { ArgumentsHost, Catch, ExceptionFilter, Optional } from '@nestjs/common';
import { AuthConfig } from '../../auth-config';
import { AuthError } from '../../errors/auth.errors';
import { authErrorDetails, type AuthErrorDetails } from '../auth-error-details';

/** What a refused message gets: Nest's `exception` event shape plus the module's codes. */
export interface WsAuthErrorPayload extends AuthErrorDetails {
  status: 'error';
  /** The REST body's message (expired, wrong audience, missing scope…), never the token. */
  message: string;
  /** The message's event name. */
  pattern?: string;
}

interface WsClientLike {
  readyState?: unknown;
  emit?: (event: string, payload: unknown) => void;
  send?: (data: string) => void;
  disconnect?: (close?: boolean) => void;
  close?: (code?: number, reason?: string) => void;
}

/**
 * Answers a WebSocket message refused by the module's guards (DESIGN V12): emits `exception`
 * (Nest's event for gateway errors) with {@link WsAuthErrorPayload} — `code` `UNAUTHENTICATED` /
 * `FORBIDDEN` / `BAD_REQUEST` / `SERVICE_UNAVAILABLE`, `statusCode`, `error` (`invalid_token`,
 * `insufficient_scope`, …), `wwwAuthenticate` — and answers the message's acknowledgement with
 * the same payload when the client asked for one. Without it Nest answers every such error as
 * "Internal server error".
 *
 * An authentication failure (401: expired, revoked, …) then closes the connection, since its
 * token can never pass again; the client reconnects with a fresh token. A missing permission
 * (403) keeps it open. Override `shouldDisconnect` to change that.
 *
 * Nest applies no global filter to gateways: put it on the gateway class.
 *
 * @example
 * ```ts
 * @WebSocketGateway() @UseFilters(WsAuthExceptionFilter) export class ChatGateway { … }
 * ```
 */
@Catch(AuthError)
export class WsAuthExceptionFilter implements ExceptionFilter<AuthError> {
  constructor(@Optional() private readonly config?: AuthConfig) {}

  catch(exception: AuthError, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const client = ws.getClient<WsClientLike>();
    const pattern: unknown = host.getArgByIndex(host.getArgs().length - 1);
    const payload: WsAuthErrorPayload = {
      status: 'error',
      message: exception.message,
      ...(typeof pattern === 'string' ? { pattern } : {}),
      ...authErrorDetails(exception, this.config?.realm),
    };
    // A `ws` WebSocket is an EventEmitter too: tell it apart by its numeric readyState, as Nest does.
    const native = typeof client.readyState === 'number' && typeof client.send === 'function';
    if (native) client.send!(JSON.stringify({ event: 'exception', data: payload }));
    else client.emit?.('exception', payload);
    const ack: unknown = host.getArgByIndex(2);
    if (!native && typeof ack === 'function') (ack as (response: unknown) => void)(payload);
    if (this.shouldDisconnect(exception)) {
      // 4000–4999: application close codes (RFC 6455 §7.4.2); 4401 mirrors the HTTP status.
      if (native) client.close?.(4401, 'Unauthorized');
      else client.disconnect?.(true);
    }
  }

  /** Default: close on 401 (the connection's token can never pass again); keep it on 403 / 400 / 503. */
  protected shouldDisconnect(exception: AuthError): boolean {
    return exception.getStatus() === 401;
  }
}
