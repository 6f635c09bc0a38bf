/**
 * Memory of the validation cache (DESIGN V8), in its own process with `--expose-gc`:
 * `node --expose-gc dist/bench/cache-memory.js <entries>`. Prints one JSON line.
 *
 * The cache is internal (not exported from `@app/auth`), so this one measurement constructs it
 * directly. Entries are what the guard stores: the `AuthUser` that `ClaimsMapper` makes from a
 * typical token's claims, and the verifying key; tokens are token-sized strings (only their
 * digest is kept).
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ClaimsMapper } from '@app/auth';
import type { AuthUser } from '@app/auth';
import type * as Internal from '@app/auth/src/validation/validation-cache';

/** What this process reports. */
export interface CacheMemory {
  entries: number;
  heapDeltaBytes: number;
  bytesPerEntry: number;
  microsPerGet: number;
  /** After inserting 1.5 × `entries` into a cache with `maxEntries = entries`. */
  overfill: { inserted: number; maxEntries: number; size: number; bounded: boolean };
}

const gc = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc');
  // Internal, so loaded from its compiled file (this runs as dist/bench/cache-memory.js).
  const internal = join(
    __dirname,
    '..',
    'libs',
    'auth',
    'src',
    'validation',
    'validation-cache.js',
  );
  const { ValidationCache } = (await import(internal)) as typeof Internal;
  const entries = Number(process.argv[2] ?? 100_000);
  const now = Date.now();
  const mapper = new ClaimsMapper();
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = {
    kid: 'k1',
    key: publicKey,
    jwk: { kty: 'RSA', kid: 'k1' },
    keySet: { holds: () => true },
  } as unknown as Parameters<Internal.ValidationCache['set']>[2];
  // Through JSON, as a decoded payload is: every entry has strings of its own.
  const user = (i: number): AuthUser =>
    mapper.map(JSON.parse(JSON.stringify(claimsOf(i, now)))) as AuthUser;

  // The tokens are made up front and dropped after use, as request headers are.
  const tokens = Array.from({ length: entries }, tokenLike);
  const cache = new ValidationCache(300_000, entries);
  settle();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < entries; i++) cache.set(cache.keyOf(tokens[i]), user(i), key, now);
  settle();
  const heapDeltaBytes = process.memoryUsage().heapUsed - before;

  const started = process.hrtime.bigint();
  for (let i = 0; i < entries; i++) {
    if (!cache.get(cache.keyOf(tokens[i]), now)) throw new Error('cache miss');
  }
  const microsPerGet = Number(process.hrtime.bigint() - started) / 1e3 / entries;

  const inserted = Math.round(entries * 1.5);
  const bounded = new ValidationCache(300_000, entries);
  for (let i = 0; i < inserted; i++) bounded.set(bounded.keyOf(tokenLike()), user(i), key, now);

  const result: CacheMemory = {
    entries: cache.size,
    heapDeltaBytes,
    bytesPerEntry: heapDeltaBytes / entries,
    microsPerGet,
    overfill: {
      inserted,
      maxEntries: entries,
      size: bounded.size,
      bounded: bounded.size <= entries,
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function settle(): void {
  for (let i = 0; i < 3; i++) gc!();
}

/** A random string as long as a typical access token (~1 KB). */
function tokenLike(): string {
  return `eyJ${randomBytes(96).toString('base64url')}.${randomBytes(560).toString('base64url')}.${randomBytes(256).toString('base64url')}`;
}

/** The claims of a typical delegated access token, distinct per entry. */
function claimsOf(i: number, nowMs: number): Record<string, unknown> {
  const now = Math.floor(nowMs / 1000);
  return {
    iss: 'https://issuer.test/',
    aud: 'api://test-api',
    sub: `user-${i}`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    jti: randomUUID(),
    oid: randomUUID(),
    tid: randomUUID(),
    azp: randomUUID(),
    scp: 'Data.Read Data.Write',
    name: `Bench User ${i}`,
  };
}

void main();
