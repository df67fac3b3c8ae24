-- A turn is done: store the bot's replies and take the turn off the list, in one step, so a reply is stored
-- exactly once even when two workers answered the same turn (a lease that ran out while the bot was slow).
-- The bot's turn ends in the same step: its mark and the given marks (the bot answered, so it is no longer
-- "delayed") are cleared, and the caller learns the conversation's state (a handoff may have queued it) and the
-- next pending turn. A mark set while the turn ran (ARGV[6]) is taken by the worker that finishes the turn, so
-- what it asks for is done once, after the turn. With nothing left the conversation leaves the due set, in the same step, so a turn queued
-- meanwhile is never stranded; otherwise it stays leased to the caller, who goes on with the next turn.
-- KEYS[1] the conversation's pending bot turns (list)
-- KEYS[2] conversations with bot turns due (sorted set)
-- KEYS[3] message stream
-- KEYS[4] payloads the bot offered in the conversation (set)
-- KEYS[5] conversation hash
-- ARGV[1] conversation id
-- ARGV[2] message id of the finished turn ('' to only leave the due set if nothing is pending)
-- ARGV[3] TTL of the offered payloads (seconds)
-- ARGV[4] the replies (JSON list of message field maps, possibly empty)
-- ARGV[5] the payloads the replies offer (JSON list, possibly empty)
-- ARGV[6] a conversation hash field to take (read and clear) if this call finishes the turn, or ''
-- ARGV[7..] conversation hash fields to clear (with a message id only)
-- Returns: {1 if the replies were stored else 0 (the turn was not at the head: already finished), turns still
--           pending, the next pending turn or '', the conversation's state or '', the taken field's value or
--           '', stored reply ids...}
local head = redis.call('LINDEX', KEYS[1], 0)
local stored, ids, taken = 0, {}, ''
if ARGV[2] ~= '' then
  if head and cjson.decode(head).message_id == ARGV[2] then
    stored = 1
    redis.call('LPOP', KEYS[1])
    for _, reply in ipairs(cjson.decode(ARGV[4])) do
      local fields = {}
      for name, value in pairs(reply) do
        fields[#fields + 1] = name
        fields[#fields + 1] = value
      end
      ids[#ids + 1] = redis.call('XADD', KEYS[3], '*', unpack(fields))
    end
    local payloads = cjson.decode(ARGV[5])
    if #payloads > 0 then
      redis.call('SADD', KEYS[4], unpack(payloads))
      redis.call('EXPIRE', KEYS[4], ARGV[3])
    end
    if ARGV[6] ~= '' then
      taken = redis.call('HGET', KEYS[5], ARGV[6]) or ''
      redis.call('HDEL', KEYS[5], ARGV[6])
    end
  end
  if #ARGV > 6 then
    redis.call('HDEL', KEYS[5], unpack(ARGV, 7))
  end
end
local pending = redis.call('LLEN', KEYS[1])
if pending == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
local state = redis.call('HGET', KEYS[5], 'state') or ''
return {stored, pending, redis.call('LINDEX', KEYS[1], 0) or '', state, taken, unpack(ids)}
