import type { SigningKey, SigningKeyState, SigningKeyStatus } from './signing-key-source';

/** Schedule settings of a key ring, ms. */
export interface KeyRingTiming {
  /** How long a key is published before it signs (RT23). */
  readonly prePublishMs: number;
  /** How long a retired key stays published (RT24). */
  readonly retireAfterMs: number;
}

interface Entry {
  readonly key: SigningKey;
  readonly publishedAt: number;
  activatesAt: number;
  revokedAt?: number;
}

/**
 * The schedule of a set of signing keys (RT23, RT24), computed from time alone so that every
 * instance holding the same keys and activation times agrees, and tests move through it with
 * `Clock`:
 * - `pending` until `activatesAt`;
 * - `active` from then until a later key activates (exactly one key is active: the latest
 *   activated one that was not revoked);
 * - `retired` from the successor's activation for `retireAfterMs`, then `removed`;
 * - `removed` at once when revoked.
 */
export class SigningKeyRing {
  private readonly entries: Entry[] = [];

  constructor(private readonly timing: KeyRingTiming) {}

  /** Adds a key published at `publishedAt`, signing from `activatesAt` (epoch ms). */
  add(key: SigningKey, publishedAt: number, activatesAt: number): void {
    if (this.entries.some((e) => e.key.kid === key.kid)) return;
    this.entries.push({ key, publishedAt, activatesAt });
    this.entries.sort((a, b) => a.activatesAt - b.activatesAt);
  }

  /** The one key that signs at `now`, if any. */
  active(now: number): SigningKey | undefined {
    return this.entries.find((e) => this.stateOf(e, now) === 'active')?.key;
  }

  /** Pending, active and retired keys at `now`, newest first. */
  published(now: number): SigningKey[] {
    return this.entries
      .filter((e) => this.stateOf(e, now) !== 'removed')
      .reverse()
      .map((e) => e.key);
  }

  /** True when a key is waiting to take over. */
  hasPending(now: number): boolean {
    return this.entries.some((e) => this.stateOf(e, now) === 'pending');
  }

  /** When the newest key started (or starts) signing; undefined for an empty ring. */
  newestActivation(): number | undefined {
    const live = this.entries.filter((e) => e.revokedAt === undefined);
    return live.length ? live[live.length - 1].activatesAt : undefined;
  }

  /**
   * `keys.rotateEvery`: when the successor must start signing, if it is time to make it now —
   * `prePublishMs` before the newest key has signed for `rotateEveryMs`, and none is pending.
   */
  rotationDue(now: number, rotateEveryMs: number, prePublishMs: number): number | undefined {
    const newest = this.newestActivation();
    if (newest === undefined || this.hasPending(now)) return undefined;
    const due = newest + rotateEveryMs;
    return now < due - prePublishMs ? undefined : due;
  }

  /**
   * RT24: removes the key at once. When it was active, the earliest pending key takes over at
   * once (verifiers fetch an unknown kid, so skipping the pre-publication costs one refetch).
   * Returns true when the ring now has no active key, so the caller must supply one.
   */
  revoke(kid: string, now: number): boolean {
    const entry = this.entries.find((e) => e.key.kid === kid);
    if (!entry || entry.revokedAt !== undefined) return this.active(now) === undefined;
    const wasActive = this.stateOf(entry, now) === 'active';
    entry.revokedAt = now;
    if (wasActive) {
      const next = this.entries.find((e) => this.stateOf(e, now) === 'pending');
      if (next) {
        next.activatesAt = now;
        this.entries.sort((a, b) => a.activatesAt - b.activatesAt);
      }
    }
    return this.active(now) === undefined;
  }

  /** The schedule of every key, newest first. */
  status(now: number): SigningKeyStatus[] {
    return [...this.entries].reverse().map((e) => {
      const retiredAt = this.retiredAt(e, now);
      const removesAt =
        e.revokedAt ??
        (retiredAt === undefined ? undefined : retiredAt + this.timing.retireAfterMs);
      return {
        kid: e.key.kid,
        alg: e.key.alg,
        state: this.stateOf(e, now),
        publishedAt: e.publishedAt,
        activatesAt: e.activatesAt,
        retiredAt,
        removesAt,
      };
    });
  }

  private stateOf(entry: Entry, now: number): SigningKeyState {
    if (entry.revokedAt !== undefined && entry.revokedAt <= now) return 'removed';
    if (now < entry.activatesAt) return 'pending';
    const retiredAt = this.retiredAt(entry, now);
    if (retiredAt === undefined) return 'active';
    return now < retiredAt + this.timing.retireAfterMs ? 'retired' : 'removed';
  }

  /**
   * When a later key took over: the first later activation, by a key that was not revoked before
   * it activated (a key revoked while pending never took over anything).
   */
  private retiredAt(entry: Entry, now: number): number | undefined {
    for (const other of this.entries) {
      if (other === entry || other.activatesAt < entry.activatesAt || other.activatesAt > now)
        continue;
      if (
        other.activatesAt === entry.activatesAt &&
        this.entries.indexOf(other) < this.entries.indexOf(entry)
      ) {
        continue;
      }
      if (other.revokedAt !== undefined && other.revokedAt < other.activatesAt) continue;
      return other.activatesAt;
    }
    return undefined;
  }
}
