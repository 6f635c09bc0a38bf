import type { ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../../auth-user';
import { AuthError } from '../../errors/auth.errors';
import { type AuthRequest, attachHandshake, connectionRequest } from '../../validation/request-of';
import type { JwtAuthGuard } from '../../validation/jwt-auth.guard';
import { authErrorDetails, type AuthErrorDetails } from '../auth-error-details';

/** Stands for "the handshake" where a guard reads a handler and a class (for `@Public()`). */
class WebSocketHandshake {
  connect(): void {}
}

/**
 * Authenticates a WebSocket connection from its handshake, with the same checks as every HTTP
 * request (DESIGN V1–V11): the `Authorization` header of the upgrade request, or socket.io's
 * `auth: { token }` (browsers cannot set headers on a WebSocket). A token only in the query
 * string is not read; a token in two places is refused (400, as over HTTP).
 *
 * Message handlers are checked again on every message by the module's guards, so a connection
 * whose token expires or is revoked is refused at its next message.
 *
 * @param guard the module's `JwtAuthGuard` (inject it into the gateway).
 * @param client a socket.io `Socket`, or a `ws` WebSocket together with its `request`.
 * @param request the handshake `IncomingMessage` of a `ws` client (second argument of
 *   `handleConnection`); socket.io sockets carry theirs.
 * @returns the authenticated user; `@CurrentUser()` in message handlers gets it too.
 * @throws AuthError (`MissingTokenError`, `InvalidTokenError`, …) when the handshake is refused.
 *
 * @example
 * ```ts
 * @WebSocketGateway()
 * export class ChatGateway implements OnGatewayConnection {
 *   constructor(private readonly auth: JwtAuthGuard) {}
 *   async handleConnection(client: Socket) {
 *     await authenticateConnection(this.auth, client).catch(() => client.disconnect(true));
 *   }
 * }
 * ```
 */
export async function authenticateConnection(
  guard: JwtAuthGuard,
  client: object,
  request?: AuthRequest,
): Promise<AuthUser> {
  if (request) attachHandshake(client, request);
  const args = [client, undefined, undefined, 'connection'];
  const context = {
    getType: () => 'ws',
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    getClass: () => WebSocketHandshake,
    getHandler: () => WebSocketHandshake.prototype.connect,
    switchToWs: () => ({
      getClient: () => client,
      getData: () => undefined,
      getPattern: () => 'connection',
    }),
    switchToHttp: () => ({}),
    switchToRpc: () => ({}),
  } as unknown as ExecutionContext;
  await guard.canActivate(context);
  return connectionRequest(client)!.user as AuthUser;
}

/** The error socket.io hands to the client's `connect_error` listener. */
export interface WsConnectError extends Error {
  /** The same codes as a refused HTTP request. */
  data: AuthErrorDetails;
}

/**
 * A socket.io middleware that refuses a connection whose handshake does not authenticate: the
 * client's `connect_error` listener gets an `Error` whose `message` is the REST body's and whose
 * `data` carries `code`, `statusCode`, `error` and `wwwAuthenticate` ({@link AuthErrorDetails}).
 *
 * @example
 * ```ts
 * @WebSocketGateway()
 * export class ChatGateway implements OnGatewayInit {
 *   constructor(private readonly auth: JwtAuthGuard) {}
 *   afterInit(server: Server) {
 *     server.use(socketIoAuthMiddleware(this.auth));
 *   }
 * }
 * ```
 */
export function socketIoAuthMiddleware(
  guard: JwtAuthGuard,
  realm?: string,
): (socket: object, next: (error?: Error) => void) => void {
  return (socket, next) => {
    authenticateConnection(guard, socket).then(
      () => next(),
      (error: unknown) => next(connectError(error, realm ?? guardRealm(guard))),
    );
  };
}

function connectError(error: unknown, realm: string): WsConnectError {
  const authError = error instanceof AuthError ? error : undefined;
  const refused = new Error(authError?.message ?? 'Authentication failed') as WsConnectError;
  refused.data = authError
    ? authErrorDetails(authError, realm)
    : { code: 'UNAUTHENTICATED', statusCode: 401, error: 'invalid_token' };
  return refused;
}

function guardRealm(guard: JwtAuthGuard): string {
  return (guard as unknown as { config?: { realm?: string } }).config?.realm ?? 'api';
}
