-- Hand a conversation back from its agent to the bot, freeing the agent's capacity.
-- One script so that a close racing another close (or a transfer) frees capacity exactly once.
-- KEYS[1] conversation hash
-- KEYS[2] the agent's conversation set
-- ARGV[1] conversation id
-- ARGV[2] agent username
-- Returns: 1 released; -1 no such conversation; -2 not with this agent
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
if state ~= 'agent' or redis.call('HGET', KEYS[1], 'agent') ~= ARGV[2] then
  return -2
end
redis.call('HSET', KEYS[1], 'state', 'bot')
redis.call('HDEL', KEYS[1], 'agent', 'group', 'deadline', 'enqueued_at', 'assigned_at', 'packet')
redis.call('SREM', KEYS[2], ARGV[1])
return 1
