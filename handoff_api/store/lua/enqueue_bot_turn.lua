-- Queue a turn the handoff service itself asks of the bot (the external intent that ends a handoff), behind the
-- customer's own pending turns.
-- KEYS[1] the conversation's pending bot turns (list)
-- KEYS[2] conversations with bot turns due (sorted set)
-- ARGV[1] conversation id
-- ARGV[2] now (epoch seconds)
-- ARGV[3] TTL of the pending-turn list (seconds)
-- ARGV[4] the turn (JSON: message_id, text, is_payload)
-- Returns: the number of pending turns
local pending = redis.call('RPUSH', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
return pending
