// Internal: never exported from the package's entry point (STYLE 2).

/** Set on the request once ClaimsGuard has authorized it for the current handler. */
export const AUTHORIZED = Symbol('auth.authorized');
/** The bearer token extracted by JwtAuthGuard, handed to the Passport strategy. */
export const BEARER_TOKEN = Symbol('auth.bearerToken');
/** What the key lookup learnt about the token (provider, key), for the claim checks. */
export const TOKEN_CONTEXT = Symbol('auth.tokenContext');
/**
 * The provider for the API's own tokens (a `TokenProviderOptions` with a `jwksLoader` over the
 * signing keys), or undefined when nothing is issued. Supplied by issuing, read by validation.
 */
export const OWN_TOKEN_PROVIDER = Symbol('auth.ownTokenProvider');
