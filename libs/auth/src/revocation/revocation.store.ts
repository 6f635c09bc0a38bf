/** What an access token carries that revocation can refer to. */
export interface RevocationSubject {
  /** `jti` (or Entra `uti`). */
  tokenId?: string;
  /** `sid`: the refresh family of tokens this API issued. */
  sessionId?: string;
  /** `sub`. */
  subject: string;
  /** `iat`, epoch seconds. */
  issuedAt: number;
}

/** The answer of a revocation check. */
export type RevocationVerdict =
  | { revoked: false }
  | { revoked: true; reason: 'token' | 'session' }
  /** K2: tokens of this subject issued before `notBefore` (epoch seconds) are refused (E5). */
  | { revoked: true; reason: 'subject'; notBefore: number };

/**
 * Revoked access tokens, sessions and subjects (DESIGN K1–K4). `check` is synchronous: it answers
 * from a local view with no network round trip per request (K3); implementations keep that view
 * up to date. Entries expire when the tokens they refuse would have (K4).
 *
 * Override with `{ provide: RevocationStore, useClass: MyStore }` in `extraProviders`.
 */
export abstract class RevocationStore {
  /** Is this token refused? Called on every authenticated request, so it must be cheap. */
  abstract check(token: RevocationSubject, nowSeconds: number): RevocationVerdict;

  /** K1: refuse the token with this `jti` until `expiresAt` (epoch seconds). */
  abstract revokeToken(tokenId: string, expiresAt: number): Promise<void>;

  /** K1: refuse every access token with this `sid` until `expiresAt` (epoch seconds). */
  abstract revokeSession(sessionId: string, expiresAt: number): Promise<void>;

  /**
   * K2: refuse every token of `subject` issued before `notBefore` (epoch seconds); the entry
   * is kept until `expiresAt`, when no such token can be alive any more.
   */
  abstract revokeSubject(subject: string, notBefore: number, expiresAt: number): Promise<void>;

  /** K2 (RT21): the moment before which the subject's tokens and families are refused, if any. */
  abstract subjectRevokedBefore(subject: string, nowSeconds: number): number | undefined;
}
