import { FAMILY_FIELDS } from './refresh-family.codec';
import { RedisScript } from './redis-script';

// Times are epoch ms from the caller's Clock, passed as decimal strings and written back as the
// same strings (never a Lua-formatted number). TTLs are `absExp − now` on the caller's clock:
// the same instant as PEXPIREAT absExp when clocks agree, and still right under a test clock.

/** Lua: the family hash's fields in `FAMILY_FIELDS` order, then a helper replying with them. */
const FAMILY = `
local FIELDS = {${FAMILY_FIELDS.map((f) => `'${f}'`).join(', ')}}
-- RT18: refuse to write when run after the caller's deadline (a slow Redis working through a
-- backlog): the caller has answered 503 already. ARGV[deadlineArg] is Redis-clock ms, 0 = none.
local function late(deadlineArg)
  local deadline = tonumber(ARGV[deadlineArg])
  if deadline == 0 then return false end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > deadline
end
local function reply(outcome, reason, ciphertext)
  local out = {outcome, reason, ciphertext}
  local values = redis.call('HMGET', KEYS[1], unpack(FIELDS))
  for i = 1, #FIELDS do out[#out + 1] = values[i] end
  return out
end
`;

/**
 * RT14: the one atomic rotation, deciding rotated / grace / reuse / invalid and writing in the
 * same step. Steps as `RefreshTokenStore.rotate` documents them.
 *
 * KEYS: 1 family hash, 2 presented token hash, 3 successor token hash, 4 presented token's
 *   sealed successor.
 * ARGV: 1 presented tid, 2 presented secret hash, 3 successor tid, 4 successor secret hash,
 *   5 ciphertext ('' = none), 6 now, 7 graceMs, 8 idleTtlMs, 9 write deadline (Redis ms, 0 = none).
 * Reply: {outcome, reason, ciphertext, <family fields…>}; outcome `late` when past the deadline
 *   (nothing read or written).
 *
 * The secret-hash comparison cannot be constant-time in Lua. What is compared is the base64url
 * SHA-256 of a 32-byte random secret against the stored SHA-256, both fixed-length; and it is
 * compared as SHA-1 of each (`redis.sha1hex`), so how long the comparison takes depends on
 * digests of digests that a caller cannot steer byte by byte. Even a full leak of the stored
 * value would give nothing: it is a hash of 256 random bits, not a usable token (RT17).
 */
export const ROTATE_SCRIPT = new RedisScript(`${FAMILY}
if late(9) then return {'late', '', ''} end
local now = tonumber(ARGV[6])
local grace = tonumber(ARGV[7])
if redis.call('EXISTS', KEYS[1]) == 0 then return {'invalid', 'unknown', ''} end
local t = redis.call('HMGET', KEYS[2], 'h', 'state', 'issuedAt', 'rotatedAt', 'next')
if not t[1] then return {'invalid', 'unknown', ''} end
if redis.sha1hex(t[1]) ~= redis.sha1hex(ARGV[2]) then return {'invalid', 'mismatch', ''} end
local f = redis.call('HMGET', KEYS[1], 'state', 'absExp', 'currentTid')
local absExp = tonumber(f[2])
if f[1] == 'revoked' then return reply('invalid', 'revoked', '') end
if now >= absExp then return reply('invalid', 'expired', '') end
if t[2] == 'current' then
  if now >= tonumber(t[3]) + tonumber(ARGV[8]) then return reply('invalid', 'expired', '') end
  if redis.call('EXISTS', KEYS[3]) == 1 then
    return redis.error_reply('refresh token id collision')
  end
  redis.call('HSET', KEYS[2], 'state', 'rotated', 'rotatedAt', ARGV[6], 'next', ARGV[3])
  redis.call('HSET', KEYS[3], 'h', ARGV[4], 'parentTid', ARGV[1], 'issuedAt', ARGV[6],
    'state', 'current')
  redis.call('PEXPIRE', KEYS[3], absExp - now)
  if ARGV[5] ~= '' and grace > 0 then
    redis.call('SET', KEYS[4], ARGV[5], 'PX', math.min(grace, absExp - now))
  end
  redis.call('HSET', KEYS[1], 'currentTid', ARGV[3], 'lastUsedAt', ARGV[6])
  return reply('rotated', '', '')
end
-- Consumed before. RT8: inside the window, while its successor is still the current token
-- (current.parentTid = this tid, i.e. this token's next = the family's current), replay it.
if grace > 0 and t[4] and now < tonumber(t[4]) + grace and t[5] and f[3] == t[5] then
  local sealed = redis.call('GET', KEYS[4])
  if sealed then return reply('grace', '', sealed) end
end
-- RT9: reuse outside the window, or an older ancestor: the whole family goes.
redis.call('HSET', KEYS[1], 'state', 'revoked')
redis.call('DEL', KEYS[4])
return reply('reuse', '', '')
`);

/**
 * Writes a family and its first token, all or nothing.
 * KEYS: 1 family hash, 2 first token hash.
 * ARGV: 1 sub, 2 clientId, 3 scope, 4 claims JSON, 5 createdAt, 6 absExp, 7 tid, 8 secret hash,
 *   9 write deadline (Redis ms, 0 = none).
 */
export const CREATE_FAMILY_SCRIPT = new RedisScript(`${FAMILY}
if late(9) then return redis.error_reply('LATE past the write deadline') end
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('refresh family id collision') end
local ttl = tonumber(ARGV[6]) - tonumber(ARGV[5])
if ttl <= 0 then return redis.error_reply('refresh family already past its absolute expiry') end
redis.call('HSET', KEYS[1], 'sub', ARGV[1], 'clientId', ARGV[2], 'scope', ARGV[3],
  'claims', ARGV[4], 'createdAt', ARGV[5], 'absExp', ARGV[6], 'lastUsedAt', ARGV[5],
  'currentTid', ARGV[7], 'state', 'active')
redis.call('HSET', KEYS[2], 'h', ARGV[8], 'issuedAt', ARGV[5], 'state', 'current')
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
`);

/**
 * Marks a family revoked (idempotent). A family past its absolute expiry counts as gone, as if
 * its keys had expired already.
 * KEYS: 1 family hash. ARGV: 1 now.
 * Reply: nil when unknown, else {state before, <family fields…>} with `state` = revoked.
 */
export const REVOKE_FAMILY_SCRIPT = new RedisScript(`${FAMILY}
local f = redis.call('HMGET', KEYS[1], 'state', 'absExp')
if not f[1] or tonumber(ARGV[1]) >= tonumber(f[2]) then return false end
if f[1] ~= 'revoked' then redis.call('HSET', KEYS[1], 'state', 'revoked') end
return reply(f[1], '', '')
`);

/**
 * Adds a family to its subject's index and keeps the index alive as long as its longest-lived
 * family (K4). Returns the index, oldest first.
 * KEYS: 1 the subject's ZSET. ARGV: 1 createdAt (score), 2 fid, 3 TTL ms.
 */
export const INDEX_ADD_SCRIPT = new RedisScript(`
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
local current = redis.call('PTTL', KEYS[1])
if current == -1 or current < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`);
