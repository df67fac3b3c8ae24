-- Set or refresh an agent's presence and keep the index of online agents in step with it, so "who is
-- online" is one sorted-set read instead of one key per configured agent.
-- KEYS[1] the agent's presence (string with TTL)
-- KEYS[2] online agents (sorted set: username scored by the time their presence expires)
-- ARGV[1] username
-- ARGV[2] status to set (PresenceStatus), or '' to refresh: keep the current one, a missing one becomes online
-- ARGV[3] TTL (seconds)
-- ARGV[4] now (epoch seconds)
-- Returns the status now held.
local status = ARGV[2]
if status == '' then
  status = redis.call('GET', KEYS[1]) or 'online'
end
redis.call('SET', KEYS[1], status, 'EX', ARGV[3])
if status == 'online' then
  redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[3]), ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
-- Entries whose presence has expired since: their keys are gone, so drop them from the index too.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
return status
