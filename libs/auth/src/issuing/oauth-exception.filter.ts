import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TemporarilyUnavailableError } from '../errors/auth.errors';
import { setResponseHeaders } from '../errors/response-headers';
import { OAuthError } from './oauth.errors';

/**
 * Answers every failure of the token, revocation and key endpoints in the RFC 6749 §5.2 shape
 * (RT1–RT5) with `Cache-Control: no-store`. A store or key-source failure is 503
 * `temporarily_unavailable` with `Retry-After` (RT18, E7). Nothing reaches the client as a 500 or a
 * stack trace; an unexpected error is logged by name only (its message might quote input).
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Auth');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<unknown>();
    const { status, body, headers } = this.describe(exception);
    setResponseHeaders(response, headers);
    this.adapterHost.httpAdapter.reply(response, body, status);
  }

  private describe(exception: unknown): {
    status: number;
    body: Record<string, string>;
    headers: Record<string, string>;
  } {
    if (exception instanceof OAuthError) {
      return {
        status: exception.getStatus(),
        body: { error: exception.code, error_description: exception.description },
        headers: exception.headers(),
      };
    }
    const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
    if (exception instanceof TemporarilyUnavailableError) {
      return {
        status: 503,
        body: { error: 'temporarily_unavailable', error_description: 'try again later' },
        headers: { ...noStore, ...exception.headers() },
      };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return {
        status: exception.getStatus(),
        body: { error: 'invalid_request', error_description: 'the request is malformed' },
        headers: noStore,
      };
    }
    const name = exception instanceof Error ? exception.constructor.name : typeof exception;
    this.logger.error(`token endpoint failed unexpectedly (${name})`);
    return {
      status: 503,
      body: { error: 'temporarily_unavailable', error_description: 'try again later' },
      headers: { ...noStore, 'Retry-After': '1' },
    };
  }
}
