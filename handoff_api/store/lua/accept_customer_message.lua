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
-- ARGV[4] the text the customer typed or the title of the button they clicked
-- ARGV[5] the button's payload, or '' for typed text
-- ARGV[6] the conversation hash field that marks the bot unreachable for it
-- ARGV[7] payloads every conversation may send (the page's own controls), as JSON
-- ARGV[8] TTL of the conversation and its messages (seconds): a conversation lives on while someone writes
-- ARGV[9] when a lease taken by the caller would end (epoch seconds), or '' to take none
-- ARGV[10] the conversation hash field that marks the bot's turn
-- ARGV[11..] the stored message's fields, as name, value pairs
-- Returns: {message id, 1 if queued for the bot else 0, 1 if sent as a payload else 0, 1 if the bot is known to
--          be unreachable for the conversation (ARGV[6]'s mark is set) else 0, then, if the caller leased the
--          conversation, the conversation hash as name, value pairs}; -1 no such conversation
-- With ARGV[9], a message that is the conversation's only pending turn, in a conversation no worker holds, is
-- leased to the caller until then, with the bot's turn marked as begin_bot_turn.lua marks it: the caller
-- serves it at once, without a claim.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
local fields = {}
for i = 11, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('EXPIRE', KEYS[1], ARGV[8])
redis.call('EXPIRE', KEYS[2], ARGV[8])
if state ~= 'bot' then
  return {id, 0, 0, 0}
end
-- A payload goes to the bot as one only if the bot offered it here (or the page always offers it); any other
-- click reaches the bot as the text the customer saw.
local text, is_payload = ARGV[4], false
if ARGV[5] ~= '' then
  local standing = false
  for _, payload in ipairs(cjson.decode(ARGV[7])) do
    standing = standing or payload == ARGV[5]
  end
  if standing or redis.call('SISMEMBER', KEYS[3], ARGV[5]) == 1 then
    text, is_payload = ARGV[5], true
  end
end
local pending = redis.call('RPUSH', KEYS[4], cjson.encode({message_id = id, text = text, is_payload = is_payload}))
redis.call('EXPIRE', KEYS[4], ARGV[3])
local delayed = redis.call('HEXISTS', KEYS[1], ARGV[6])
local reply = {id, 1, is_payload and 1 or 0, delayed}
-- NX: a conversation already due or leased to a worker keeps its place and its lease. Only a message that is the
-- only pending turn is leased: the caller serves that message first.
if ARGV[9] ~= '' and pending == 1 and redis.call('ZADD', KEYS[5], 'NX', ARGV[9], ARGV[1]) == 1 then
  local fields = redis.call('HGETALL', KEYS[1])
  redis.call('HSET', KEYS[1], ARGV[10], ARGV[9])
  for _, value in ipairs(fields) do
    reply[#reply + 1] = value
  end
  return reply
end
redis.call('ZADD', KEYS[5], 'NX', ARGV[2], ARGV[1])
return reply
