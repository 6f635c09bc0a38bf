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
 * One `@AnyOf` decoration: passes with any one of the `scopes` (delegated, so only in a user
 * token), any one of the app `roles`, or membership of any one of the `groups`. A kind the
 * decorator was not given is an empty list; at least one list is non-empty.
 */
export interface AnyOfRequirement {
  readonly list: 'anyOf';
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

/**
 * What one authorization decorator asks for. Every requirement on a route — on the handler and
 * on its class — must pass (DESIGN A5); `reflector.get(Scopes, target)` returns the list of
 * requirements a target carries for that decorator.
 */
export type Requirement = ClaimRequirement | ScopesOrAppPermissionsRequirement | AnyOfRequirement;

/** A requirement that one name of several kinds satisfies (`@ScopesOrAppPermissions`, `@AnyOf`). */
type AlternativesRequirement = ScopesOrAppPermissionsRequirement | AnyOfRequirement;

/** One way through an alternatives requirement: a name of `list`, in a token of `tokenKind`. */
interface Alternative {
  readonly list: ClaimList;
  readonly names: readonly string[];
  /** The only kind of token this alternative counts for; undefined: either kind. */
  readonly tokenKind?: AuthUser['kind'];
}

/**
 * The alternatives of a requirement, in the order its `scope="…"` lists them. Delegated scopes
 * speak only for a user, as Microsoft.Identity.Web's `RequiredScopeOrAppPermission` intends; its
 * app permissions only for an application. `@AnyOf`'s roles and groups count in either kind of
 * token, as `@Roles` and `@Groups` do.
 */
function alternativesOf(requirement: AlternativesRequirement): readonly Alternative[] {
  if (requirement.list === 'anyOf') {
    return [
      { list: 'scopes', names: requirement.scopes, tokenKind: 'user' },
      { list: 'roles', names: requirement.roles },
      { list: 'groups', names: requirement.groups },
    ];
  }
  return [
    { list: 'scopes', names: requirement.scopes, tokenKind: 'user' },
    { list: 'roles', names: requirement.appPermissions, tokenKind: 'app' },
  ];
}

/**
 * Whether checking `requirement` may need the user's groups — and so, on a groups overage, the
 * `GroupsResolver`: `@Groups`, and `@AnyOf` with groups.
 */
export function readsGroups(requirement: Requirement): boolean {
  return (
    requirement.list === 'groups' || (requirement.list === 'anyOf' && requirement.groups.length > 0)
  );
}

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
  // `includes` of a string finds only an equal string: non-string entries never match.
  if (!Array.isArray(have)) return false;
  return requirement.mode === 'all'
    ? requirement.values.every((value) => have.includes(value))
    : requirement.values.some((value) => have.includes(value));
}

/**
 * Whether the user satisfies a requirement. `groups` are the groups to check `@Groups` and
 * `@AnyOf` against (default: the token's own; on a groups overage, the guard passes those the
 * `GroupsResolver` adds).
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
    case 'anyOf': {
      const lists: Record<ClaimList, unknown> = {
        scopes: user.scopes,
        roles: user.roles,
        groups,
      };
      return alternativesOf(requirement).some(
        ({ list, names, tokenKind }) =>
          (tokenKind === undefined || tokenKind === user.kind) && anyOf(names, lists[list]),
      );
    }
    default:
      // Metadata we do not understand can only deny (fail closed).
      return false;
  }
}

/** The names that would pass `requirement`: the `scope="…"` of the 403 challenge (DESIGN E4). */
export function requiredNames(requirement: Requirement): readonly string[] {
  if (requirement.list === 'scopesOrAppPermissions' || requirement.list === 'anyOf') {
    return [...new Set(alternativesOf(requirement).flatMap(({ names }) => names))];
  }
  return requirement.values;
}

/**
 * The 403 message for a failed requirement: what was required and, for `all`, what was missing.
 * Built from the requirement only — never from the token's own values (DESIGN V9).
 */
export function describeFailure(requirement: Requirement, have: unknown = []): string {
  const required = `Insufficient permissions: requires ${describeRequirement(requirement)}`;
  if (!('mode' in requirement) || requirement.mode === 'any' || requirement.values.length === 1) {
    return required;
  }
  const held = new Set(stringList(have));
  const missing = requirement.values.filter((value) => !held.has(value));
  return `${required}; missing ${missing.join(', ')}`;
}

/**
 * What a requirement needs, as a phrase: "scope A", "one of the roles R1, R2", "all of the scopes
 * A, B", "scope A in a delegated token, or application permission P in an application token".
 * Shared by the 403 message and the OpenAPI description; built from the requirement only.
 */
export function describeRequirement(requirement: Requirement): string {
  switch (requirement.list) {
    case 'scopesOrAppPermissions':
      return (
        `${phrase('scope', requirement.scopes)} in a delegated token, or ` +
        `${phrase('application permission', requirement.appPermissions)} in an ` +
        'application token'
      );
    case 'anyOf':
      return describeAnyOf(requirement);
    default:
      return phrase(NOUNS[requirement.list], requirement.values, requirement.mode);
  }
}

/**
 * What an `@AnyOf` requirement needs, as a phrase: "role Payments.Approver or group g1", "one of
 * the scopes A, B in a delegated token, or role R". Shared by the 403 message and the OpenAPI
 * description.
 */
export function describeAnyOf(requirement: AnyOfRequirement): string {
  const parts = alternativesOf(requirement)
    .filter(({ names }) => names.length > 0)
    .map(
      ({ list, names, tokenKind }) =>
        phrase(NOUNS[list], names) + (tokenKind === 'user' ? ' in a delegated token' : ''),
    );
  // "A or B" — unless a part holds commas itself, or there are three: then "A, or B, or C".
  const plain = parts.length === 2 && !parts.some((part) => part.includes(','));
  return parts.join(plain ? ' or ' : ', or ');
}

const NOUNS: Record<ClaimList, string> = { scopes: 'scope', roles: 'role', groups: 'group' };

function phrase(noun: string, values: readonly string[], mode: 'any' | 'all' = 'any'): string {
  if (values.length === 1) return `${noun} ${values[0]}`;
  return `${mode === 'all' ? 'all' : 'one'} of the ${noun}s ${values.join(', ')}`;
}

function anyOf(wanted: readonly string[], have: unknown): boolean {
  return Array.isArray(have) && wanted.some((value) => have.includes(value));
}
