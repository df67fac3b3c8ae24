-- Give a queued conversation to an agent: used by the dispatcher and by an agent claiming by hand.
-- Must be one script: several API processes may assign the same conversation at once, and one agent may
-- receive several; a separate read and write would let two agents win or push an agent past capacity.
-- KEYS[1] conversation hash
-- KEYS[2] group queue (sorted set)
-- KEYS[3] the agent's conversation set
-- KEYS[4] the agent's presence (string)
-- KEYS[5] queue timeouts (sorted set)
-- KEYS[6] outcome log (stream)
-- KEYS[7] outcome counts (hash)
-- KEYS[8] the group's assignment statistics (hash)
-- ARGV[1] conversation id
-- ARGV[2] agent username
-- ARGV[3] group the caller believes the conversation is queued in
-- ARGV[4] agent capacity (concurrent conversations)
-- ARGV[5] now (epoch seconds)
-- ARGV[6] '1' when the agent must be online (automatic assignment), '0' for a claim by hand
-- ARGV[7] smoothing weight of the newest assignment interval (0..1]
-- Returns: 1 assigned; 2 already with this agent (a claim that lost the race to the dispatcher giving it to
--          the same agent, or a double click); -1 no such conversation; -2 not queued; -3 queued in another
--          group; -4 agent at capacity; -5 agent not online
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
if state == 'agent' and redis.call('HGET', KEYS[1], 'agent') == ARGV[2] then
  return 2
end
if state ~= 'queued' then
  return -2
end
if redis.call('HGET', KEYS[1], 'group') ~= ARGV[3] then
  return -3
end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[4]) then
  return -4
end
if ARGV[6] == '1' and redis.call('GET', KEYS[4]) ~= 'online' then
  return -5
end
local now = tonumber(ARGV[5])
-- The interval counts only time with someone waiting: from the later of the group's previous assignment
-- and this conversation's enqueueing. Its moving average drives the wait estimate.
local since = tonumber(redis.call('HGET', KEYS[1], 'enqueued_at')) or now
local last = tonumber(redis.call('HGET', KEYS[8], 'last_assigned_at'))
if last and last > since then
  since = last
end
local interval = math.max(now - since, 0)
local average = tonumber(redis.call('HGET', KEYS[8], 'assign_interval'))
if average then
  interval = average + tonumber(ARGV[7]) * (interval - average)
end
redis.call('HSET', KEYS[8], 'last_assigned_at', ARGV[5], 'assign_interval', tostring(interval))
redis.call('HSET', KEYS[1], 'state', 'agent', 'agent', ARGV[2], 'assigned_at', ARGV[5])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
record_outcome(KEYS[6], KEYS[7], ARGV[1], 'assigned', ARGV[3], ARGV[2], ARGV[5])
return 1
