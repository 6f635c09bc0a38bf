import { createPublicKey, KeyObject } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';
import type { AuthEvents } from '../auth-events';
import type { Clock } from '../clock';
import { keyFitsAlgorithm, PublishedJwk, usableJwks } from './jwk-filter';

/** A key that may verify tokens: parsed once into a `KeyObject`, kept with its JWK. */
export interface VerificationKey {
  readonly kid: string;
  readonly key: KeyObject;
  readonly jwk: PublishedJwk;
  /** The key set this key came from, so cached results can tell when it went away. */
  readonly keySet: ProviderKeySet;
}

/** The answer of a key lookup. */
export type KeyLookup =
  | { status: 'found'; key: VerificationKey }
  | { status: 'unknown' }
  /** No key can be had because the endpoint is down (DESIGN V7, E7). */
  | { status: 'unavailable'; retryAfterSeconds: number };

/** Timing of one provider's key set, in ms. */
export interface KeySetSettings {
  cacheMaxAgeMs: number;
  cooldownMs: number;
  staleIfErrorMaxAgeMs: number;
  maxRefetchesPerMinute: number;
  algorithms: readonly string[];
  minRsaModulusBits: number;
}

/**
 * One provider's JWKS, cached whole (DESIGN V7). Keys are fetched through jwks-rsa (with our own
 * bounded fetcher) and parsed once. Rules:
 * - the set is fresh for `cacheMaxAge`; an expired set is refetched before it is used;
 * - an unknown kid in a fresh set refetches at most once per cooldown (and 10 a minute); inside
 *   the cooldown it is answered "unknown" at once, so a flood of random kids costs one fetch per
 *   cooldown and a genuinely new key waits at most one cooldown;
 * - concurrent callers share one fetch;
 * - when a fetch fails, last good keys keep serving (stale-if-error) and an event reports it once;
 *   with no keys at all the answer is "unavailable" (503), retried after a short back-off.
 */
export class ProviderKeySet {
  private keys = new Map<string, VerificationKey>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private failedAt = Number.NEGATIVE_INFINITY;
  private unknownKidRefetchAt = Number.NEGATIVE_INFINITY;
  private recentRefetches: number[] = [];
  private inflight?: Promise<void>;
  private reportedFailure = false;
  private readonly client: JwksClient;
  private lastUsable: PublishedJwk[] = [];

  constructor(
    readonly providerName: string,
    private readonly load: () => Promise<unknown>,
    private readonly settings: KeySetSettings,
    private readonly clock: Clock,
    private readonly events: AuthEvents,
    jwksUri = `loader:${providerName}`,
  ) {
    // jwks-rsa parses the JWKs; our fetcher adds the filtering, deadline and size cap it lacks.
    this.client = new JwksClient({
      jwksUri,
      cache: false,
      rateLimit: false,
      fetcher: async () => {
        const usable = usableJwks(
          await this.load(),
          settings.algorithms,
          settings.minRsaModulusBits,
        );
        this.lastUsable = usable;
        return { keys: usable };
      },
    });
  }

  /**
   * The answer for a `kid` the fresh set holds, without waiting; undefined when only `lookup`
   * can answer (set not fresh, or `kid` unknown to it).
   */
  peek(kid: string, alg: string): KeyLookup | undefined {
    if (!this.isFresh()) return undefined;
    const key = this.keys.get(kid);
    if (!key) return undefined;
    return keyFitsAlgorithm(key.jwk, alg) ? { status: 'found', key } : { status: 'unknown' };
  }

  /** Finds the key a token's `kid` names, fetching the set when the rules above allow. */
  async lookup(kid: string, alg: string): Promise<KeyLookup> {
    const now = this.clock.now();
    const expired = !this.isFresh(now);
    if (expired) await this.refresh(now);
    if (!this.isUsable(this.clock.now())) return this.unavailable();
    if (!this.keys.has(kid)) {
      // A set fetched during this very lookup already answered; otherwise the cooldown decides.
      if (this.inflight) await this.inflight;
      else if (!expired && this.mayRefetchForUnknownKid(this.clock.now()))
        await this.refresh(this.clock.now());
    }
    const key = this.keys.get(kid);
    if (!key) return this.isUsable(this.clock.now()) ? { status: 'unknown' } : this.unavailable();
    return keyFitsAlgorithm(key.jwk, alg) ? { status: 'found', key } : { status: 'unknown' };
  }

  /** True while the set may be used without a refetch (for cached validation results). */
  isFresh(now = this.clock.now()): boolean {
    return now - this.fetchedAt < this.settings.cacheMaxAgeMs;
  }

  /** True when `key` is still in the current, fresh set. */
  holds(key: VerificationKey, now = this.clock.now()): boolean {
    return this.isFresh(now) && this.keys.get(key.kid) === key;
  }

  /** Fresh, or stale but inside the stale-if-error window after a failed refresh. */
  private isUsable(now: number): boolean {
    if (this.keys.size === 0) return false;
    if (this.isFresh(now)) return true;
    return (
      this.failedAt >= this.fetchedAt && now - this.fetchedAt < this.settings.staleIfErrorMaxAgeMs
    );
  }

  private mayRefetchForUnknownKid(now: number): boolean {
    if (now - this.unknownKidRefetchAt < this.settings.cooldownMs) return false;
    this.recentRefetches = this.recentRefetches.filter((t) => now - t < 60_000);
    if (this.recentRefetches.length >= this.settings.maxRefetchesPerMinute) return false;
    this.unknownKidRefetchAt = now;
    this.recentRefetches.push(now);
    return true;
  }

  private refresh(now: number): Promise<void> {
    if (this.inflight) return this.inflight;
    // After a failure, wait a little before asking a struggling endpoint again.
    if (now - this.failedAt < this.retryDelayMs() && this.failedAt > this.fetchedAt)
      return Promise.resolve();
    this.inflight = this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<void> {
    try {
      const signingKeys = await this.client.getSigningKeys();
      const jwkByKid = new Map(this.lastUsable.map((jwk) => [jwk.kid, jwk]));
      const keys = new Map<string, VerificationKey>();
      for (const signingKey of signingKeys) {
        const jwk = jwkByKid.get(signingKey.kid);
        if (!jwk || keys.has(jwk.kid)) continue;
        keys.set(jwk.kid, {
          kid: jwk.kid,
          key: createPublicKey(signingKey.getPublicKey()),
          jwk,
          keySet: this,
        });
      }
      // Keep the very objects of unchanged keys, so cached results stay valid across refetches.
      for (const [kid, key] of keys) {
        const previous = this.keys.get(kid);
        if (previous && sameKey(previous.jwk, key.jwk)) keys.set(kid, previous);
      }
      this.keys = keys;
      this.fetchedAt = this.clock.now();
      this.reportedFailure = false;
      this.events.emit('jwks.fetched', { provider: this.providerName, keys: keys.size });
    } catch (error) {
      this.failedAt = this.clock.now();
      if (!this.reportedFailure) {
        this.reportedFailure = true;
        const reason = error instanceof Error ? error.message : 'unknown error';
        this.events.emit(this.keys.size ? 'jwks.stale_keys_served' : 'jwks.fetch_failed', {
          provider: this.providerName,
          reason,
        });
      }
    }
  }

  private retryDelayMs(): number {
    return Math.min(this.settings.cooldownMs, 5_000);
  }

  private unavailable(): KeyLookup {
    const waitMs = this.retryDelayMs() - (this.clock.now() - this.failedAt);
    return { status: 'unavailable', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}

function sameKey(a: PublishedJwk, b: PublishedJwk): boolean {
  return (
    a.kty === b.kty &&
    a.n === b.n &&
    a.e === b.e &&
    a.x === b.x &&
    a.y === b.y &&
    a.crv === b.crv &&
    a.alg === b.alg &&
    a.issuer === b.issuer
  );
}
