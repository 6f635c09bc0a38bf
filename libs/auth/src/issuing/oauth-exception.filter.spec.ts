import { ArgumentsHost, BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { TemporarilyUnavailableError } from '../errors/auth.errors';
import { OAuthExceptionFilter } from './oauth-exception.filter';
import { OAuthError } from './oauth.errors';

function run(exception: unknown) {
  const headers: Record<string, string> = {};
  const response = { setHeader: (n: string, v: string) => (headers[n] = v) };
  let sent: { body: unknown; status: number } | undefined;
  const adapter = {
    httpAdapter: {
      reply: (_r: unknown, body: unknown, status: number) => (sent = { body, status }),
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new OAuthExceptionFilter(adapter as unknown as HttpAdapterHost).catch(exception, host);
  return { headers, ...sent! };
}

describe('OAuthExceptionFilter', () => {
  it('RT3: answers an OAuthError with its exact body and no-store', () => {
    const out = run(OAuthError.invalidGrant());
    expect(out.status).toBe(400);
    expect(out.body).toEqual({
      error: 'invalid_grant',
      error_description: 'refresh token is invalid, expired or revoked',
    });
    expect(out.headers).toEqual({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });

  it('RT5: invalid_client carries WWW-Authenticate: Basic with a safe realm', () => {
    const out = run(OAuthError.invalidClient('my "realm"'));
    expect(out.status).toBe(401);
    expect(out.headers['WWW-Authenticate']).toBe('Basic realm="my \\"realm\\""');
  });

  it('RT18: a store failure is 503 temporarily_unavailable with Retry-After', () => {
    const out = run(new TemporarilyUnavailableError('down', 7));
    expect(out.status).toBe(503);
    expect(out.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'try again later',
    });
    expect(out.headers['Retry-After']).toBe('7');
  });

  it('other client errors keep their status in the OAuth shape, without their message', () => {
    const out = run(new PayloadTooLargeException('rt_secret-part'));
    expect(out.status).toBe(413);
    expect(JSON.stringify(out.body)).not.toContain('rt_');
    expect(run(new BadRequestException()).body).toEqual({
      error: 'invalid_request',
      error_description: 'the request is malformed',
    });
  });

  it('never answers 500: an unexpected error is 503 and logged by name only', () => {
    const out = run(new Error('rt_abc.def.ghi'));
    expect(out.status).toBe(503);
    expect(out.headers['Retry-After']).toBe('1');
    expect(JSON.stringify(out.body)).not.toContain('rt_');
  });
});
