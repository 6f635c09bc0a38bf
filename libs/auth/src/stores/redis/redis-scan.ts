import type { RedisConnection } from './redis-connection';

/** Keys read per SCAN step (and GETs per pipeline). */
const BATCH = 500;

/** Escapes the glob characters of a SCAN `MATCH` pattern (`* ? [ ] \`), so a prefix is literal. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Every `[key, value]` of string keys matching `pattern`, on every master of a cluster. Values are
 * read per node in a pipeline of GETs (MGET would fail across slots); keys that expire between
 * the SCAN and the GET are left out.
 */
export async function scanValues(
  connection: RedisConnection,
  pattern: string,
): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const node of connection.scanTargets()) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', BATCH);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.get(key);
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([error, value], i) => {
        if (!error && typeof value === 'string') out.push([keys[i], value]);
      });
    } while (cursor !== '0');
  }
  return out;
}
