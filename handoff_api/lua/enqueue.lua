-- Queue a conversation for a human agent, unless it is already queued or with an agent.
-- One script so that two handoff requests for the same conversation cannot both queue it.
-- KEYS[1] conversation hash
-- KEYS[2] group queue (sorted set scored by deadline)
-- KEYS[3] queue timeouts (sorted set scored by the time the wait ends as wait_timeout)
-- ARGV[1] conversation id
-- ARGV[2] group
-- ARGV[3] deadline (epoch seconds)
-- ARGV[4] enqueued_at (epoch seconds)
-- ARGV[5] handoff packet (JSON)
-- ARGV[6] timeout_at (epoch seconds)
-- Returns: 1 queued now; 0 already queued (unchanged); -1 no such conversation; -2 with an agent
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
if state == 'queued' then
  return 0
end
if state == 'agent' then
  return -2
end
redis.call('HSET', KEYS[1], 'state', 'queued', 'group', ARGV[2], 'deadline', ARGV[3],
  'enqueued_at', ARGV[4], 'packet', ARGV[5])
redis.call('HDEL', KEYS[1], 'note')
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
return 1
