# Shared settings and helpers for the project's scripts. Sourced, never run.
# Settings come from the environment, then `.env` at the repo root, then config/defaults.env.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Exports each KEY=value line of an env file whose KEY is not set yet, so the environment beats .env and both
# beat config/defaults.env, and a ${KEY} in a value sees KEY's final value. Arguments: FILE [KEY to skip...].
load_settings() {
  local file="$1" line key; shift
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)= ]] || { echo "bad line in $file: $line" >&2; exit 1; }
    key="${BASH_REMATCH[1]}"
    [[ -n "${!key+set}" || " $* " == *" $key "* ]] && continue
    eval "export $line"
  done <"$file"
}
load_settings .env
# A script's own defaults ("KEY=value ..."), for settings that neither the environment nor .env sets.
for setting in ${SCRIPT_DEFAULTS:-}; do
  key="${setting%%=*}"; [[ -n "${!key+set}" ]] || export "$setting"
done
# REDIS_URL, when not set, is what ensure_redis.sh finds or starts.
load_settings config/defaults.env REDIS_URL
case "$VAR_DIR" in /*) ;; *) VAR_DIR="$ROOT/$VAR_DIR" ;; esac
case "$LOG_DIR" in /*) ;; *) LOG_DIR="$ROOT/$LOG_DIR" ;; esac
export VAR_DIR LOG_DIR
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

# CPU seconds used so far by process group $1 (each service runs in its own group).
group_cpu_seconds() { ps -e -o pgid=,times= | awk -v g="$1" '$1 == g { s += $2 } END { print s + 0 }'; }

# Polls URL until it answers with 2xx. Waits as long as the service's process group PGID is alive and keeps
# using CPU (start-up time depends on the machine's load); gives up when the service exits, or when it has
# used no CPU for STALL seconds without answering.
wait_http() {
  local url="$1" name="$2" pgid="$3" stall="${4:-120}" cpu last_cpu=-1 idle_since=$SECONDS
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    kill -0 "$pgid" 2>/dev/null || die "$name exited before becoming healthy (see $LOG_DIR)"
    cpu="$(group_cpu_seconds "$pgid")"
    if [ "$cpu" != "$last_cpu" ]; then last_cpu="$cpu"; idle_since=$SECONDS; fi
    (( SECONDS - idle_since > stall )) && die "$name made no progress for ${stall}s and is not healthy (see $LOG_DIR)"
    sleep 1
  done
}

