import { ArgumentsHost, Catch, Optional } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { AuthConfig } from '../../auth-config';
import { AuthError } from '../../errors/auth.errors';
import { AuthGraphQLError } from './graphql-auth.error';

/**
 * Turns the module's errors in GraphQL resolvers into GraphQL errors that carry the same codes
 * as REST responses (DESIGN V12, E1–E7): `extensions.code` `UNAUTHENTICATED` / `FORBIDDEN` /
 * `BAD_REQUEST` / `SERVICE_UNAVAILABLE`, plus `error` (`invalid_token`, `insufficient_scope`, …),
 * `status`, `wwwAuthenticate` and, where they apply, `scope`, `claims` and `retryAfter`.
 * The message is the one the REST body carries.
 *
 * Without it, Nest's Apollo driver still answers `UNAUTHENTICATED`/`FORBIDDEN`, but without the
 * RFC 6750 code. The HTTP status of a GraphQL response stays 200 (GraphQL over HTTP); a client
 * reads `errors[].extensions`. On REST routes it leaves Nest's default handling unchanged, so it
 * can be registered globally. It never imports `@nestjs/graphql` or `graphql`.
 *
 * @example
 * ```ts
 * // globally, in the module that imports GraphQLModule:
 * providers: [{ provide: APP_FILTER, useClass: GraphQLAuthExceptionFilter }]
 * // or per resolver:
 * @Resolver() @UseFilters(GraphQLAuthExceptionFilter) export class PaymentsResolver { … }
 * ```
 */
@Catch(AuthError)
export class GraphQLAuthExceptionFilter extends BaseExceptionFilter {
  constructor(@Optional() private readonly config?: AuthConfig) {
    super();
  }

  override catch(exception: AuthError, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') {
      // A returned Error becomes the field's error; graphql-js keeps its `extensions`.
      return new AuthGraphQLError(exception, this.config?.realm);
    }
    return super.catch(exception, host);
  }
}
