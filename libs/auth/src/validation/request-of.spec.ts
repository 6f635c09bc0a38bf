import type { ExecutionContext } from '@nestjs/common';
import { attachHandshake, connectionRequest, requestOf, responseOf } from './request-of';

function context(type: string, args: unknown[], withArgs = true): ExecutionContext {
  return {
    getType: () => type,
    ...(withArgs ? { getArgs: () => args } : {}),
    getArgByIndex: (index: number) => args[index],
    switchToHttp: () => ({ getRequest: () => args[0], getResponse: () => args[1] }),
    switchToWs: () => ({ getClient: () => args[0] }),
  } as unknown as ExecutionContext;
}

describe('requestOf / responseOf', () => {
  it('http: the request and response', () => {
    const req = { headers: {} };
    const res = {};
    expect(requestOf(context('http', [req, res]))).toBe(req);
    expect(responseOf(context('http', [req, res]))).toBe(res);
  });

  it('graphql: ctx.req (Apollo) or ctx.request (Mercurius); res or reply', () => {
    const req = { headers: {} };
    expect(requestOf(context('graphql', [{}, {}, { req }]))).toBe(req);
    expect(requestOf(context('graphql', [{}, {}, { request: req }]))).toBe(req);
    expect(requestOf(context('graphql', [{}, {}, undefined]))).toBeUndefined();
    const res = {};
    expect(responseOf(context('graphql', [{}, {}, { res }]))).toBe(res);
    expect(responseOf(context('graphql', [{}, {}, { reply: res }]))).toBe(res);
    expect(responseOf(context('graphql', [{}, {}, undefined]))).toBeUndefined();
  });

  it('an unknown context has no request and no response (guards then deny)', () => {
    expect(requestOf(context('rpc', [{}]))).toBeUndefined();
    expect(responseOf(context('rpc', [{}]))).toBeUndefined();
    expect(responseOf(context('ws', [{}]))).toBeUndefined();
  });
});

describe('requestOf for WebSocket messages', () => {
  const socket = (auth?: Record<string, unknown>, authorization?: string) => ({
    handshake: {
      headers: authorization ? { authorization, host: 'x' } : { host: 'x' },
      url: '/socket.io/?EIO=4',
      auth,
    },
    request: { headersDistinct: authorization ? { authorization: [authorization] } : {} },
  });

  it('turns socket.io auth.token into one Authorization line, with or without Bearer', () => {
    for (const token of ['abc', 'Bearer abc', 'bearer abc']) {
      const req = requestOf(context('ws', [socket({ token }), {}]))!;
      expect(req.headersDistinct!.authorization).toEqual([
        /^bearer /i.test(token) ? token : `Bearer ${token}`,
      ]);
      expect(req.headers!.authorization).toBe(req.headersDistinct!.authorization![0]);
      expect(req.url).toBe('/socket.io/?EIO=4');
    }
    const numeric = requestOf(context('ws', [socket({ token: 42 }), {}]))!;
    expect(numeric.headersDistinct!.authorization).toEqual(['Bearer 42']);
    const none = requestOf(context('ws', [socket({ token: null }), {}]))!;
    expect(none.headersDistinct!.authorization).toEqual([]);
  });

  it('a header and auth.token are two credentials (two lines, refused as over HTTP)', () => {
    const req = requestOf(context('ws', [socket({ token: 'b' }, 'Bearer a'), {}]))!;
    expect(req.headersDistinct!.authorization).toEqual(['Bearer a', 'Bearer b']);
  });

  it('each message gets its own object; the guards of one message share it', () => {
    const client = socket({ token: 'abc' });
    const first = [client, {}];
    const a = requestOf(context('ws', first))!;
    expect(requestOf(context('ws', first))).toBe(a);
    const b = requestOf(context('ws', [client, {}]))!;
    expect(b).not.toBe(a);
    const mark = Symbol('mark');
    a[mark] = true;
    expect(b[mark]).toBeUndefined();
    // The user is the connection's: written through, seen by every later message.
    a.user = { subject: 's' };
    expect(b.user).toEqual({ subject: 's' });
    expect(requestOf(context('ws', [client, {}]))!.user).toEqual({ subject: 's' });
    expect(connectionRequest(client)!.user).toEqual({ subject: 's' });
  });

  it('a user put on the handshake by earlier middleware is kept; contexts without getArgs work', () => {
    const client = { handshake: { user: { subject: 'pre' } } };
    const req = requestOf(context('ws', [client], false))!;
    expect(req.user).toEqual({ subject: 'pre' });
    expect(req.headersDistinct!.authorization).toEqual([]);
  });

  it('a ws client without a handshake is denied, unless one was attached', () => {
    expect(requestOf(context('ws', [{}]))).toBeUndefined();
    expect(requestOf(context('ws', [undefined]))).toBeUndefined();
    expect(requestOf(context('ws', ['text']))).toBeUndefined();
    const client = {};
    attachHandshake(client, {
      headers: { authorization: 'Bearer abc' },
      headersDistinct: { authorization: ['Bearer abc'] },
      url: '/ws',
    });
    const req = requestOf(context('ws', [client]))!;
    expect(req.headersDistinct!.authorization).toEqual(['Bearer abc']);
    expect(req.url).toBe('/ws');
    // Once built, the connection's request does not change.
    attachHandshake(client, { headers: {} });
    expect(connectionRequest(client)!.headers!.authorization).toBe('Bearer abc');
  });

  it('a handshake header given as an array keeps every line', () => {
    const client = { handshake: { headers: { authorization: ['Bearer a', 'Bearer b'] } } };
    expect(connectionRequest(client)!.headersDistinct!.authorization).toEqual([
      'Bearer a',
      'Bearer b',
    ]);
  });
});
