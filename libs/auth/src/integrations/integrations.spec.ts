import { ArgumentsHost, HttpStatus } from '@nestjs/common';
import type { AuthConfig } from '../auth-config';
import {
  AuthError,
  InsufficientClaimsError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  TemporarilyUnavailableError,
} from '../errors/auth.errors';
import type { JwtAuthGuard } from '../validation/jwt-auth.guard';
import { authErrorDetails } from './auth-error-details';
import { AuthGraphQLError, GraphQLAuthExceptionFilter } from './graphql';
import { authenticateConnection, socketIoAuthMiddleware, WsAuthExceptionFilter } from './websocket';

/** An AuthError with a status no transport code exists for. */
class TeapotError extends AuthError {
  readonly code = 'invalid_request' as const;
  constructor() {
    super('teapot', HttpStatus.I_AM_A_TEAPOT, "I'm a teapot");
  }
  headers() {
    return {};
  }
}

describe('authErrorDetails', () => {
  it.each([
    [
      new MissingTokenError(),
      { code: 'UNAUTHENTICATED', statusCode: 401, wwwAuthenticate: 'Bearer realm="r"' },
    ],
    [
      new InvalidTokenError('Token expired'),
      {
        code: 'UNAUTHENTICATED',
        statusCode: 401,
        error: 'invalid_token',
        wwwAuthenticate:
          'Bearer realm="r", error="invalid_token", error_description="The access token is invalid"',
      },
    ],
    [
      new InvalidRequestError('Send exactly one Authorization header'),
      {
        code: 'BAD_REQUEST',
        statusCode: 400,
        error: 'invalid_request',
        wwwAuthenticate:
          'Bearer realm="r", error="invalid_request", error_description="Send exactly one Authorization header"',
      },
    ],
    [
      new InsufficientScopeError(['A', 'B'], 'needs A or B'),
      {
        code: 'FORBIDDEN',
        statusCode: 403,
        error: 'insufficient_scope',
        scope: 'A B',
        wwwAuthenticate:
          'Bearer realm="r", error="insufficient_scope", error_description="needs A or B", scope="A B"',
      },
    ],
    [
      new TemporarilyUnavailableError('down', 7),
      {
        code: 'SERVICE_UNAVAILABLE',
        statusCode: 503,
        error: 'temporarily_unavailable',
        retryAfter: 7,
      },
    ],
    [
      new TeapotError(),
      { code: 'INTERNAL_SERVER_ERROR', statusCode: 418, error: 'invalid_request' },
    ],
  ])('%p', (error, details) => {
    expect(authErrorDetails(error, 'r')).toEqual(details);
  });

  it('insufficient_claims carries the claims challenge; the realm defaults to api', () => {
    const error = new InsufficientClaimsError(1700000000);
    expect(authErrorDetails(error)).toEqual({
      code: 'UNAUTHENTICATED',
      statusCode: 401,
      error: 'insufficient_claims',
      claims: error.claims,
      wwwAuthenticate: `Bearer realm="api", error="insufficient_claims", error_description="The access token was revoked", claims="${error.claims}"`,
    });
  });
});

describe('GraphQL', () => {
  const host = (type: string) =>
    ({ getType: () => type, getArgByIndex: () => ({}) }) as unknown as ArgumentsHost;

  it('AuthGraphQLError keeps the message, the cause and the details', () => {
    const cause = new InvalidTokenError('Token expired');
    const error = new AuthGraphQLError(cause, 'r');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Token expired');
    expect(error.cause).toBe(cause);
    expect(error.authError).toBe(cause);
    expect(error.extensions).toEqual(authErrorDetails(cause, 'r'));
  });

  it('the filter answers GraphQL contexts with an AuthGraphQLError in the configured realm', () => {
    const filter = new GraphQLAuthExceptionFilter({ realm: 'payments' } as AuthConfig);
    const result = filter.catch(new MissingTokenError(), host('graphql')) as AuthGraphQLError;
    expect(result).toBeInstanceOf(AuthGraphQLError);
    expect(result.extensions.wwwAuthenticate).toBe('Bearer realm="payments"');
    const unconfigured = new GraphQLAuthExceptionFilter();
    expect(
      (unconfigured.catch(new MissingTokenError(), host('graphql')) as AuthGraphQLError).extensions
        .wwwAuthenticate,
    ).toBe('Bearer realm="api"');
  });

  it('the filter hands other contexts to Nest’s base handling', () => {
    const reply = jest.fn();
    const filter = new GraphQLAuthExceptionFilter();
    Object.assign(filter, {
      applicationRef: { reply, isHeadersSent: () => false, end: jest.fn() },
    });
    filter.catch(new InvalidTokenError('Token expired'), host('http'));
    expect(reply).toHaveBeenCalledWith(
      {},
      { statusCode: 401, message: 'Token expired', error: 'Unauthorized' },
      401,
    );
  });
});

describe('WsAuthExceptionFilter', () => {
  const host = (client: unknown, args: unknown[]) =>
    ({
      switchToWs: () => ({ getClient: () => client }),
      getArgs: () => [client, ...args],
      getArgByIndex: (index: number) => [client, ...args][index],
    }) as unknown as ArgumentsHost;

  it('socket.io: emits exception, answers the ack, disconnects on 401', () => {
    const client = { emit: jest.fn(), disconnect: jest.fn() };
    const ack = jest.fn();
    new WsAuthExceptionFilter().catch(
      new InvalidTokenError('Token expired'),
      host(client, [{}, ack, 'read']),
    );
    const payload = {
      status: 'error',
      message: 'Token expired',
      pattern: 'read',
      ...authErrorDetails(new InvalidTokenError()),
    };
    expect(client.emit).toHaveBeenCalledWith('exception', payload);
    expect(ack).toHaveBeenCalledWith(payload);
    expect(client.disconnect).toHaveBeenCalledWith(true);
  });

  it('socket.io: a 403 keeps the connection; no pattern, no ack', () => {
    const client = { emit: jest.fn(), disconnect: jest.fn() };
    new WsAuthExceptionFilter({ realm: 'chat' } as AuthConfig).catch(
      new InsufficientScopeError(['Chat.Read']),
      host(client, [{}]),
    );
    expect(client.emit.mock.calls[0][1]).toMatchObject({ code: 'FORBIDDEN', scope: 'Chat.Read' });
    expect(client.emit.mock.calls[0][1]).not.toHaveProperty('pattern');
    expect(client.emit.mock.calls[0][1].wwwAuthenticate).toMatch(/^Bearer realm="chat"/);
    expect(client.disconnect).not.toHaveBeenCalled();
  });

  it('ws: sends an { event, data } frame and closes with 4401 on 401', () => {
    const client = { readyState: 1, send: jest.fn(), close: jest.fn(), emit: jest.fn() };
    new WsAuthExceptionFilter().catch(new MissingTokenError(), host(client, [{}, 'read', 'read']));
    expect(JSON.parse(client.send.mock.calls[0][0])).toMatchObject({
      event: 'exception',
      data: { status: 'error', code: 'UNAUTHENTICATED', pattern: 'read' },
    });
    expect(client.emit).not.toHaveBeenCalled();
    expect(client.close).toHaveBeenCalledWith(4401, 'Unauthorized');
  });

  it('shouldDisconnect can be overridden', () => {
    class KeepOpen extends WsAuthExceptionFilter {
      protected override shouldDisconnect() {
        return false;
      }
    }
    const client = { emit: jest.fn(), disconnect: jest.fn() };
    new KeepOpen().catch(new InvalidTokenError(), host(client, [{}]));
    expect(client.disconnect).not.toHaveBeenCalled();
  });
});

describe('connection authentication', () => {
  const user = { subject: 'alice' };
  /** A guard that authenticates like JwtAuthGuard: it writes the user onto the request. */
  const guard = (outcome: 'pass' | Error, realm?: string) =>
    ({
      config: realm ? { realm } : undefined,
      canActivate: jest.fn(async (context) => {
        if (outcome !== 'pass') throw outcome;
        const { requestOf } = await import('../validation/request-of');
        requestOf(context)!.user = user;
        return true;
      }),
    }) as unknown as JwtAuthGuard;

  it('authenticateConnection runs the guard on a ws context and returns the user', async () => {
    const auth = guard('pass');
    const client = {};
    const request = { headers: { authorization: 'Bearer x' } };
    await expect(authenticateConnection(auth, client, request)).resolves.toBe(user);
    const context = (auth.canActivate as jest.Mock).mock.calls[0][0];
    expect(context.getType()).toBe('ws');
    expect(context.switchToWs().getClient()).toBe(client);
    expect(context.switchToWs().getPattern()).toBe('connection');
    expect(context.switchToWs().getData()).toBeUndefined();
    expect(context.getArgByIndex(0)).toBe(client);
    expect(context.getHandler()()).toBeUndefined();
    expect(typeof context.getClass()).toBe('function');
    expect(context.switchToHttp()).toEqual({});
    expect(context.switchToRpc()).toEqual({});
  });

  it('socketIoAuthMiddleware: next() on success, next(error with data) on refusal', async () => {
    const call = (auth: JwtAuthGuard, realm?: string) =>
      new Promise<Error | undefined>((resolve) =>
        socketIoAuthMiddleware(auth, realm)({ handshake: { headers: {} } }, resolve),
      );
    expect(await call(guard('pass'))).toBeUndefined();
    const refused = (await call(guard(new MissingTokenError(), 'chat'))) as Error & {
      data: unknown;
    };
    expect(refused.message).toBe('Bearer token required');
    expect(refused.data).toEqual({
      code: 'UNAUTHENTICATED',
      statusCode: 401,
      wwwAuthenticate: 'Bearer realm="chat"',
    });
    const explicitRealm = (await call(guard(new MissingTokenError()), 'x')) as Error & {
      data: { wwwAuthenticate: string };
    };
    expect(explicitRealm.data.wwwAuthenticate).toBe('Bearer realm="x"');
    // Anything else is refused too (fail closed), without detail.
    const odd = (await call(guard(new Error('boom')))) as Error & { data: unknown };
    expect(odd.message).toBe('Authentication failed');
    expect(odd.data).toEqual({ code: 'UNAUTHENTICATED', statusCode: 401, error: 'invalid_token' });
  });
});
