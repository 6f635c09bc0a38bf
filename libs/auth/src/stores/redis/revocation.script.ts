import { RedisScript } from './redis-script';

/**
 * Records one revocation and announces it, in one atomic step (K3, K4): either every instance
 * can learn it (the key for a resync, the message for the live view) or nothing happened.
 *
 * KEYS[1] the entry (`<prefix>rv:jti:<id>`, `rv:sid:<id>` or `rv:sub:<subject>`)
 * ARGV[1] expiresAt, epoch s    ARGV[2] notBefore, epoch s ('' for jti/sid)
 * ARGV[3] the caller's now, ms  ARGV[4] channel  ARGV[5] message
 *
 * The value is `<notBefore>:<expiresAt>`; an existing entry keeps the later of each (a
 * revocation never shrinks). The key expires when the tokens it refuses would have (K4): the TTL
 * is counted from the caller's clock, as every decision of the module is. Returns 1 when stored,
 * 0 when already expired (nothing to refuse, nothing announced).
 */
export const REVOKE_SCRIPT = new RedisScript(`
local exp = tonumber(ARGV[1])
local nbf = ARGV[2]
local old = redis.call('GET', KEYS[1])
if old then
  local oldNbf, oldExp = string.match(old, '^(%d*):(%d+)$')
  if oldExp and tonumber(oldExp) > exp then exp = tonumber(oldExp) end
  if nbf ~= '' and oldNbf and oldNbf ~= '' and tonumber(oldNbf) > tonumber(nbf) then nbf = oldNbf end
end
local ttl = exp * 1000 - tonumber(ARGV[3])
if ttl <= 0 then return 0 end
redis.call('SET', KEYS[1], nbf .. ':' .. string.format('%d', exp), 'PX', ttl)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`);
