import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { InvalidRequestError } from '../errors/auth.errors';
import { assertBearerSyntax, extractBearerToken } from './bearer-token.extractor';
import type { AuthRequest } from './request-of';

/** A request as Node's parser makes it: `rawHeaders` as received, `headers` from them. */
function parsed(lines: [string, string][]): AuthRequest {
  const request = new IncomingMessage(new Socket());
  request.rawHeaders = lines.flat();
  request.headers = Object.fromEntries(lines.map(([n, v]) => [n.toLowerCase(), v]));
  request.url = '/';
  return request as unknown as AuthRequest;
}

describe('extractBearerToken', () => {
  it('reads the one Authorization line, whatever the case of its name', () => {
    for (const name of ['Authorization', 'authorization', 'AUTHORIZATION']) {
      expect(extractBearerToken(parsed([[name, 'Bearer a.b.c']]), 100)).toBe('a.b.c');
    }
  });

  it('refuses two Authorization lines that Node folded into one in headers', () => {
    const request = parsed([
      ['Authorization', 'Bearer a.b.c'],
      ['authorization', 'Bearer d.e.f'],
    ]);
    expect(() => extractBearerToken(request, 100)).toThrow(InvalidRequestError);
  });

  it('reads headers when rawHeaders has no line (a request built in code)', () => {
    const request = new IncomingMessage(new Socket());
    Object.assign(request, { headers: { authorization: 'Bearer a.b.c' }, url: '/' });
    expect(extractBearerToken(request as unknown as AuthRequest, 100)).toBe('a.b.c');
  });

  it('reads the Fastify request through request.raw', () => {
    const raw = parsed([['Authorization', 'Bearer a.b.c']]);
    expect(extractBearerToken({ raw, headers: {}, url: '/' }, 100)).toBe('a.b.c');
  });

  it('leaves the b64token syntax to assertBearerSyntax', () => {
    expect(extractBearerToken(parsed([['Authorization', 'Bearer a,b']]), 100)).toBe('a,b');
    expect(() => assertBearerSyntax('a,b')).toThrow(InvalidRequestError);
    expect(() => assertBearerSyntax('a.b-c_d~e+f/g==')).not.toThrow();
  });
});
