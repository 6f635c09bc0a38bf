import { ArgumentsHost, BadRequestException, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/**
 * Express's JSON parser reports a malformed body with a message that quotes the start of it
 * (`Unexpected token 'r', "rt_k48lxYB"... is not valid JSON`), which may be a token (DESIGN V9).
 * This global filter replaces that message; every other error is answered as Nest would.
 */
@Catch(BadRequestException)
export class BodyParseErrorFilter extends BaseExceptionFilter {
  override catch(exception: BadRequestException, host: ArgumentsHost): void {
    const fromParser = exception.cause instanceof SyntaxError;
    super.catch(
      fromParser ? new BadRequestException('Request body is not valid JSON') : exception,
      host,
    );
  }
}
