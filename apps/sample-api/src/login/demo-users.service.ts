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
 * at start-up (in parallel, off the event loop), compared with `timingSafeEqual`. Only hashes
 * are kept in memory, never the password.
 */
@Injectable()
export class DemoUsersService implements OnModuleInit {
  private readonly records = new Map<string, PasswordRecord>();
  /** Checked against for unknown users, so they cost as much as known ones. */
  private decoy?: PasswordRecord;

  constructor(@Inject(SAMPLE_SETTINGS) private readonly settings: SampleSettings) {}

  async onModuleInit(): Promise<void> {
    const password = this.settings.demoPassword;
    const entries = await Promise.all(
      [...DEMO_USERS.map((u) => u.username), '\0decoy'].map(async (username) => {
        const salt = randomBytes(16);
        return [username, { salt, hash: await hashPassword(password, salt) }] as const;
      }),
    );
    for (const [username, record] of entries) {
      if (username === '\0decoy') this.decoy = record;
      else this.records.set(username, record);
    }
  }

  /** The demo users (without any secret). */
  list(): readonly DemoUser[] {
    return DEMO_USERS;
  }

  /**
   * @returns the user when `username` and `password` match, else undefined — taking the same
   *   work for an unknown user as for a wrong password.
   */
  async verify(username: string, password: string): Promise<DemoUser | undefined> {
    const record = this.records.get(username);
    const against = record ?? this.decoy;
    if (!against) throw new Error('DemoUsersService: not initialised');
    const hash = await hashPassword(password, against.salt);
    const same = timingSafeEqual(hash, against.hash);
    return same && record ? DEMO_USERS.find((u) => u.username === username) : undefined;
  }
}
