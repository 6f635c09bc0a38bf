import type { AuthUser } from '../auth-user';

/** The `AuthUser` list a `@Scopes`, `@Roles` or `@Groups` requirement is matched against. */
export type ClaimList = 'scopes' | 'roles' | 'groups';

/**
 * How the names of one requirement combine: `any` passes with one of them (the default of every
 * decorator), `all` needs every one (`@Scopes.all(…)`, `@Roles.all(…)`, `@Groups.all(…)`).
 */
export type MatchMode = 'any' | 'all';

/** One `@Scopes`, `@Roles` or `@Groups` decoration: a list of names and how they combine. */
export interface ClaimRequirement {
  readonly list: ClaimList;
  readonly mode: MatchMode;
  /** The names, deduplicated, in the order written. Never empty. */
  readonly values: readonly string[];
}

/**
 * One `@ScopesOrAppPermissions` decoration (DESIGN A4): a delegated token passes with one of the
 * `scopes`, an application token with one of the `appPermissions` (app roles).
 */
export interface ScopesOrAppPermissionsRequirement {
  readonly list: 'scopesOrAppPermissions';
  readonly scopes: readonly string[];
  readonly appPermissions: readonly string[];
}

/**
 * What one authorization decorator asks for. Every requirement on a route — on the handler and
 * on its class — must pass (DESIGN A5); `reflector.get(Scopes, target)` returns the list of
 * requirements a target carries for that decorator.
 */
export type Requirement = ClaimRequirement | ScopesOrAppPermissionsRequirement;

/**
 * The strings of a claim-derived list. Anything but an array counts as empty and non-strings are
 * dropped, so `roles: "Admin"` or `roles: [["Admin"]]` grants nothing (ATTACKS CLM-14).
 */
export function stringList(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Whether `have` satisfies a claim requirement. Whole-string, case-sensitive matches only
 * (RFC 6749 §3.3): `Data.ReadWrite`, `data.read` or `XData.Read` never match `Data.Read`.
 */
export function matches(requirement: ClaimRequirement, have: unknown): boolean {
  const held = new Set(stringList(have));
  return requirement.mode === 'all'
    ? requirement.values.every((value) => held.has(value))
    : requirement.values.some((value) => held.has(value));
}

/**
 * Whether the user satisfies a requirement that reads only the token (every kind but `groups`,
 * which may need a `GroupsResolver`; pass the groups to use in `groups`).
 */
export function isSatisfied(
  requirement: Requirement,
  user: AuthUser,
  groups: unknown = user.groups,
): boolean {
  switch (requirement.list) {
    case 'scopes':
      return matches(requirement, user.scopes);
    case 'roles':
      return matches(requirement, user.roles);
    case 'groups':
      return matches(requirement, groups);
    case 'scopesOrAppPermissions':
      // Each branch only for its kind of token, as Microsoft.Identity.Web's
      // RequiredScopeOrAppPermission intends: scopes speak for a user, app roles for an app.
      if (user.kind === 'user') return anyOf(requirement.scopes, user.scopes);
      if (user.kind === 'app') return anyOf(requirement.appPermissions, user.roles);
      return false;
    default:
      // Metadata we do not understand can only deny (fail closed).
      return false;
  }
}

/** The names that would pass `requirement`: the `scope="…"` of the 403 challenge (DESIGN E4). */
export function requiredNames(requirement: Requirement): readonly string[] {
  return requirement.list === 'scopesOrAppPermissions'
    ? [...new Set([...requirement.scopes, ...requirement.appPermissions])]
    : requirement.values;
}

/**
 * The 403 message for a failed requirement: what was required and, for `all`, what was missing.
 * Built from the requirement only — never from the token's own values (DESIGN V9).
 */
export function describeFailure(requirement: Requirement, have: unknown = []): string {
  if (requirement.list === 'scopesOrAppPermissions') {
    return (
      `Insufficient permissions: requires ${phrase('scope', requirement.scopes)} in a delegated ` +
      `token, or ${phrase('application permission', requirement.appPermissions)} in an ` +
      'application token'
    );
  }
  const noun = NOUNS[requirement.list];
  if (requirement.mode === 'any' || requirement.values.length === 1) {
    return `Insufficient permissions: requires ${phrase(noun, requirement.values)}`;
  }
  const held = new Set(stringList(have));
  const missing = requirement.values.filter((value) => !held.has(value));
  return (
    `Insufficient permissions: requires all of the ${noun}s ${requirement.values.join(', ')}; ` +
    `missing ${missing.join(', ')}`
  );
}

const NOUNS: Record<ClaimList, string> = { scopes: 'scope', roles: 'role', groups: 'group' };

function phrase(noun: string, values: readonly string[]): string {
  return values.length === 1 ? `${noun} ${values[0]}` : `one of the ${noun}s ${values.join(', ')}`;
}

function anyOf(wanted: readonly string[], have: unknown): boolean {
  const held = new Set(stringList(have));
  return wanted.some((value) => held.has(value));
}
