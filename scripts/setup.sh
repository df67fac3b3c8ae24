#!/usr/bin/env bash
# Creates or updates whatever is missing: Debian packages, .venv-rasa and .venv. Idempotent.
# Usage: scripts/setup.sh [--with-browser]   (--with-browser adds Chromium for the browser tests)
source "$(dirname "$0")/lib.sh"

debian_packages=(curl redis-server)
[ "${1:-}" = "--with-browser" ] && debian_packages+=(chromium chromium-driver fonts-noto-cjk)
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || debian_packages+=(python3-venv)
apt_install "${debian_packages[@]}"

"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || die "Python 3.11 is required (found $("$PYTHON" --version)); set PYTHON=/path/to/python3.11"

# A venv is rebuilt only when its lock files change: their hash is stamped inside the venv.
lock_hash() { cat "$@" | sha256sum | cut -c1-16; }

ensure_venv() {
  local venv="$1"; shift
  local stamp="$venv/.lock-hash" want; want="$(lock_hash "$@")"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "building $(basename "$venv") from $*"
  [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  if [ "$venv" = "$RASA_VENV" ]; then
    # Rasa 3.6 declares Python <3.11 but runs on 3.11 with this exact pinned set (docs/rasa-on-python-3.11.md).
    for lock in "$@"; do
      "$venv/bin/pip" install -q --no-deps --ignore-requires-python -r "$lock"
    done
    # Make the repo's `bot` and `actions` packages importable by Rasa and the action server.
    local site; site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ROOT" > "$site/cs_project.pth"
  else
    "$venv/bin/pip" install -q -r "$1"
  fi
  echo "$want" > "$stamp"
}

ensure_venv "$RASA_VENV" requirements/rasa.lock.txt requirements/rasa-extra.lock.txt
ensure_venv "$API_VENV" requirements/handoff.lock.txt
log "environments ready: .venv-rasa (Rasa $("$RASA_VENV/bin/python" -c 'import rasa; print(rasa.__version__)')), .venv"
