-- Give a queued conversation to an agent.
-- Must be one script: several API processes may claim the same conversation at once, and one agent may
-- claim several; a separate read and write would let two agents win or push an agent past capacity.
-- KEYS[1] conversation hash
-- KEYS[2] group queue (sorted set)
-- KEYS[3] the agent's conversation set
-- ARGV[1] conversation id
-- ARGV[2] agent username
-- ARGV[3] group the caller believes the conversation is queued in
-- ARGV[4] agent capacity (concurrent conversations)
-- ARGV[5] assigned_at (epoch seconds)
-- Returns: 1 assigned; -1 no such conversation; -2 not queued; -3 queued in another group; -4 agent at capacity
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
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
redis.call('HSET', KEYS[1], 'state', 'agent', 'agent', ARGV[2], 'assigned_at', ARGV[5])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
