#!/usr/bin/env bash
# The conversation suite for trainers: starts the system on free ports (as the integration tests do), runs
# the multi-turn cases of tests/conversations/ and prints the pass rate per category and every failure with
# its transcript (also saved to test-artifacts/conversations/report.txt).
#   scripts/conversations.sh                      every conversation
#   scripts/conversations.sh confirmation 01_confirmation.yml lost-card-hesitates-at-confirmation
# Arguments: case files, categories or conversation ids; --concurrency N (default 1).
# Exits 1 when the bar is missed (overall 95%, each category 90%), 2 on a case-file error.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/setup.sh"
REDIS_URL="$("$ROOT/scripts/ensure_redis.sh")"
export REDIS_URL
exec "$API_VENV/bin/python" -m tests.integration.conversation_suite "$@"
