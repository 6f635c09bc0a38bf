import type { ExecutionContext } from '@nestjs/common';

/** The request-like object of an HTTP, GraphQL or WebSocket context, or undefined (deny). */
export interface AuthRequest {
  headers?: Record<string, string | string[] | undefined>;
  headersDistinct?: Record<string, string[] | undefined>;
  user?: unknown;
  [key: symbol]: unknown;
  [key: string]: unknown;
}

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
    case 'ws': {
      const client = context
        .switchToWs()
        .getClient<{ request?: AuthRequest; handshake?: AuthRequest }>();
      return client?.request ?? client?.handshake;
    }
    default:
      return undefined;
  }
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
