import type { RefreshFamily } from '../refresh-token.store';

/** The fields of a family hash, in the order the scripts return them (RT16). */
export const FAMILY_FIELDS = [
  'sub',
  'clientId',
  'scope',
  'claims',
  'createdAt',
  'absExp',
  'lastUsedAt',
  'currentTid',
  'state',
] as const;

/** The family hash's fields for `HSET`, `claims` as JSON ('' when none). */
export function encodeClaims(claims: RefreshFamily['claims']): string {
  return claims === undefined ? '' : JSON.stringify(claims);
}

/**
 * A family from its hash values in `FAMILY_FIELDS` order (HMGET or a script's reply); undefined
 * when the family does not exist.
 */
export function decodeFamily(
  id: string,
  values: readonly (string | null | undefined)[],
): RefreshFamily | undefined {
  const [sub, clientId, scope, claims, createdAt, absExp, lastUsedAt, currentTid, state] = values;
  if (typeof sub !== 'string' || typeof currentTid !== 'string') return undefined;
  return {
    id,
    subject: sub,
    clientId: clientId ?? '',
    scope: scope ?? '',
    claims: claims ? (JSON.parse(claims) as Record<string, unknown>) : undefined,
    createdAt: Number(createdAt),
    absoluteExpiresAt: Number(absExp),
    lastUsedAt: Number(lastUsedAt),
    currentTokenId: currentTid,
    state: state === 'revoked' ? 'revoked' : 'active',
  };
}
