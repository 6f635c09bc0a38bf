// One-shot `crypto.hash` (Node ≥ 20.12): no Hash object per request.
import { hash } from 'node:crypto';
import type { AuthUser } from '../auth-user';
import type { VerificationKey } from './provider-key-set';

interface Entry {
  user: AuthUser;
  key: VerificationKey;
  expiresAtMs: number;
}

/**
 * Verified results keyed by a SHA-256 of the token (DESIGN V8): kept until the earlier of the
 * token's `exp` and `maxAge`, bounded in entries (oldest out first). An entry is used only while
 * the key that verified it is still in its provider's fresh key set, so a removed key takes its
 * tokens with it. Revocation is still checked on every request.
 */
export class ValidationCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxEntries: number,
  ) {}

  /**
   * The key of a token's entry: SHA-256 of the token. Computed once per request and passed to
   * `get` and `set`.
   */
  keyOf(token: string): string {
    return hash('sha256', token, 'base64');
  }

  /** The cached user for this key (see `keyOf`), if any and still good. */
  get(id: string, nowMs: number): AuthUser | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs || !entry.key.keySet.holds(entry.key, nowMs)) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.user;
  }

  /** Remembers a verified result under its token's key (see `keyOf`). */
  set(id: string, user: AuthUser, key: VerificationKey, nowMs: number): void {
    const expiresAtMs = Math.min(user.expiresAt * 1000, nowMs + this.maxAgeMs);
    if (expiresAtMs <= nowMs) return;
    this.entries.delete(id);
    this.entries.set(id, { user, key, expiresAtMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Number of entries (for tests and benchmarks). */
  get size(): number {
    return this.entries.size;
  }
}
