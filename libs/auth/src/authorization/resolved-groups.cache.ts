import { Injectable } from '@nestjs/common';
import { AuthConfig } from '../auth-config';
import { Clock } from '../clock';

interface Entry {
  readonly groups: readonly string[];
  readonly expiresAt: number;
}

/**
 * Groups that a `GroupsResolver` returned, per subject, for `AuthConfig.groupsCacheTtl` seconds
 * (default 300; 0 turns caching off), timed by the injectable `Clock`. Bounded: past
 * `maxEntries` (10 000) the least recently used subject is dropped, so many users cannot grow it
 * without limit. Concurrent misses for one subject share one lookup.
 *
 * One provider of the module, shared by every `ClaimsGuard` instance (Nest makes one guard per
 * module that uses the decorators). Failures are never cached: the next request asks again.
 * Memberships changed in the directory are seen after at most the TTL.
 */
@Injectable()
export class ResolvedGroupsCache {
  /** Most subjects kept. Override in a subclass to change it. */
  readonly maxEntries: number = 10_000;
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<readonly string[]>>();

  constructor(
    private readonly config: AuthConfig,
    private readonly clock: Clock,
  ) {}

  /** Number of subjects cached (expired ones included until they are next looked up). */
  get size(): number {
    return this.entries.size;
  }

  /** The groups cached for `key` while fresh, else undefined. A hit counts as recent use. */
  get(key: string): readonly string[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.clock.now()) return undefined;
    this.entries.set(key, entry); // re-insert: Map order is our recency order
    return entry.groups;
  }

  /** Caches `groups` for `key` for the configured TTL (a frozen copy). */
  set(key: string, groups: readonly string[]): void {
    const ttlMs = this.config.groupsCacheTtl * 1000;
    if (!(ttlMs > 0)) return;
    this.entries.delete(key);
    this.entries.set(key, {
      groups: Object.freeze([...groups]),
      expiresAt: this.clock.now() + ttlMs,
    });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  /**
   * The cached groups for `key`, or those `load` returns — cached on success. Callers that miss
   * while a load for the same key is in flight wait for that load instead of starting another.
   */
  async getOrLoad(key: string, load: () => Promise<readonly string[]>): Promise<readonly string[]> {
    const cached = this.get(key);
    if (cached) return cached;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    // Started on the next microtask, so it is registered before `load` can settle or throw.
    const loading: Promise<readonly string[]> = Promise.resolve()
      .then(load)
      .then((groups) => {
        this.set(key, groups);
        return groups;
      })
      .finally(() => {
        if (this.pending.get(key) === loading) this.pending.delete(key);
      });
    this.pending.set(key, loading);
    return loading;
  }

  /** Forgets one subject, e.g. after you changed its memberships. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every subject. */
  clear(): void {
    this.entries.clear();
  }
}
