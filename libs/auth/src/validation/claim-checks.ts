import type { ResolvedProvider } from './token-providers';
import type { VerificationKey } from './provider-key-set';
import { entraVersionAgrees, keyIssuerAllows } from './issuer-matcher';

/** Time rules of DESIGN V5 and the pinned decisions of ATTACKS.md, in epoch seconds. */
export interface TimeRules {
  now: number;
  tolerance: number;
  maxLifetime: number;
}

/**
 * The claim checks jsonwebtoken does not make, or makes too loosely (ATTACKS "Stack gaps" 1):
 * issuer against tenant rules, the key's `issuer` and the token version, audience, required and
 * finite `exp` and `iat` (`exp` after `iat`), `nbf`, maximum lifetime. Returns the reason for a
 * refusal, or undefined.
 */
export function checkClaims(
  payload: Readonly<Record<string, unknown>>,
  provider: ResolvedProvider,
  key: VerificationKey,
  time: TimeRules,
): string | undefined {
  const { iss, tid, aud, exp, nbf, iat } = payload;
  if (typeof iss !== 'string' || !provider.issuers.matches(iss, tid))
    return 'Token issuer is not trusted';
  if (provider.allowedTenants && !(typeof tid === 'string' && provider.allowedTenants.has(tid))) {
    return 'Token tenant is not allowed';
  }
  if (key.jwk.issuer !== undefined && !keyIssuerAllows(key.jwk.issuer, iss, tid)) {
    return 'Token issuer does not match its signing key';
  }
  if (!entraVersionAgrees(iss, payload.ver)) return 'Token version does not match its issuer';
  if (!audienceMatches(aud, provider.audiences)) return 'Token audience is not accepted';
  if (!isNumericDate(exp)) return 'Token has no valid expiry (exp)';
  if (!isNumericDate(iat)) return 'Token has no valid issue time (iat)';
  if (nbf !== undefined && !isNumericDate(nbf)) return 'Token has an invalid not-before (nbf)';
  if (time.now >= exp + time.tolerance) return 'Token expired';
  if (nbf !== undefined && nbf > time.now + time.tolerance) return 'Token is not valid yet (nbf)';
  if (iat > time.now + time.tolerance) return 'Token was issued in the future (iat)';
  if (exp <= iat) return 'Token expires before it was issued';
  if (exp - iat > time.maxLifetime) return 'Token lifetime is longer than allowed';
  return undefined;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function audienceMatches(aud: unknown, accepted: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return accepted.has(aud);
  if (!Array.isArray(aud) || aud.length === 0) return false;
  return aud.every((a) => typeof a === 'string') && aud.some((a) => accepted.has(a));
}
