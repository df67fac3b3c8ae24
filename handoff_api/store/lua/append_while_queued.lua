-- System notes to conversations still waiting in a group's queue, each checked and written in one step: a note
-- read from the queue a moment ago never lands after the conversation left it (an agent claimed it and said
-- so, the customer cancelled, the wait timed out), where it would tell a served customer their queue place.
-- KEYS[1] the group's queue (sorted set)
-- KEYS[2i], KEYS[2i+1] the i-th conversation's message stream and hash
-- ARGV[1] TTL of the conversation and its messages (seconds): they live on while someone writes
-- ARGV[2i], ARGV[2i+1] the i-th conversation's id and the note's message fields (JSON map)
-- Returns: how many notes were written
local written = 0
for i = 1, (#KEYS - 1) / 2 do
  if redis.call('ZSCORE', KEYS[1], ARGV[2 * i]) then
    local fields = {}
    for name, value in pairs(cjson.decode(ARGV[2 * i + 1])) do
      fields[#fields + 1] = name
      fields[#fields + 1] = value
    end
    redis.call('XADD', KEYS[2 * i], '*', unpack(fields))
    redis.call('EXPIRE', KEYS[2 * i], ARGV[1])
    redis.call('EXPIRE', KEYS[2 * i + 1], ARGV[1])
    written = written + 1
  end
end
return written
