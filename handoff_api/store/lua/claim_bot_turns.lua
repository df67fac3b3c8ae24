-- Lease conversations whose bot turns are due to this worker: their score becomes the lease's end, so no other
-- worker takes them until it passes (a worker that dies mid-turn loses its lease, and another retries the turn).
-- KEYS[1] conversations with bot turns due (sorted set)
-- ARGV[1] now (epoch seconds)
-- ARGV[2] lease end (epoch seconds)
-- ARGV[3] how many conversations at most
-- Returns: the leased conversation ids
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, conversation_id in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], conversation_id)
end
return due
