# The bot's processes for scripts/run.sh (sourced, never run): RASA_PROCESSES Rasa servers, each with an
# action server of its own, on consecutive free ports from RASA_PORT and ACTIONS_PORT. Each runs under
# scripts/supervise.sh, which restarts it when it dies. Trackers and locks are in Redis, so any Rasa server may
# serve any turn; the handoff API gets all of them in RASA_URL and moves a conversation on when one fails.

bot_ports_taken=()

# True when nothing accepts connections on HOST:$1.
port_free() {
  if { exec 3<>"/dev/tcp/$HOST/$1"; } 2>/dev/null; then exec 3>&-; return 1; fi
  return 0
}

# Sets next_port to the first port from $1 on that is free and not handed out already.
claim_port_from() {
  next_port="$1"
  while ! port_free "$next_port" || [[ " ${bot_ports_taken[*]} " == *" $next_port "* ]]; do
    next_port=$((next_port + 1))
  done
  bot_ports_taken+=("$next_port")
}

# Starts the Rasa and action servers (with run.sh's `start`) and exports RASA_URL as the list of them.
# The first pair keeps RASA_PORT and ACTIONS_PORT exactly, so a busy configured port fails loudly.
start_bot_processes() {
  local count="${RASA_PROCESSES:-1}" i rasa_port actions_port suffix urls=()
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "RASA_PROCESSES must be a positive number, not '$count'"
  mkdir -p "$VAR_DIR/run"
  bot_ports_taken=("$API_PORT" "$RASA_PORT" "$ACTIONS_PORT")
  bot_actions_ports=() bot_rasa_ports=() bot_actions_pids=() bot_rasa_pids=()
  for ((i = 1; i <= count; i++)); do
    if ((i == 1)); then
      rasa_port="$RASA_PORT" actions_port="$ACTIONS_PORT" suffix=""
    else
      claim_port_from "$((bot_rasa_ports[-1] + 1))"; rasa_port="$next_port"
      claim_port_from "$((bot_actions_ports[-1] + 1))"; actions_port="$next_port"
      suffix="_$i"
    fi
    bot_rasa_ports+=("$rasa_port") bot_actions_ports+=("$actions_port")
    start "actions$suffix" "$ROOT/scripts/supervise.sh" "actions$suffix" "$VAR_DIR/run/actions$suffix.pid" \
      "$RASA_VENV/bin/python" -m actions.server --host "$HOST" --port "$actions_port"
    bot_actions_pids+=($!)
    start "rasa$suffix" "$ROOT/scripts/supervise.sh" "rasa$suffix" "$VAR_DIR/run/rasa$suffix.pid" \
      env ACTION_ENDPOINT_URL="http://$HOST:$actions_port/webhook" \
      "$RASA_VENV/bin/python" -m bot.server run --enable-api --auth-token "$RASA_TOKEN" \
      --model models/current.tar.gz --endpoints endpoints.yml --credentials credentials.yml --interface "$HOST" --port "$rasa_port"
    bot_rasa_pids+=($!)
    urls+=("http://$HOST:$rasa_port")
  done
  RASA_URL="$(IFS=,; echo "${urls[*]}")"
  export RASA_URL
}

# Waits until every action server and Rasa server answers (each for as long as it starts up, see wait_http).
wait_bot_processes() {
  local i
  for i in "${!bot_actions_ports[@]}"; do
    wait_http "http://$HOST:${bot_actions_ports[i]}/health" "action server :${bot_actions_ports[i]}" "${bot_actions_pids[i]}"
  done
  for i in "${!bot_rasa_ports[@]}"; do
    wait_http "http://$HOST:${bot_rasa_ports[i]}/status?token=$RASA_TOKEN" "Rasa server :${bot_rasa_ports[i]}" "${bot_rasa_pids[i]}"
  done
}
