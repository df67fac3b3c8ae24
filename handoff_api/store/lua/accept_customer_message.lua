-- Store a customer message and, while the bot owns the conversation, queue it as the bot's next turn.
-- One script: a message stored but never queued (a crash in between) would never be answered, and the owner
-- must be read in the same step, so a message is never sent to the bot after an agent took the conversation.
-- KEYS[1] conversation hash
-- KEYS[2] message stream
-- KEYS[3] payloads the bot offered in the conversation (set)
-- KEYS[4] the conversation's pending bot turns (list)
-- KEYS[5] conversations with bot turns due (sorted set)
-- ARGV[1] conversation id
-- ARGV[2] now (epoch seconds)
-- ARGV[3] TTL of the pending-turn list (seconds)
-- ARGV[4] text for the bot: the button payload the customer clicked, or the text they typed
-- ARGV[5] '1' when ARGV[4] is a button payload (accepted only if the bot offered it)
-- ARGV[6] the conversation hash field that marks the bot unreachable for it
-- ARGV[7..] the stored message's fields, as name, value pairs
-- Returns: {message id, 1 if queued for the bot else 0, 1 if sent as a payload else 0, 1 if the bot is known to
--          be unreachable for the conversation (ARGV[6]'s mark is set) else 0}; -1 no such conversation
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
local fields = {}
for i = 7, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
if state ~= 'bot' then
  return {id, 0, 0, 0}
end
local is_payload = 0
if ARGV[5] == '1' and redis.call('SISMEMBER', KEYS[3], ARGV[4]) == 1 then
  is_payload = 1
end
redis.call('RPUSH', KEYS[4], cjson.encode({message_id = id, text = ARGV[4], is_payload = is_payload == 1}))
redis.call('EXPIRE', KEYS[4], ARGV[3])
-- NX: a conversation already due or leased to a worker keeps its place and its lease.
redis.call('ZADD', KEYS[5], 'NX', ARGV[2], ARGV[1])
local delayed = redis.call('HEXISTS', KEYS[1], ARGV[6])
return {id, 1, is_payload, delayed}
