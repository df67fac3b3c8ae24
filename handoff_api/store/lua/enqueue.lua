-- Queue a conversation for a human agent, unless it is already queued or with an agent, or nobody who could
-- ever take it is online; answer with the customer's position in the same round trip. One script so that two handoff requests for the same conversation cannot both queue it, and
-- so that the last agent going offline cannot slip between the check and the queueing.
-- KEYS[1] conversation hash
-- KEYS[2] group queue (sorted set scored by deadline)
-- KEYS[3] queue timeouts (sorted set scored by the time the wait ends as wait_timeout)
-- KEYS[4] handoff reason counts (hash)
-- KEYS[5] online agents (sorted set scored by presence expiry), for the designated secretary
-- KEYS[6..] online agents of each group that could ever take the conversation, its own group first
-- ARGV[1] conversation id
-- ARGV[2] group
-- ARGV[3] deadline (epoch seconds)
-- ARGV[4] enqueued_at (epoch seconds), also "now" for presence
-- ARGV[5] handoff packet (JSON)
-- ARGV[6] timeout_at (epoch seconds)
-- ARGV[7] handoff reason, counted when the conversation is queued now or nobody is online for it
-- ARGV[8] the customer's designated secretary, or ''
-- Returns {code, group it waits in, 1-based position}: code 1 queued now; 0 already queued (unchanged; the
-- position false when that is another group than ARGV[2]); -1 no such conversation; -2 with an agent; -3
-- nobody online could take it (not queued).
local function anyone_online()
  local now = tonumber(ARGV[4])
  if ARGV[8] ~= '' then
    local expires_at = redis.call('ZSCORE', KEYS[5], ARGV[8])
    if expires_at and tonumber(expires_at) >= now then
      return true
    end
  end
  for i = 6, #KEYS do
    if redis.call('ZCOUNT', KEYS[i], ARGV[4], '+inf') > 0 then
      return true
    end
  end
  return false
end

local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return {-1}
end
if state == 'agent' then
  return {-2}
end
local code = 0
if state ~= 'queued' then
  redis.call('HINCRBY', KEYS[4], ARGV[7], 1)
  if not anyone_online() then
    return {-3}
  end
  redis.call('HSET', KEYS[1], 'state', 'queued', 'group', ARGV[2], 'deadline', ARGV[3],
    'enqueued_at', ARGV[4], 'packet', ARGV[5])
  redis.call('HDEL', KEYS[1], 'note')
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
  code = 1
end
local group = redis.call('HGET', KEYS[1], 'group')
if group ~= ARGV[2] then
  return {code, group, false}
end
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
return {code, group, rank + 1}
