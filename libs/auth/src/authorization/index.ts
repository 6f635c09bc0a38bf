export { AnyOf, type AnyOfOptions } from './any-of.decorator';
export { ClaimsGuard } from './claims.guard';
export { type AuthorizationDecorator, type ClaimDecorator } from './claim-decorator';
export { CurrentUser } from './current-user.decorator';
export { DenyingGroupsResolver, GROUPS_OVERAGE_MESSAGE, GroupsResolver } from './groups-resolver';
export { Groups } from './groups.decorator';
export { Public } from './public.decorator';
export {
  type AnyOfRequirement,
  type ClaimList,
  type ClaimRequirement,
  type MatchMode,
  type Requirement,
  type ScopesOrAppPermissionsRequirement,
} from './requirement';
export { ResolvedGroupsCache } from './resolved-groups.cache';
export { Roles } from './roles.decorator';
export {
  ScopesOrAppPermissions,
  type ScopesOrAppPermissionsOptions,
} from './scope-or-app-permission.decorator';
export { Scopes } from './scopes.decorator';
