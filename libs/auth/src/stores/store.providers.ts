import type { Provider } from '@nestjs/common';

/**
 * Store selection (memory or Redis), registered after the feature providers so it decides which
 * implementation backs `RefreshTokenStore`, `RevocationStore` and `SigningKeySource`.
 * Empty until the Redis stores land: the in-memory defaults of each feature apply.
 */
export const STORE_PROVIDERS: Provider[] = [];
export const STORE_EXPORTS: never[] = [];
