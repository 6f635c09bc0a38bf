import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { ADMIN_GROUP_ID, SCOPES } from '../sample.constants';
import type { SampleSettings } from '../settings/sample-settings';
import { SAMPLE_SETTINGS } from '../settings/settings.provider';

/** A demo user of the sample. */
export interface DemoUser {
  readonly username: string;
  readonly name: string;
  /** The scopes their tokens carry. */
  readonly scopes: readonly string[];
  /** Their group ids (the `groups` claim). */
  readonly groups: readonly string[];
}

/** The demo users; every one has the password `DEMO_PASSWORD` (default `demo-password`). */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'alice', name: 'Alice', scopes: [SCOPES.read, SCOPES.write], groups: [] },
  { username: 'bob', name: 'Bob', scopes: [SCOPES.read], groups: [] },
  { username: 'carol', name: 'Carol', scopes: [SCOPES.read], groups: [ADMIN_GROUP_ID] },
];

/** scrypt cost: N = 2^15, r = 8, p = 1 — about 32 MiB and tens of milliseconds per hash. */
const SCRYPT: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

interface PasswordRecord {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function hashPassword(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, SCRYPT, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * The demo users and their password hashes: scrypt with a random 16-byte salt per user, hashed
 * at start-up off the event loop and without holding the start-up up (a login that comes first
 * waits for them), compared with `timingSafeEqual`. Only hashes are kept, never the password.
 */
@Injectable()
export class DemoUsersService implements OnModuleInit {
  private records?: Promise<ReadonlyMap<string, PasswordRecord>>;
  /** Checked against for unknown users, so they cost one hash like known ones; never matches. */
  private readonly decoy: PasswordRecord = { salt: randomBytes(16), hash: randomBytes(KEY_LENGTH) };

  constructor(@Inject(SAMPLE_SETTINGS) private readonly settings: SampleSettings) {}

  /** Starts hashing the demo password for every user; does not wait for it. */
  onModuleInit(): void {
    // A failure (there is none to expect) reaches the first login, not the process.
    this.hashes().catch(() => undefined);
  }

  /** The demo users (without any secret). */
  list(): readonly DemoUser[] {
    return DEMO_USERS;
  }

  /**
   * @returns the user when `username` and `password` match, else undefined — doing the same
   *   work for an unknown user as for a wrong password.
   */
  async verify(username: string, password: string): Promise<DemoUser | undefined> {
    const record = (await this.hashes()).get(username);
    const against = record ?? this.decoy;
    const hash = await hashPassword(password, against.salt);
    const same = timingSafeEqual(hash, against.hash);
    return same && record ? DEMO_USERS.find((u) => u.username === username) : undefined;
  }

  private hashes(): Promise<ReadonlyMap<string, PasswordRecord>> {
    this.records ??= Promise.all(
      DEMO_USERS.map(async ({ username }) => {
        const salt = randomBytes(16);
        const hash = await hashPassword(this.settings.demoPassword, salt);
        return [username, { salt, hash }] as const;
      }),
    ).then((entries) => new Map(entries));
    return this.records;
  }
}
