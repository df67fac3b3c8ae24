-- Hand a conversation back from its agent to the bot, freeing the agent's capacity.
-- One script so that a close racing another close (or a transfer) frees capacity exactly once.
-- KEYS[1] conversation hash
-- KEYS[2] the agent's conversation set
-- KEYS[3] outcome log (stream)
-- KEYS[4] outcome counts (hash)
-- ARGV[1] conversation id
-- ARGV[2] agent username
-- ARGV[3] now (epoch seconds)
-- Returns: 1 released; -1 no such conversation; -2 not with this agent
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
if state ~= 'agent' or redis.call('HGET', KEYS[1], 'agent') ~= ARGV[2] then
  return -2
end
record_outcome(KEYS[3], KEYS[4], ARGV[1], 'resolved', redis.call('HGET', KEYS[1], 'group') or '', ARGV[2],
  ARGV[3])
redis.call('HSET', KEYS[1], 'state', 'bot')
redis.call('HDEL', KEYS[1], 'agent', 'group', 'deadline', 'enqueued_at', 'assigned_at', 'packet', 'note')
redis.call('SREM', KEYS[2], ARGV[1])
return 1
