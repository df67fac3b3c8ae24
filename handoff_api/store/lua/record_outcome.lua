-- Log a handoff ending that changes no conversation state (no_agent: the handoff was never queued).
-- KEYS[1] outcome log (stream)
-- KEYS[2] outcome counts (hash)
-- ARGV[1] conversation id
-- ARGV[2] outcome
-- ARGV[3] group
-- ARGV[4] at (epoch seconds)
-- Returns: 1
record_outcome(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], '', ARGV[4])
return 1
