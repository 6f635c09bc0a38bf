import type { TokenContext } from './token-verifier';

// What the guard and the Passport strategy hand each other about one request. Kept beside the
// request in WeakMaps, not on it: properties added to Node's request object per request cost far
// more (about 20 µs a request with symbol keys, `npm run bench`) and die with it all the same.

/** The bearer token `JwtAuthGuard` extracted, for passport-jwt's `jwtFromRequest`. */
export const bearerTokens = new WeakMap<object, string>();

/** What the key lookup learnt about the token (provider, key), for the claim checks. */
export const tokenContexts = new WeakMap<object, TokenContext>();
