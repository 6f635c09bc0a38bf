/**
 * The authenticated caller, as `@CurrentUser()` gives it (DESIGN A7). Built from an allow-list of
 * verified claims with type checks; never a copy of the raw payload.
 */
export interface AuthUser {
  /** `sub`: the subject (for Entra, pairwise per application). */
  readonly subject: string;
  /** Entra `oid`: the object id of the user or service principal, when present. */
  readonly oid?: string;
  /** Entra `tid`: the tenant id, when present. */
  readonly tid?: string;
  /** Token issuer (`iss`). */
  readonly issuer: string;
  /** The client application: `azp` (v2), `appid` (v1) or `client_id` (RFC 9068). */
  readonly clientId?: string;
  /** Delegated scopes, from `scp` (space-separated) or `scope` (string or array). */
  readonly scopes: readonly string[];
  /** App roles / application permissions, from `roles`. */
  readonly roles: readonly string[];
  /** Group ids, from `groups`. Empty on a groups overage (see `hasGroupsOverage`). */
  readonly groups: readonly string[];
  /** True when the token says its groups did not fit (`_claim_names.groups` or `hasgroups`). */
  readonly hasGroupsOverage: boolean;
  /** `app` for application (client-credentials) tokens, `user` for delegated ones. */
  readonly kind: 'user' | 'app';
  /** `jti` (or Entra `uti`), the token's id. */
  readonly tokenId?: string;
  /** `sid`: the session (refresh family) of tokens this API issued. */
  readonly sessionId?: string;
  /** `iat`, `exp` in epoch seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The verified payload, frozen, with a null prototype. Read-only; do not trust keys blindly. */
  readonly claims: Readonly<Record<string, unknown>>;
}
