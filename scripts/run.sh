#!/usr/bin/env bash
# Sets up what is missing, trains if needed, and runs the whole system in the foreground:
# Redis (when none is reachable), the action server, the Rasa server and the handoff API.
# Ctrl-C (or SIGTERM) stops everything it started. Logs go to var/log/.
# The quick start is the demo: DEMO_MODE is on unless the environment or .env sets it (config/defaults.env).
SCRIPT_DEFAULTS="DEMO_MODE=true"
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/bot_processes.sh"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/train.sh"
# Never the repository's public secrets: those the environment and .env do not set come from
# GENERATED_SECRETS_FILE, generated on first start (mode 0600).
eval "$("$PYTHON" -m contract.demo_secrets ensure "$GENERATED_SECRETS_FILE")"

started_redis=false
if [ -z "${REDIS_URL:-}" ] && ! redis_answers 127.0.0.1 "${LOCAL_REDIS_PORT:-6379}"; then started_redis=true; fi
REDIS_URL="$("$ROOT/scripts/ensure_redis.sh")"
export REDIS_URL
# endpoints.yml takes the Redis URL apart (Rasa's Redis stores want host, port, db and TLS files separately).
redis_settings="$("$API_VENV/bin/python" -m bot.redis_endpoint)" || die "REDIS_URL cannot be used (see above)"
eval "$redis_settings"

pids=()
stop_all() {
  # A closed terminal or pipe must not kill this script halfway through stopping the services.
  trap - INT TERM EXIT; trap '' PIPE HUP
  log "stopping"
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$started_redis" = true ] && [ -f "$VAR_DIR/redis/redis.pid" ]; then
    kill "$(cat "$VAR_DIR/redis/redis.pid")" 2>/dev/null || true
  fi
  log "stopped"
}
trap stop_all EXIT
trap 'stop_all; exit 0' INT TERM

# Each service gets its own process group so that stopping it also stops its children.
start() {
  local name="$1"; shift
  setsid "$@" >"$LOG_DIR/$name.log" 2>&1 &
  pids+=($!)
  log "started $name (pid $!, log $LOG_DIR/$name.log)"
}

start_bot_processes
start handoff_api "$API_VENV/bin/uvicorn" handoff_api.main:create_app --factory --host "$HOST" --port "$API_PORT"
api_pid=$!

wait_http "http://$HOST:$API_PORT/readyz" "handoff API" "$api_pid"
wait_bot_processes

cat <<TXT

  System ready.
  Web chat (customers):        $HANDOFF_API_URL/
  Agent console (agents):      $HANDOFF_API_URL/agent      demo logins: see README (password demo1234)
  Supervisor view:             $HANDOFF_API_URL/supervisor (login: supervisor)
  Handoff API docs:            $HANDOFF_API_URL/docs
  Rasa servers:                $RASA_URL
  Demo mode:                   $DEMO_MODE   (secrets: environment, .env, else $GENERATED_SECRETS_FILE)
  Redis:                       $REDIS_URL
  Logs:                        $LOG_DIR/
  Press Ctrl-C to stop.

TXT
# Stop everything as soon as any one service dies, so a half-broken system never looks alive (Rasa and action
# servers do not: scripts/supervise.sh starts them again).
wait -n "${pids[@]}" || true
log "a service exited; see $LOG_DIR"
exit 1
