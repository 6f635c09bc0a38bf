import { Reflector } from '@nestjs/core';

/**
 * Opts a route — or every route of a controller — out of authentication and authorization
 * entirely (DESIGN A5, A6). Read at either level; one is enough.
 *
 * @example
 * `@Get('health') @Public() health() { return 'ok'; }`
 */
export const Public = Reflector.createDecorator<void, true>({ transform: () => true });
