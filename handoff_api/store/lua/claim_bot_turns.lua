-- Lease conversations whose bot turns are due to this worker: their score becomes the lease's end, so no other
-- worker takes them until it passes (a worker that dies mid-turn loses its lease, and another retries the turn).
-- KEYS[1] conversations with bot turns due (sorted set)
-- ARGV[1] now (epoch seconds)
-- ARGV[2] lease end (epoch seconds)
-- ARGV[3] how many conversations at most
-- ARGV[4] optional: lease only this conversation
-- Returns: the leased conversation ids
local due
if ARGV[4] and ARGV[4] ~= '' then
  local score = redis.call('ZSCORE', KEYS[1], ARGV[4])
  due = {}
  if score and tonumber(score) <= tonumber(ARGV[1]) then
    due = {ARGV[4]}
  end
else
  due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
end
for _, conversation_id in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], conversation_id)
end
return due
