-- Prepended to the scripts that end a handoff (see lua_scripts.py), so that each ending is logged in the
-- same script that makes the change, and therefore exactly once however many processes race for it.
-- The keys are passed in by the calling script, which lists them in its own KEYS.
local OUTCOME_LOG_MAXLEN = 100000

local function record_outcome(log_key, counts_key, conversation_id, outcome, group, agent, at)
  redis.call('XADD', log_key, 'MAXLEN', '~', OUTCOME_LOG_MAXLEN, '*', 'conversation_id', conversation_id,
    'outcome', outcome, 'group', group, 'agent', agent, 'at', at)
  redis.call('HINCRBY', counts_key, group .. ':' .. outcome, 1)
end
