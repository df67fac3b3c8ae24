#!/usr/bin/env bash
# Prints a usable REDIS_URL: $REDIS_URL when set, else a Redis already answering on 127.0.0.1:6379,
# else a project-local redis-server (append-only persistence under var/redis) that it starts.
source "$(dirname "$0")/lib.sh"

if [ -n "${REDIS_URL:-}" ]; then echo "$REDIS_URL"; exit 0; fi
if ! redis_answers 127.0.0.1 "$LOCAL_REDIS_PORT"; then
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$VAR_DIR/redis"
  log "starting project-local redis-server on 127.0.0.1:$LOCAL_REDIS_PORT (data in var/redis)"
  redis-server --bind 127.0.0.1 --port "$LOCAL_REDIS_PORT" --dir "$VAR_DIR/redis" \
    --appendonly yes --save "" --daemonize yes \
    --pidfile "$VAR_DIR/redis/redis.pid" --logfile "$LOG_DIR/redis.log"
  for _ in $(seq 50); do redis_answers 127.0.0.1 "$LOCAL_REDIS_PORT" && break; sleep 0.1; done
  redis_answers 127.0.0.1 "$LOCAL_REDIS_PORT" || die "redis-server did not start (see $LOG_DIR/redis.log)"
fi
echo "redis://127.0.0.1:$LOCAL_REDIS_PORT/0"
