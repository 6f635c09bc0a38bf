import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth-user';

/**
 * Turns verified claims into the `AuthUser` (DESIGN A7). Override it to add fields:
 * `{ provide: ClaimsMapper, useClass: MyMapper }` (extend this class and call `super.map`).
 * The default copies an allow-list of claims with type checks — never the payload itself
 * (ATTACKS CLM-14, CLM-15).
 */
@Injectable()
export class ClaimsMapper {
  /**
   * @returns the user, or a string saying why the claims cannot make one (refused with 401).
   */
  map(claims: Readonly<Record<string, unknown>>): AuthUser | string {
    const subject = text(claims.sub);
    if (subject === undefined) return 'Token has no subject (sub)';
    const scopes = [...new Set([...spaced(claims.scp), ...scopeClaim(claims.scope)])];
    const roles = strings(claims.roles);
    const names = claims._claim_names as Record<string, unknown> | undefined;
    const hasGroupsOverage =
      claims.hasgroups === true || (!!names && typeof names === 'object' && 'groups' in names);
    return {
      subject,
      oid: text(claims.oid),
      tid: text(claims.tid),
      issuer: claims.iss as string,
      clientId: text(claims.azp) ?? text(claims.appid) ?? text(claims.client_id),
      scopes,
      roles,
      groups: hasGroupsOverage ? [] : strings(claims.groups),
      hasGroupsOverage,
      kind: claims.idtyp === 'app' || (scopes.length === 0 && roles.length > 0) ? 'app' : 'user',
      tokenId: text(claims.jti) ?? text(claims.uti),
      sessionId: text(claims.sid),
      issuedAt: claims.iat as number,
      expiresAt: claims.exp as number,
      claims: frozenCopy(claims),
    };
  }
}

/**
 * A frozen copy with a null prototype, so a `__proto__` claim stays data (ATTACKS CLM-15). A plain
 * loop over the own keys: `Object.assign` onto a null-prototype object is twice as slow.
 */
function frozenCopy(claims: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const copy = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(claims)) copy[name] = claims[name];
  return Object.freeze(copy);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `scp`: one space-separated string (RFC 6749 §3.3; Entra). */
function spaced(value: unknown): string[] {
  return typeof value === 'string' ? value.split(' ').filter((s) => s.length > 0) : [];
}

/** `scope`: a space-separated string (RFC 9068) or, from some providers, an array of strings. */
function scopeClaim(value: unknown): string[] {
  return Array.isArray(value) ? strings(value) : spaced(value);
}

/** Arrays of strings only: `roles: "Admin"` (a string) grants nothing. */
function strings(value: unknown): string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : [];
}
