-- End a wait without an agent and give the conversation back to the bot: the customer cancelled, or the
-- queue timeout passed. One script so that it cannot race an assignment: exactly one of them wins.
-- KEYS[1] conversation hash
-- KEYS[2] group queue (sorted set)
-- KEYS[3] queue timeouts (sorted set)
-- KEYS[4] outcome log (stream)
-- KEYS[5] outcome counts (hash)
-- ARGV[1] conversation id
-- ARGV[2] group the caller believes the conversation is queued in
-- ARGV[3] outcome (cancelled | wait_timeout)
-- ARGV[4] now (epoch seconds)
-- ARGV[5] '1' to end it only if its queue timeout is due (the timeout sweep), '0' otherwise
-- Returns: 1 ended; -1 no such conversation; -2 not queued; -3 queued in another group; -4 not due yet
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return -1
end
if state ~= 'queued' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return -2
end
if redis.call('HGET', KEYS[1], 'group') ~= ARGV[2] then
  return -3
end
if ARGV[5] == '1' and tonumber(redis.call('ZSCORE', KEYS[3], ARGV[1]) or 'inf') > tonumber(ARGV[4]) then
  return -4
end
record_outcome(KEYS[4], KEYS[5], ARGV[1], ARGV[3], ARGV[2], '', ARGV[4])
redis.call('HSET', KEYS[1], 'state', 'bot')
redis.call('HDEL', KEYS[1], 'group', 'deadline', 'enqueued_at', 'packet', 'note')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
