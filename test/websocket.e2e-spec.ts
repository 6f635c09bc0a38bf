import { INestApplication, UseFilters } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import { io, Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import {
  authenticateConnection,
  AuthUser,
  CurrentUser,
  JwtAuthGuard,
  Public,
  RevocationStore,
  Roles,
  Scopes,
  socketIoAuthMiddleware,
  WsAuthExceptionFilter,
} from '@app/auth';
import { TestIssuer } from '@app/auth/testing';
import { ADAPTERS, createTestApp, INVALID_TOKEN_CHALLENGE, ManualClock } from './support/test-app';

/** The default namespace: the handshake must authenticate, and every message is checked again. */
@WebSocketGateway()
@UseFilters(WsAuthExceptionFilter)
class ChatGateway implements OnGatewayInit {
  constructor(private readonly auth: JwtAuthGuard) {}

  afterInit(server: Server) {
    server.use(socketIoAuthMiddleware(this.auth));
  }

  /** No decorator: the module's global guards still require a valid token (A6). */
  @SubscribeMessage('whoami') whoami(@CurrentUser() user: AuthUser) {
    return { subject: user.subject, scopes: user.scopes, kind: user.kind };
  }
  @SubscribeMessage('read') @Scopes('Chat.Read') read() {
    return 'read';
  }
  @SubscribeMessage('write') @Scopes.all('Chat.Read', 'Chat.Write') write() {
    return 'written';
  }
  @SubscribeMessage('moderate') @Roles('Chat.Moderator') moderate() {
    return 'moderated';
  }
  @SubscribeMessage('admin') @Scopes('Chat.Read') admin(@CurrentUser('subject') subject: string) {
    if (subject !== 'root') throw new WsException('not root');
    return 'admin';
  }
}

/** A namespace that lets anyone connect: only its message guards protect it. */
@WebSocketGateway({ namespace: 'lobby' })
@UseFilters(WsAuthExceptionFilter)
class LobbyGateway {
  @SubscribeMessage('ping') @Public() ping() {
    return 'pong';
  }
  @SubscribeMessage('whoami') whoami(@CurrentUser('subject') subject: string) {
    return subject;
  }
}

interface Refusal {
  status: 'error';
  message: string;
  pattern?: string;
  code: string;
  statusCode: number;
  error?: string;
  wwwAuthenticate?: string;
  scope?: string;
  claims?: string;
}

describe.each(ADAPTERS)('WebSockets (socket.io) on %s (V12, A1–A7, K1–K2)', (adapter) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;
  const clock = new ManualClock();
  const sockets: Socket[] = [];
  const nowSeconds = () => Math.floor(clock.now() / 1000);

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    ({ app, url } = await createTestApp(issuer.authOptions(), {
      adapter,
      clock,
      controllers: [],
      providers: [ChatGateway, LobbyGateway],
    }));
  });
  beforeEach(() => clock.set(Date.now()));
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.stop();
  });

  const open = (
    options: { token?: unknown; header?: string; namespace?: string; query?: string } = {},
  ) => {
    const socket = io(`${url}/${options.namespace ?? ''}${options.query ?? ''}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(options.token !== undefined ? { auth: { token: options.token } } : {}),
      ...(options.header ? { extraHeaders: { Authorization: options.header } } : {}),
    });
    sockets.push(socket);
    return socket;
  };
  const connected = (socket: Socket) =>
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  const refusedAtHandshake = (socket: Socket) =>
    new Promise<Error & { data?: Record<string, unknown> }>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected')));
      socket.once('connect_error', resolve);
    });
  const send = <T = unknown>(socket: Socket, event: string) =>
    socket.timeout(5000).emitWithAck(event) as Promise<T>;
  const disconnected = (socket: Socket) =>
    new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

  it('a token in auth.token authenticates the connection; @CurrentUser() in handlers', async () => {
    const socket = open({ token: issuer.mint({ sub: 'alice', scp: 'Chat.Read' }) });
    await connected(socket);
    expect(await send(socket, 'whoami')).toEqual({
      subject: 'alice',
      scopes: ['Chat.Read'],
      kind: 'user',
    });
  });

  it('a token in the Authorization header of the handshake authenticates it too', async () => {
    const socket = open({ header: `Bearer ${issuer.mint({ sub: 'bob' })}` });
    await connected(socket);
    expect(await send(socket, 'whoami')).toMatchObject({ subject: 'bob' });
    const prefixed = open({ token: `Bearer ${issuer.mint({ sub: 'carol' })}` });
    await connected(prefixed);
    expect(await send(prefixed, 'whoami')).toMatchObject({ subject: 'carol' });
  });

  it('E1/E2/E3: a handshake without a valid token is refused with the HTTP codes', async () => {
    const none = await refusedAtHandshake(open());
    expect(none.message).toBe('Bearer token required');
    expect(none.data).toEqual({
      code: 'UNAUTHENTICATED',
      statusCode: 401,
      wwwAuthenticate: 'Bearer realm="api"',
    });
    const bad = await refusedAtHandshake(open({ token: 'a.b.c' }));
    expect(bad.data).toEqual({
      code: 'UNAUTHENTICATED',
      statusCode: 401,
      error: 'invalid_token',
      wwwAuthenticate: INVALID_TOKEN_CHALLENGE,
    });
    const t = nowSeconds();
    const expired = await refusedAtHandshake(open({ token: issuer.mint({ exp: t - 300 }) }));
    expect(expired.message).toBe('Token expired');
    const token = issuer.mint();
    const twice = await refusedAtHandshake(open({ token, header: `Bearer ${token}` }));
    expect(twice.data).toMatchObject({
      code: 'BAD_REQUEST',
      statusCode: 400,
      error: 'invalid_request',
    });
    // A token only in the query string is not read (as over HTTP).
    const query = await refusedAtHandshake(open({ query: `?access_token=${token}` }));
    expect(query.data).toMatchObject({ statusCode: 401 });
    expect(query.data?.error).toBeUndefined();
  });

  it('A1/A2: decorated message handlers are authorized; a 403 keeps the connection', async () => {
    const socket = open({ token: issuer.mint({ scp: 'Chat.Read' }) });
    await connected(socket);
    expect(await send(socket, 'read')).toBe('read');
    const exceptions: Refusal[] = [];
    socket.on('exception', (payload: Refusal) => exceptions.push(payload));
    const refused = await send<Refusal>(socket, 'write');
    expect(refused).toMatchObject({
      status: 'error',
      pattern: 'write',
      code: 'FORBIDDEN',
      statusCode: 403,
      error: 'insufficient_scope',
      scope: 'Chat.Read Chat.Write',
    });
    expect(refused.message).toMatch(/missing Chat\.Write/);
    expect(refused.wwwAuthenticate).toMatch(/^Bearer realm="api", error="insufficient_scope"/);
    expect(await send<Refusal>(socket, 'moderate')).toMatchObject({
      code: 'FORBIDDEN',
      scope: 'Chat.Moderator',
    });
    expect(socket.connected).toBe(true);
    expect(await send(socket, 'read')).toBe('read');
    expect(exceptions.map((e) => e.pattern)).toEqual(['write', 'moderate']);

    const moderator = open({ token: issuer.mint({ roles: ['Chat.Moderator'] }) });
    await connected(moderator);
    expect(await send(moderator, 'moderate')).toBe('moderated');
  });

  it('other errors of a handler keep their own shape (the filter catches only ours)', async () => {
    const socket = open({ token: issuer.mint({ sub: 'alice', scp: 'Chat.Read' }) });
    await connected(socket);
    const exception = new Promise((resolve) => socket.once('exception', resolve));
    socket.emit('admin');
    expect(await exception).toMatchObject({ status: 'error', message: 'not root' });
  });

  it('a connection whose token expires is refused at its next message, and closed', async () => {
    const socket = open({ token: issuer.mint({ scp: 'Chat.Read', exp: nowSeconds() + 120 }) });
    await connected(socket);
    expect(await send(socket, 'read')).toBe('read');
    clock.advance(120_000 + 61_000); // past exp and the 60 s tolerance
    const closed = disconnected(socket);
    expect(await send<Refusal>(socket, 'read')).toMatchObject({
      status: 'error',
      message: 'Token expired',
      code: 'UNAUTHENTICATED',
      statusCode: 401,
      error: 'invalid_token',
      wwwAuthenticate: INVALID_TOKEN_CHALLENGE,
    });
    expect(await closed).toBe('io server disconnect');
  });

  it('K1: a connection whose token is revoked is refused at its next message', async () => {
    const socket = open({ token: issuer.mint({ jti: `ws-${adapter}`, scp: 'Chat.Read' }) });
    await connected(socket);
    expect(await send(socket, 'whoami')).toMatchObject({ subject: 'user-1' });
    await app.get(RevocationStore).revokeToken(`ws-${adapter}`, nowSeconds() + 3600);
    const closed = disconnected(socket);
    expect(await send<Refusal>(socket, 'whoami')).toMatchObject({
      message: 'Token was revoked',
      code: 'UNAUTHENTICATED',
      error: 'invalid_token',
    });
    expect(await closed).toBe('io server disconnect');
  });

  it('K2/E5: a revoked subject gets the claims challenge at its next message', async () => {
    const subject = `ws-subject-${adapter}`;
    const socket = open({ token: issuer.mint({ sub: subject, iat: nowSeconds() - 5 }) });
    await connected(socket);
    expect(await send(socket, 'whoami')).toMatchObject({ subject });
    await app.get(RevocationStore).revokeSubject(subject, nowSeconds(), nowSeconds() + 3600);
    const refused = await send<Refusal>(socket, 'whoami');
    expect(refused).toMatchObject({ error: 'insufficient_claims', statusCode: 401 });
    expect(refused.wwwAuthenticate).toContain(`claims="${refused.claims}"`);
  });

  it('without the handshake middleware, message guards alone protect a namespace', async () => {
    const anonymous = open({ namespace: 'lobby' });
    await connected(anonymous);
    expect(await send(anonymous, 'ping')).toBe('pong');
    expect(await send<Refusal>(anonymous, 'whoami')).toMatchObject({
      message: 'Bearer token required',
      code: 'UNAUTHENTICATED',
      wwwAuthenticate: 'Bearer realm="api"',
    });
    const member = open({ namespace: 'lobby', token: issuer.mint({ sub: 'dave' }) });
    await connected(member);
    expect(await send(member, 'whoami')).toBe('dave');
  });
});

/** `@nestjs/platform-ws`: a `ws` client gets its handshake request only in handleConnection. */
@WebSocketGateway({ path: '/ws' })
@UseFilters(WsAuthExceptionFilter)
class NativeGateway implements OnGatewayConnection {
  constructor(private readonly auth: JwtAuthGuard) {}

  handleConnection(client: WebSocket, request: IncomingMessage) {
    return authenticateConnection(this.auth, client, request as never).catch(() =>
      client.close(4401, 'Unauthorized'),
    );
  }
  @SubscribeMessage('whoami') whoami(@CurrentUser('subject') subject: string) {
    return { event: 'whoami', data: subject };
  }
  @SubscribeMessage('read') @Scopes('Chat.Read') read() {
    return { event: 'read', data: 'read' };
  }
}

describe.each(ADAPTERS)('WebSockets (ws) on %s (V12)', (adapter) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;
  const clock = new ManualClock();
  const clients: WebSocket[] = [];

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    ({ app, url } = await createTestApp(issuer.authOptions(), {
      adapter,
      clock,
      controllers: [],
      providers: [NativeGateway],
      beforeListen: (nest) => {
        nest.useWebSocketAdapter(new WsAdapter(nest));
      },
    }));
  });
  beforeEach(() => clock.set(Date.now()));
  afterEach(() => {
    for (const client of clients.splice(0)) client.terminate();
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.stop();
  });

  /** Opens a client and collects what it receives: `{ event, data }` frames and the close. */
  const open = async (authorization?: string) => {
    const client = new WebSocket(`${url.replace('http', 'ws')}/ws`, {
      headers: authorization ? { Authorization: authorization } : {},
    });
    clients.push(client);
    const frames: { event: string; data: unknown }[] = [];
    const waiters: (() => void)[] = [];
    client.on('message', (raw) => {
      frames.push(JSON.parse(String(raw)));
      waiters.splice(0).forEach((wake) => wake());
    });
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    const next = async () => {
      while (frames.length === 0) await new Promise<void>((wake) => waiters.push(wake));
      return frames.shift()!;
    };
    const send = (event: string) => {
      client.send(JSON.stringify({ event, data: {} }));
      return next();
    };
    return { client, send, next, closed };
  };

  it('the handshake header authenticates; decorated handlers are authorized', async () => {
    const { send } = await open(`Bearer ${issuer.mint({ sub: 'erin', scp: 'Chat.Read' })}`);
    expect(await send('whoami')).toEqual({ event: 'whoami', data: 'erin' });
    expect(await send('read')).toEqual({ event: 'read', data: 'read' });
    const other = await open(`Bearer ${issuer.mint({ scp: 'Other' })}`);
    expect(await other.send('read')).toMatchObject({
      event: 'exception',
      data: { code: 'FORBIDDEN', statusCode: 403, error: 'insufficient_scope', scope: 'Chat.Read' },
    });
    expect(other.client.readyState).toBe(WebSocket.OPEN);
  });

  it('a handshake without a valid token is closed with 4401', async () => {
    expect(await (await open()).closed).toBe(4401);
    expect(await (await open('Bearer a.b.c')).closed).toBe(4401);
  });

  it('a token that expires is refused at the next message, and the socket closed (4401)', async () => {
    const token = issuer.mint({ exp: Math.floor(clock.now() / 1000) + 120 });
    const { send, closed } = await open(`Bearer ${token}`);
    expect(await send('whoami')).toEqual({ event: 'whoami', data: 'user-1' });
    clock.advance(181_000);
    expect(await send('whoami')).toMatchObject({
      event: 'exception',
      data: { message: 'Token expired', code: 'UNAUTHENTICATED', error: 'invalid_token' },
    });
    expect(await closed).toBe(4401);
  });
});
