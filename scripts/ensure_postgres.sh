#!/usr/bin/env bash
# Prints a usable PostgreSQL URL for the tests: $TEST_POSTGRES_URL when set; else the project-local cluster
# when it runs; else a server already answering on 127.0.0.1:$POSTGRES_PORT (default 5432), as
# postgres@…/test; else it starts a project-local cluster in var/postgres (installing the Debian package if
# missing) on $POSTGRES_PORT, or on a free port when none is configured, and prints its URL.
# `scripts/ensure_postgres.sh stop` stops the project-local cluster.
source "$(dirname "$0")/lib.sh"

if [ -n "${TEST_POSTGRES_URL:-}" ] && [ "${1:-}" != stop ]; then echo "$TEST_POSTGRES_URL"; exit 0; fi

CLUSTER_DIR="$VAR_DIR/postgres"
DATA_DIR="$CLUSTER_DIR/data"
# The password of the cluster's `postgres` role: host logins need it, so nobody else on the machine gets a
# superuser (one that could run programs as the cluster's owner).
PASSWORD_FILE="$CLUSTER_DIR/password"
LOG_FILE="$LOG_DIR/postgres.log"
DATABASE=test

# True when a PostgreSQL server answers an SSLRequest at host $1 port $2 (no client programs needed).
postgres_answers() {
  local reply=""
  { exec 3<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
  printf '\x00\x00\x00\x08\x04\xd2\x16\x2f' >&3
  read -r -n 1 -t 2 reply <&3 || true
  exec 3>&-
  [[ "$reply" == N || "$reply" == S ]]
}

port_in_use() { { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null && exec 3>&-; }

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# PostgreSQL refuses to run as root, so root runs the cluster as the `postgres` user of the Debian package.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] || die "no PostgreSQL server programs in /usr/lib/postgresql"
  echo "$dir/$1"
}

# Port of the project-local cluster when it is running (from its postmaster.pid), else nothing.
running_cluster_port() {
  [ -f "$DATA_DIR/postmaster.pid" ] || return 0
  as_owner "$(pg_bin pg_ctl)" status -D "$DATA_DIR" >/dev/null 2>&1 || return 0
  sed -n 4p "$DATA_DIR/postmaster.pid"
}

local_url() { echo "postgresql://postgres:$(cat "$PASSWORD_FILE")@127.0.0.1:$1/$DATABASE"; }

init_cluster() {
  command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    || apt_install postgresql
  log "creating a project-local PostgreSQL cluster in var/postgres"
  mkdir -p "$CLUSTER_DIR"
  (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_hex(16))' >"$PASSWORD_FILE")
  mkdir -p "$DATA_DIR"
  # initdb needs the data directory to be the owner's alone; the owner must reach it through var/.
  chmod 700 "$DATA_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$DATA_DIR"
  as_owner test -w "$DATA_DIR" || die "the postgres user cannot write $DATA_DIR (check the permissions of its parents)"
  # initdb reads the password as the owner: a copy only the owner can read, removed right after.
  local pwfile="$CLUSTER_DIR/initdb.pw"
  install -m 600 "$PASSWORD_FILE" "$pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$pwfile"
  as_owner "$(pg_bin initdb)" -D "$DATA_DIR" -U postgres --pwfile="$pwfile" --auth-local=scram-sha-256 \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$CLUSTER_DIR/initdb.log" 2>&1 \
    || { rm -f "$pwfile"; cat "$CLUSTER_DIR/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
}

start_cluster() {
  local port="$1"
  [ -f "$DATA_DIR/PG_VERSION" ] || init_cluster
  log "starting project-local PostgreSQL on 127.0.0.1:$port (data in var/postgres, log $LOG_FILE)"
  touch "$LOG_FILE"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$LOG_FILE"
  # The socket lives in the data directory, so the cluster needs nothing of the system's /var/run/postgresql.
  as_owner "$(pg_bin pg_ctl)" start -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$DATA_DIR'" >/dev/null \
    || { tail -n 20 "$LOG_FILE" >&2; die "PostgreSQL did not start (see $LOG_FILE)"; }
  local psql=("$(pg_bin psql)" -qAt -h 127.0.0.1 -p "$port" -U postgres -d postgres)
  export PGPASSWORD; PGPASSWORD="$(cat "$PASSWORD_FILE")"
  "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1 \
    || "${psql[@]}" -c "CREATE DATABASE $DATABASE" >/dev/null
}

if [ "${1:-}" = stop ]; then
  [ -n "$(running_cluster_port)" ] && as_owner "$(pg_bin pg_ctl)" stop -D "$DATA_DIR" -m fast >/dev/null
  exit 0
fi

running="$(running_cluster_port)"
if [ -n "$running" ] && [ "${POSTGRES_PORT:-$running}" = "$running" ]; then
  local_url "$running"
  exit 0
fi
port="${POSTGRES_PORT:-5432}"
if postgres_answers 127.0.0.1 "$port"; then
  echo "postgresql://postgres@127.0.0.1:$port/$DATABASE"
  exit 0
fi
[ -n "$running" ] && die "the project-local PostgreSQL runs on port $running, not $port: stop it first"
if port_in_use "$port"; then
  [ -n "${POSTGRES_PORT:-}" ] && die "port $port is taken by something that is not PostgreSQL"
  port="$(free_port)"
fi
start_cluster "$port"
local_url "$port"
