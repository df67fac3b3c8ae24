-- An agent sends their conversation back to a group queue with a note; the handoff packet stays.
-- One script so that the agent's capacity is freed exactly when the conversation is queued again.
-- KEYS[1] conversation hash
-- KEYS[2] the agent's conversation set
-- KEYS[3] the target group's queue (sorted set)
-- KEYS[4] queue timeouts (sorted set)
-- ARGV[1] conversation id
-- ARGV[2] agent username (the current owner)
-- ARGV[3] target group
-- ARGV[4] deadline (epoch seconds)
-- ARGV[5] enqueued_at (epoch seconds)
-- ARGV[6] timeout_at (epoch seconds)
-- ARGV[7] note for the next agent
-- Returns: 1 queued; -1 no such conversation; -2 not with this agent
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
if state ~= 'agent' or redis.call('HGET', KEYS[1], 'agent') ~= ARGV[2] then
  return -2
end
redis.call('HSET', KEYS[1], 'state', 'queued', 'group', ARGV[3], 'deadline', ARGV[4], 'enqueued_at', ARGV[5],
  'note', ARGV[7])
redis.call('HDEL', KEYS[1], 'agent', 'assigned_at')
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
return 1
