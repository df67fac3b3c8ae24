-- Queue a conversation for a human agent, unless it is already queued or with an agent, and answer with
-- what the customer is told (position, the group's pace) in the same round trip.
-- One script so that two handoff requests for the same conversation cannot both queue it.
-- KEYS[1] conversation hash
-- KEYS[2] group queue (sorted set scored by deadline)
-- KEYS[3] queue timeouts (sorted set scored by the time the wait ends as wait_timeout)
-- KEYS[4] the group's assignment statistics (hash)
-- KEYS[5] handoff reason counts (hash)
-- ARGV[1] conversation id
-- ARGV[2] group
-- ARGV[3] deadline (epoch seconds)
-- ARGV[4] enqueued_at (epoch seconds)
-- ARGV[5] handoff packet (JSON)
-- ARGV[6] timeout_at (epoch seconds)
-- ARGV[7] handoff reason, counted when the conversation is queued now
-- Returns {code, group it waits in, 1-based position, assign_interval}: code 1 queued now; 0 already queued
-- (unchanged; position and interval false when that is another group than ARGV[2]); -1 no such
-- conversation; -2 with an agent.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return {-1}
end
if state == 'agent' then
  return {-2}
end
local code = 0
if state ~= 'queued' then
  redis.call('HSET', KEYS[1], 'state', 'queued', 'group', ARGV[2], 'deadline', ARGV[3],
    'enqueued_at', ARGV[4], 'packet', ARGV[5])
  redis.call('HDEL', KEYS[1], 'note')
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
  redis.call('HINCRBY', KEYS[5], ARGV[7], 1)
  code = 1
end
local group = redis.call('HGET', KEYS[1], 'group')
if group ~= ARGV[2] then
  return {code, group, false, false}
end
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
return {code, group, rank + 1, redis.call('HGET', KEYS[4], 'assign_interval')}
