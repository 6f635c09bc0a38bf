// The public surface of the library: every export is deliberate (STYLE 2).
export { AuthModule } from './auth.module';
export type { AuthModuleExtras } from './auth.module-definition';
export { AUTH_DEFAULTS } from './auth.options';
export type {
  AuthModuleOptions,
  EntraOptions,
  JwksOptions,
  TokenProviderOptions,
  ValidationCacheOptions,
} from './auth.options';
export { AuthConfig } from './auth-config';
export type { AuthUser } from './auth-user';
export { AuthEvents } from './auth-events';
export type { AuthEventName } from './auth-events';
export { Clock } from './clock';
export * from './errors';
export { ClaimsMapper } from './validation/claims-mapper';
export { JwtAuthGuard } from './validation/jwt-auth.guard';
export { JwtStrategy, JWT_STRATEGY } from './validation/jwt.strategy';
export * from './authorization';
export { RevocationStore } from './revocation/revocation.store';
export type { RevocationSubject, RevocationVerdict } from './revocation/revocation.store';
export { InMemoryRevocationStore } from './revocation/in-memory-revocation.store';
export * from './integrations';
export * from './openapi';
export * from './issuing';
export * from './stores';
export * from './stores/redis';
