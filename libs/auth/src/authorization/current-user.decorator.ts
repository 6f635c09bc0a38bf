import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../auth-user';
import { requestOf } from '../validation/request-of';

/**
 * Injects the authenticated caller (DESIGN A7). Pass a key to get one field.
 *
 * @example
 * `@Get() list(@CurrentUser() user: AuthUser) { … }`
 * `@Get() mine(@CurrentUser('subject') sub: string) { … }`
 */
export const CurrentUser = createParamDecorator(
  (field: keyof AuthUser | undefined, context: ExecutionContext) => {
    const user = requestOf(context)?.user as AuthUser | undefined;
    return field && user ? user[field] : user;
  },
);
