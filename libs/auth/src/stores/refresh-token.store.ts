/**
 * One refresh family: the line of descent of refresh tokens that starts at one login. Every access
 * token minted from it carries `sid` = `id`, so revoking the family also refuses its live access
 * tokens (REFRESH.md design choice 4). Times are epoch milliseconds.
 *
 * `subject`, `clientId`, `scope`, `claims`, `createdAt` and `absoluteExpiresAt` never change after
 * {@link RefreshTokenStore.createFamily}; only `lastUsedAt`, `currentTokenId` and `state` do.
 */
export interface RefreshFamily {
  /** The family id (`fid`): base64url of 16 random bytes. Not secret (RT17). */
  readonly id: string;
  /** `sub` of every token of the family. */
  readonly subject: string;
  /** `client_id` of every token of the family. */
  readonly clientId: string;
  /** The family's scope, space-separated; a refresh may narrow the access token, never this (RT4). */
  readonly scope: string;
  /** Extra access-token claims given at login, re-emitted on every refresh. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** When the family was created (the login). */
  readonly createdAt: number;
  /** `createdAt` + absolute lifetime, fixed at creation (RT12). */
  readonly absoluteExpiresAt: number;
  /** When the current token was issued (creation or last rotation); the idle lifetime runs from it. */
  readonly lastUsedAt: number;
  /** The `tid` of the one token of the family that may be rotated. */
  readonly currentTokenId: string;
  /** `revoked` once logged out, reused, evicted or revoked; a revoked family never comes back. */
  readonly state: 'active' | 'revoked';
}

/** One refresh token of a family, as the store keeps it: only a hash of its secret (RT17). */
export interface StoredRefreshToken {
  /** The token id (`tid`): base64url of 16 random bytes. */
  readonly tokenId: string;
  /** base64url of SHA-256(secret). Never the secret. */
  readonly secretHash: string;
  /** The token this one replaced; absent for the family's first token. */
  readonly parentTokenId?: string;
  /** When it was issued (epoch ms). */
  readonly issuedAt: number;
  /** `current` until consumed, then `rotated` for good. */
  readonly state: 'current' | 'rotated';
  /** When it was consumed (epoch ms); the grace window runs from here and is never extended (RT8). */
  readonly rotatedAt?: number;
}

/** A token to be written: its id and the hash of its secret. */
export interface NewRefreshToken {
  readonly tokenId: string;
  readonly secretHash: string;
}

/** What {@link RefreshTokenStore.createFamily} writes. */
export interface CreateFamilyInput {
  readonly family: Pick<
    RefreshFamily,
    'id' | 'subject' | 'clientId' | 'scope' | 'claims' | 'createdAt' | 'absoluteExpiresAt'
  >;
  /** The family's first token; it becomes `currentTokenId`, issued at `family.createdAt`. */
  readonly token: NewRefreshToken;
  /** RT13: after adding, the subject keeps at most this many active families. */
  readonly maxFamiliesPerSubject: number;
}

/** What {@link RefreshTokenStore.createFamily} did besides creating the family. */
export interface CreateFamilyResult {
  /** RT13: the subject's oldest families revoked to respect the cap, as they were revoked. */
  readonly evicted: readonly RefreshFamily[];
}

/** The input of one atomic {@link RefreshTokenStore.rotate}. */
export interface RotateInput {
  /** `fid` of the presented token. */
  readonly familyId: string;
  /** `tid` of the presented token. */
  readonly tokenId: string;
  /** base64url SHA-256 of the presented secret; compared in constant time where possible. */
  readonly secretHash: string;
  /**
   * The successor to write if the presented token is current. `ciphertext` is the successor token
   * encrypted under a key only the presented secret can derive (design choice 2); it is kept for
   * `graceMs` and absent when the grace window is 0.
   */
  readonly successor: NewRefreshToken & { readonly ciphertext?: string };
  /** The caller's time, epoch ms (from `Clock`). */
  readonly now: number;
  /** RT8: length of the grace window, ms (0 = none). */
  readonly graceMs: number;
  /** RT12: idle lifetime, ms, counted from the presented token's `issuedAt`. */
  readonly idleTtlMs: number;
}

/** Why a rotation was refused without any state change. */
export type RotateInvalidReason =
  /** RT10: no such family, or no such token in it. */
  | 'unknown'
  /** RT10: the token exists but the secret's hash differs (forged). */
  | 'mismatch'
  /** The family is revoked already; nothing further happens (RT10). */
  | 'revoked'
  /** RT12: past the family's absolute lifetime, or the token's idle lifetime. */
  | 'expired';

/**
 * The outcome of {@link RefreshTokenStore.rotate} (RT14):
 * - `rotated`: the presented token was current; it is now `rotated` and the successor is current.
 *   `family` is the family after the write.
 * - `grace`: the presented token was rotated less than `graceMs` ago and its successor is still
 *   current; `ciphertext` is that successor, stored at its rotation (RT8). Nothing was written.
 * - `reuse`: the presented token is authentic but consumed (outside the window, or an older
 *   ancestor); the store has revoked the family in the same atomic step (RT9). `family` is the
 *   family as revoked.
 * - `invalid`: refused, nothing written (RT10, RT12). `family` is given only once the secret was
 *   verified (`revoked`, `expired`).
 */
export type RotateResult =
  | { readonly outcome: 'rotated'; readonly family: RefreshFamily }
  | { readonly outcome: 'grace'; readonly family: RefreshFamily; readonly ciphertext: string }
  | { readonly outcome: 'reuse'; readonly family: RefreshFamily }
  | {
      readonly outcome: 'invalid';
      readonly reason: RotateInvalidReason;
      readonly family?: RefreshFamily;
    };

/**
 * Where refresh families and their tokens live (DESIGN S1, REFRESH.md RT11–RT18). The module
 * only ever talks to this abstract class; the default is in memory (one instance, state lost on
 * restart, which refuses every old token — RT18). Override it with
 * `{ provide: RefreshTokenStore, useClass: MyStore }` in `extraProviders`.
 *
 * Contract for every implementation:
 * - Only hashes of secrets are stored (RT17); `ciphertext` values are opaque.
 * - Rotated-token records are kept until the family's `absoluteExpiresAt` (RT11); everything of a
 *   family may be dropped after that. A Redis implementation sets TTLs to `absoluteExpiresAt`.
 * - Methods reject (throw) when the store is unreachable; the module then answers 503 with
 *   `Retry-After` and issues nothing (RT18). They never resolve with a guess.
 * - Times are epoch milliseconds passed in by the caller; implementations never read a clock for
 *   decisions, so every instance decides alike.
 *
 * Redis key layout (RT16), for the implementation that follows this contract:
 * - `auth:rt:{<fid>}:fam` HASH `sub clientId scope claims createdAt absExp lastUsedAt currentTid state`
 * - `auth:rt:{<fid>}:t:<tid>` HASH `h parentTid issuedAt state rotatedAt`
 * - `auth:rt:{<fid>}:succ:<tid>` STRING ciphertext, `PX` = grace
 * - `auth:rt:sub:<sub>` ZSET of fids scored by `createdAt` (the session index)
 */
export abstract class RefreshTokenStore {
  /**
   * Creates a family with its first token, adds it to the subject's index, then revokes the
   * subject's oldest active families beyond `maxFamiliesPerSubject` (RT13).
   *
   * Atomicity: writing the family and its first token must be all-or-nothing. The index update and
   * the eviction may follow in a second step (Redis: after the script), because an evicted family
   * is only ever revoked, never resurrected.
   *
   * @throws when the store is unavailable; then no family may exist afterwards.
   */
  abstract createFamily(input: CreateFamilyInput): Promise<CreateFamilyResult>;

  /**
   * Consumes a refresh token (RT7–RT12, RT14), deciding in ONE atomic step (Redis: one Lua script
   * over the keys of `{fid}`; in memory: no `await` between read and write):
   *
   * 1. No family, or no token `tokenId` in it → `invalid/unknown`.
   * 2. `secretHash` ≠ the token's `h` → `invalid/mismatch`. (A token exists only if the store
   *    wrote it, so this is a forgery; nothing is revoked — RT10.)
   * 3. Family `state = revoked` → `invalid/revoked` (with `family`).
   * 4. `now ≥ absoluteExpiresAt` → `invalid/expired` (with `family`).
   * 5. Token `current`:
   *    - `now ≥ issuedAt + idleTtlMs` → `invalid/expired` (with `family`);
   *    - else write: token `state = rotated, rotatedAt = now`; successor token
   *      `{h, parentTid = tokenId, issuedAt = now, state = current}`; if `ciphertext` and
   *      `graceMs > 0`, the ciphertext under `succ:<tokenId>` expiring at `now + graceMs`;
   *      family `currentTid = successor, lastUsedAt = now` → `rotated`.
   * 6. Token `rotated`:
   *    - `graceMs > 0`, `now < rotatedAt + graceMs`, the family's current token has
   *      `parentTid = tokenId` (the successor is current and unused), and the ciphertext is still
   *      stored → `grace(ciphertext)`; nothing written;
   *    - otherwise (reuse): family `state = revoked` → `reuse` (RT9).
   *
   * @throws when the store is unavailable or times out (the caller answers 503).
   */
  abstract rotate(input: RotateInput): Promise<RotateResult>;

  /**
   * Reads a family after proving possession of one of its tokens: returns it when token `tokenId`
   * exists in family `familyId` (current or rotated) and its hash equals `secretHash`; otherwise
   * undefined. Writes nothing. Used by `/revoke` and to check `client_id` and `scope` before
   * consuming a token — those family fields never change, so reading first is race-free.
   */
  abstract authenticate(
    familyId: string,
    tokenId: string,
    secretHash: string,
  ): Promise<RefreshFamily | undefined>;

  /** The family, or undefined when unknown or dropped after its absolute expiry. */
  abstract getFamily(familyId: string): Promise<RefreshFamily | undefined>;

  /**
   * RT20: the subject's active families that can still be refreshed at `now` (not revoked, before
   * `absoluteExpiresAt` and before `lastUsedAt + idleTtlMs`), oldest first.
   */
  abstract listFamilies(subject: string, now: number, idleTtlMs: number): Promise<RefreshFamily[]>;

  /**
   * Marks the family revoked (idempotent) and removes it from its subject's index. Returns the
   * family as revoked, or undefined when unknown. Its records stay until `absoluteExpiresAt`, so
   * its tokens keep answering `invalid/revoked` (RT10).
   */
  abstract revokeFamily(familyId: string, now: number): Promise<RefreshFamily | undefined>;

  /** RT21: revokes every active family of the subject; returns those it revoked. */
  abstract revokeSubjectFamilies(subject: string, now: number): Promise<RefreshFamily[]>;
}
