-- An agent hands their conversation straight to another agent with a note.
-- One script so that the target's capacity check and the move cannot interleave with an assignment.
-- KEYS[1] conversation hash
-- KEYS[2] the current agent's conversation set
-- KEYS[3] the target agent's conversation set
-- KEYS[4] the target agent's presence (string)
-- ARGV[1] conversation id
-- ARGV[2] current agent username
-- ARGV[3] target agent username
-- ARGV[4] target agent capacity
-- ARGV[5] now (epoch seconds)
-- ARGV[6] note for the target agent
-- Returns: 1 moved; -1 no such conversation; -2 not with the current agent; -4 target at capacity;
--          -5 target not online
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
if state ~= 'agent' or redis.call('HGET', KEYS[1], 'agent') ~= ARGV[2] then
  return -2
end
if redis.call('GET', KEYS[4]) ~= 'online' then
  return -5
end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[4]) then
  return -4
end
redis.call('HSET', KEYS[1], 'agent', ARGV[3], 'assigned_at', ARGV[5], 'note', ARGV[6])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
