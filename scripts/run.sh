#!/usr/bin/env bash
# Sets up what is missing, trains if needed, and runs the whole system in the foreground:
# Redis (when none is reachable), the action server, the Rasa server and the handoff API.
# Ctrl-C (or SIGTERM) stops everything it started. Logs go to var/log/.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/train.sh"

started_redis=false
if [ -z "${REDIS_URL:-}" ] && ! redis_answers 127.0.0.1 "${LOCAL_REDIS_PORT:-6379}"; then started_redis=true; fi
REDIS_URL="$("$ROOT/scripts/ensure_redis.sh")"
export REDIS_URL
# endpoints.yml takes the Redis URL apart (Rasa's Redis stores want host, port and db separately).
eval "$("$API_VENV/bin/python" - <<'PY'
import os, shlex, urllib.parse
u = urllib.parse.urlparse(os.environ["REDIS_URL"])
parts = {"REDIS_HOST": u.hostname or "127.0.0.1", "REDIS_PORT": u.port or 6379,
         "REDIS_DB": (u.path or "/0").lstrip("/") or "0", "REDIS_PASSWORD": u.password or ""}
print("\n".join(f"export {k}={shlex.quote(str(v))}" for k, v in parts.items()))
PY
)"

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

start actions "$RASA_VENV/bin/python" -m actions.server --host "$HOST" --port "$ACTIONS_PORT"
start rasa "$RASA_VENV/bin/rasa" run --enable-api --auth-token "$RASA_TOKEN" --model models/current.tar.gz \
  --endpoints endpoints.yml --credentials credentials.yml --interface "$HOST" --port "$RASA_PORT"
start handoff_api "$API_VENV/bin/uvicorn" handoff_api.main:create_app --factory --host "$HOST" --port "$API_PORT"

wait_http "http://$HOST:$ACTIONS_PORT/health" "action server"
wait_http "http://$HOST:$API_PORT/readyz" "handoff API"
wait_http "http://$HOST:$RASA_PORT/status?token=$RASA_TOKEN" "Rasa server" "$RASA_START_TIMEOUT_SECONDS"

cat <<TXT

  System ready.
  Web chat (customers):        $HANDOFF_API_URL/
  Agent console (agents):      $HANDOFF_API_URL/agent      demo logins: see README (password demo1234)
  Supervisor view:             $HANDOFF_API_URL/supervisor (login: supervisor)
  Handoff API docs:            $HANDOFF_API_URL/docs
  Rasa server:                 $RASA_URL
  Redis:                       $REDIS_URL
  Logs:                        $LOG_DIR/
  Press Ctrl-C to stop.

TXT
# Stop everything as soon as any one service dies, so a half-broken system never looks alive.
wait -n "${pids[@]}" || true
log "a service exited; see $LOG_DIR"
exit 1
