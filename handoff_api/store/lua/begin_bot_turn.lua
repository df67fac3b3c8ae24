-- The bot is about to answer the conversation: read who owns it and, if the bot does, mark the bot's turn, in one
-- step. A handoff requested inside the turn then waits for the bot's reply (the dispatcher skips marked
-- conversations), and the mark lapses on its own should the worker die in the turn.
-- KEYS[1] conversation hash
-- ARGV[1] name of the mark's field
-- ARGV[2] when the mark lapses (epoch seconds)
-- Returns: the conversation hash as name, value pairs (empty: no such conversation), as read before the mark
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if fields[i] == 'state' and fields[i + 1] == 'bot' then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  end
end
return fields
