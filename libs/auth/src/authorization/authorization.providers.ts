import type { Provider } from '@nestjs/common';
import { ClaimsGuard } from './claims.guard';
import { DenyingGroupsResolver, GroupsResolver } from './groups-resolver';
import { ResolvedGroupsCache } from './resolved-groups.cache';

/**
 * The authorization providers of `AuthModule`. `GroupsResolver` defaults to
 * `DenyingGroupsResolver`; replace it with `extraProviders: [{ provide: GroupsResolver,
 * useClass: MyResolver }]`. `ClaimsGuard` needs `AuthConfig` (from the module) and `Reflector`
 * (from Nest core).
 */
export const AUTHORIZATION_PROVIDERS: Provider[] = [
  ClaimsGuard,
  ResolvedGroupsCache,
  { provide: GroupsResolver, useClass: DenyingGroupsResolver },
];

/**
 * Exported so that `ClaimsGuard`, which `@Scopes`/`@Roles`/`@Groups` apply with `UseGuards`, can be
 * built in every module that imports `AuthModule` — and shares one cache and one resolver.
 */
export const AUTHORIZATION_EXPORTS = [ClaimsGuard, ResolvedGroupsCache, GroupsResolver];
