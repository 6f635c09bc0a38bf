/** Ids the store accepts: base64url, as the codec makes them (RT17). Anything else is unknown. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** True for a family or token id that can name keys (no `{`/`}`, so the hash tag holds). */
export function isStoreId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

/**
 * The refresh-token key layout of RT16 under a prefix (default `auth:`). Every key of one family
 * carries the hash tag `{<fid>}`, so they share one Cluster slot and one Lua script can touch
 * them all; the per-subject index lives elsewhere and is updated after the script.
 */
export class RefreshKeys {
  constructor(private readonly prefix: string) {}

  /** HASH `sub clientId scope claims createdAt absExp lastUsedAt currentTid state`. */
  family(fid: string): string {
    return `${this.prefix}rt:{${fid}}:fam`;
  }

  /** HASH `h parentTid issuedAt state rotatedAt next` (`next`: the successor's tid, once rotated). */
  token(fid: string, tid: string): string {
    return `${this.prefix}rt:{${fid}}:t:${tid}`;
  }

  /** STRING: the sealed successor of `tid`, `PX` = grace (design choice 2). */
  successor(fid: string, tid: string): string {
    return `${this.prefix}rt:{${fid}}:succ:${tid}`;
  }

  /** ZSET of the subject's fids scored by `createdAt`: the session index (RT13, RT20). */
  subject(subject: string): string {
    return `${this.prefix}rt:sub:${subject}`;
  }
}
