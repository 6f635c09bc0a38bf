import type { AuthError } from '../../errors/auth.errors';
import { type AuthErrorDetails, authErrorDetails } from '../auth-error-details';

/**
 * An {@link AuthError} for a GraphQL response: the message of the REST body, and in `extensions`
 * the same codes ({@link AuthErrorDetails}). graphql-js copies the `extensions` of an error a
 * resolver throws or returns, so this works with any GraphQL server (Apollo, Mercurius) without
 * importing `graphql` here.
 */
export class AuthGraphQLError extends Error {
  override readonly name = 'AuthGraphQLError';
  /** `code` (`UNAUTHENTICATED`, `FORBIDDEN`, …), `statusCode`, `error`, `wwwAuthenticate`, …. */
  readonly extensions: AuthErrorDetails & Record<string, unknown>;

  /**
   * @param authError the module's error; its message says what was wrong, never the token (V9).
   * @param realm the `realm` of the challenge (`AuthConfig.realm`; default `'api'`).
   */
  constructor(
    readonly authError: AuthError,
    realm = 'api',
  ) {
    super(authError.message, { cause: authError });
    this.extensions = { ...authErrorDetails(authError, realm) };
  }
}
