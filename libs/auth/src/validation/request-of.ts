import type { ExecutionContext } from '@nestjs/common';

/** The request-like object of an HTTP, GraphQL or WebSocket context, or undefined (deny). */
export interface AuthRequest {
  headers?: Record<string, string | string[] | undefined>;
  headersDistinct?: Record<string, string[] | undefined>;
  user?: unknown;
  [key: symbol]: unknown;
  [key: string]: unknown;
}

/** What a WebSocket client may carry of its handshake (socket.io, or `ws` with it attached). */
interface WsClient {
  /** socket.io: headers, query, url and the `auth` payload of the handshake. */
  handshake?: {
    headers?: Record<string, string | string[] | undefined>;
    url?: string;
    auth?: Record<string, unknown>;
  };
  /** socket.io: the handshake's `IncomingMessage`. */
  request?: AuthRequest;
}

/** One request-like object per connection, built once from its handshake. */
const CONNECTIONS = new WeakMap<object, AuthRequest>();
/** Handshake requests of clients that do not carry theirs (`ws`), see {@link attachHandshake}. */
const HANDSHAKES = new WeakMap<object, AuthRequest>();
/** One request-like object per message (per guard chain), inheriting from its connection's. */
const MESSAGES = new WeakMap<object, AuthRequest>();

/** Finds the request of any context type; guards deny when this returns undefined (fail closed). */
export function requestOf(context: ExecutionContext): AuthRequest | undefined {
  switch (context.getType<string>()) {
    case 'http':
      return context.switchToHttp().getRequest<AuthRequest>();
    case 'graphql': {
      // GraphQL args are (root, args, ctx, info); ctx carries req (Apollo/Express) or request (Mercurius).
      const ctx = context.getArgByIndex(2) as
        { req?: AuthRequest; request?: AuthRequest } | undefined;
      return ctx?.req ?? ctx?.request;
    }
    case 'ws':
      return messageRequest(context);
    default:
      return undefined;
  }
}

/**
 * A WebSocket message's request. A connection lives long and its token may expire or be revoked
 * while it is open, so each message gets its own object: the guards' "already authenticated /
 * authorized" marks and the token in flight live on it and die with the message, and every
 * message is checked again (through the validation cache, so cheaply). It inherits the
 * handshake's headers from the connection's object; `user` is written through to the
 * connection's, so `@CurrentUser()` finds the user the connection last authenticated as.
 *
 * All guards of one message share Nest's argument array, which keys the message's object.
 */
function messageRequest(context: ExecutionContext): AuthRequest | undefined {
  const args: unknown = context.getArgs?.();
  const known = typeof args === 'object' && args !== null ? MESSAGES.get(args) : undefined;
  if (known) return known;
  const client = context.switchToWs().getClient<unknown>();
  if (typeof client !== 'object' || client === null) return undefined;
  const connection = connectionRequest(client);
  if (!connection) return undefined;
  const message = Object.create(connection, {
    user: {
      get: () => connection.user,
      set: (user: unknown) => (connection.user = user),
      enumerable: true,
    },
  }) as AuthRequest;
  if (typeof args === 'object' && args !== null) MESSAGES.set(args, message);
  return message;
}

/**
 * The connection's request: the handshake's headers and URL, with a socket.io `auth.token`
 * turned into an `Authorization` line. A token in both places is two credentials (400), as over
 * HTTP; a token only in the query string is not read. Undefined when the client carries no
 * handshake at all (then: deny).
 */
export function connectionRequest(client: object): AuthRequest | undefined {
  const known = CONNECTIONS.get(client);
  if (known) return known;
  const { handshake } = client as WsClient;
  const request = (client as WsClient).request ?? HANDSHAKES.get(client);
  const source = (handshake ?? request) as AuthRequest | undefined;
  if (typeof source !== 'object' || source === null) return undefined;
  const headers = handshake?.headers ?? request?.headers ?? {};
  const distinct: Record<string, string[] | undefined> = {
    ...(request?.headersDistinct ?? {}),
  };
  let lines = distinct.authorization ?? asLines(headers.authorization);
  const token = handshake?.auth?.token;
  if (token !== undefined && token !== null) {
    const line =
      typeof token === 'string' && /^bearer /i.test(token) ? token : `Bearer ${String(token)}`;
    lines = [...lines, line];
  }
  distinct.authorization = lines;
  const connection: AuthRequest = {
    headers: { ...headers, authorization: lines[0] },
    headersDistinct: distinct,
    url: handshake?.url ?? request?.url,
    // A user an earlier middleware put on the handshake counts until a guard authenticates.
    user: source.user,
  };
  CONNECTIONS.set(client, connection);
  return connection;
}

/**
 * Remembers the handshake request of a client that does not carry it: a `ws` WebSocket gets its
 * `IncomingMessage` only as the second argument of `handleConnection(client, request)`.
 */
export function attachHandshake(client: object, request: AuthRequest): void {
  if (!CONNECTIONS.has(client)) HANDSHAKES.set(client, request);
}

function asLines(value: string | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

/** The response of an HTTP context (to set challenge headers on), if any. */
export function responseOf(context: ExecutionContext): unknown {
  if (context.getType() === 'http') return context.switchToHttp().getResponse();
  if (context.getType<string>() === 'graphql') {
    const ctx = context.getArgByIndex(2) as { res?: unknown; reply?: unknown } | undefined;
    return ctx?.res ?? ctx?.reply;
  }
  return undefined;
}
