// Internal: never exported from the package's entry point (STYLE 2).

/**
 * The provider for the API's own tokens (a `TokenProviderOptions` with a `jwksLoader` over the
 * signing keys), or undefined when nothing is issued. Supplied by issuing, read by validation.
 */
export const OWN_TOKEN_PROVIDER = Symbol('auth.ownTokenProvider');
