-- Hand a conversation back from its agent to the bot, freeing the agent's capacity.
-- One script so that a close racing another close (or a transfer) frees capacity exactly once.
-- KEYS[1] conversation hash
-- KEYS[2] the agent's conversation set
-- KEYS[3] outcome log (stream)
-- KEYS[4] outcome counts (hash)
-- KEYS[5] the statistics of the conversation's group (hash): handle_seconds, handle_samples
-- ARGV[1] conversation id
-- ARGV[2] agent username
-- ARGV[3] now (epoch seconds)
-- ARGV[4] weight of this handling time in the group's moving average (0..1]
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
local assigned_at = tonumber(redis.call('HGET', KEYS[1], 'assigned_at'))
if assigned_at then
  -- The handling time behind the wait estimate: A = (1 - w) * A' + w * W.
  local handled = math.max(tonumber(ARGV[3]) - assigned_at, 0)
  local average = tonumber(redis.call('HGET', KEYS[5], 'handle_seconds'))
  if average then
    handled = average + tonumber(ARGV[4]) * (handled - average)
  end
  redis.call('HSET', KEYS[5], 'handle_seconds', tostring(handled))
  redis.call('HINCRBY', KEYS[5], 'handle_samples', 1)
end
redis.call('HSET', KEYS[1], 'state', 'bot')
redis.call('HDEL', KEYS[1], 'agent', 'group', 'deadline', 'enqueued_at', 'assigned_at', 'packet', 'note')
redis.call('SREM', KEYS[2], ARGV[1])
return 1
