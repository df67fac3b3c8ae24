# Shared settings and helpers for the project's scripts. Sourced, never run.
# Every default here can be overridden from the environment (or a `.env` file at the repo root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -f .env ]; then set -a; . ./.env; set +a; fi

: "${PYTHON:=python3}"
: "${VAR_DIR:=$ROOT/var}"
: "${LOG_DIR:=$VAR_DIR/log}"
: "${HOST:=127.0.0.1}"
: "${RASA_PORT:=5005}"
: "${ACTIONS_PORT:=5055}"
: "${API_PORT:=8000}"
# Redis key prefixes: Rasa only accepts alphanumeric ones.
: "${REDIS_KEY_PREFIX:=cs:}"
: "${RASA_REDIS_PREFIX:=cs}"
# Demo secrets: a real deployment sets its own in .env.
: "${RASA_TOKEN:=dev-rasa-token}"
: "${SERVICE_TOKEN:=dev-service-token}"
: "${SECRET_KEY:=dev-secret-key-change-me}"
: "${GATEWAY_SECRET:=dev-gateway-secret}"
: "${ACTION_SERVER_TOKEN:=dev-action-server-token}"
export ROOT VAR_DIR LOG_DIR HOST RASA_PORT ACTIONS_PORT API_PORT REDIS_KEY_PREFIX RASA_REDIS_PREFIX \
  RASA_TOKEN SERVICE_TOKEN SECRET_KEY GATEWAY_SECRET ACTION_SERVER_TOKEN
export RASA_URL="${RASA_URL:-http://$HOST:$RASA_PORT}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://$HOST:$ACTIONS_PORT/webhook}"
export HANDOFF_API_URL="${HANDOFF_API_URL:-http://$HOST:$API_PORT}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$VAR_DIR/handoff.db}"
export DEMO_BACKEND_PATH="${DEMO_BACKEND_PATH:-$VAR_DIR/demo_backend.json}"
# This checkout's packages (bot, actions, handoff_api) come first, before any installed copy or .pth entry.
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2

RASA_VENV="$ROOT/.venv-rasa"
API_VENV="$ROOT/.venv"
mkdir -p "$VAR_DIR" "$LOG_DIR"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Installs Debian packages that are missing (needs root or sudo; apt-get update once per run).
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# True when a Redis server answers PING at host $1 port $2 (no redis-cli needed).
redis_answers() {
  local reply=""
  { exec 3<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || true
  exec 3>&-
  [[ "$reply" == +PONG* ]]
}

# Polls URL until it answers with 2xx or TIMEOUT seconds pass.
wait_http() {
  local url="$1" name="$2" timeout="${3:-120}" start=$SECONDS
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    (( SECONDS - start > timeout )) && die "$name did not become healthy within ${timeout}s (see $LOG_DIR)"
    sleep 1
  done
}
