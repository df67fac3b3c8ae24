-- Set or refresh an agent's presence and keep the indexes of online agents in step with it, so "who is
-- online" is one sorted-set read instead of one key per configured agent, and "is anyone online in this
-- group" is one count.
-- KEYS[1] the agent's presence (string with TTL)
-- KEYS[2] online agents (sorted set: username scored by the time their presence expires)
-- KEYS[3..] each seat group's online agents (same form)
-- ARGV[1] username
-- ARGV[2] status to set (PresenceStatus), or '' to refresh: keep the current one, a missing one becomes online
-- ARGV[3] TTL (seconds)
-- ARGV[4] now (epoch seconds)
-- ARGV[5..] for each of KEYS[3..]: '1' if the agent takes conversations of that group, else '0'
-- Returns the status now held.
local status = ARGV[2]
if status == '' then
  status = redis.call('GET', KEYS[1]) or 'online'
end
redis.call('SET', KEYS[1], status, 'EX', ARGV[3])
local expires_at = tonumber(ARGV[4]) + tonumber(ARGV[3])
for i = 2, #KEYS do
  local indexed = i == 2 or ARGV[i + 2] == '1'
  if status == 'online' and indexed then
    redis.call('ZADD', KEYS[i], expires_at, ARGV[1])
  else
    redis.call('ZREM', KEYS[i], ARGV[1])
  end
  -- Entries whose presence has expired since: their keys are gone, so drop them from the index too.
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[4])
end
return status
