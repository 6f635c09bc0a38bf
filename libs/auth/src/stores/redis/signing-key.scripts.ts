import { RedisScript } from './redis-script';

/**
 * Writes signing-key entries only while the caller still holds the lock (a fenced write: a holder
 * whose lock expired mid-way changes nothing), then announces the change.
 * KEYS: 1 the keys hash, 2 the lock (one slot: `{sk}` tag).
 * ARGV: 1 lock token, 2 channel, 3 number of fields to set, then field/value pairs, then fields
 *   to delete.
 * Reply: 1, or an error when the lock is not held.
 */
export const WRITE_KEYS_SCRIPT = new RedisScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return redis.error_reply('signing-key lock not held') end
local sets = tonumber(ARGV[3])
for i = 0, sets - 1 do redis.call('HSET', KEYS[1], ARGV[4 + 2 * i], ARGV[5 + 2 * i]) end
for i = 4 + 2 * sets, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
redis.call('PUBLISH', ARGV[2], 'keys')
return 1
`);

/** Releases the lock if the caller still holds it. KEYS: 1 lock. ARGV: 1 token. */
export const UNLOCK_SCRIPT = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
