import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TemporarilyUnavailableError } from '../errors/auth.errors';
import { setResponseHeaders } from '../errors/response-headers';

/**
 * DESIGN E7 on the session routes: a store failure is 503 in Nest's JSON shape (E6) *with*
 * `Retry-After`, which Nest's default handler would drop.
 */
@Catch(TemporarilyUnavailableError)
export class RetryAfterFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: TemporarilyUnavailableError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<unknown>();
    setResponseHeaders(response, { ...exception.headers(), 'Cache-Control': 'no-store' });
    this.adapterHost.httpAdapter.reply(response, exception.getResponse(), exception.getStatus());
  }
}
