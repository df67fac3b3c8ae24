#!/usr/bin/env bash
# Keeps one service running: starts COMMAND, and starts it again (after a second) whenever it exits, until this
# script itself is stopped. scripts/run.sh runs each Rasa and action server under it, in one process group, so
# stopping the group stops both; a Rasa or action server that crashed or was killed comes back while the other
# processes serve its conversations. The child's pid is written to PIDFILE (tests kill it from there).
# Usage: supervise.sh NAME PIDFILE COMMAND...
set -uo pipefail
name="$1" pidfile="$2"; shift 2
while true; do
  "$@" &
  child=$!
  echo "$child" >"$pidfile"
  wait "$child"
  status=$?
  printf '\033[1;33m==>\033[0m %s (pid %s) exited with status %s; starting it again\n' "$name" "$child" "$status" >&2
  sleep 1
done
