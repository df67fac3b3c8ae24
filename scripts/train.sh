#!/usr/bin/env bash
# Trains the Rasa model only when its inputs changed; models/current.tar.gz always points at the model
# for the current inputs: config.yml, domain.yml, data/, the Rasa lock files, and every module of this
# repository that the pipeline's components import (bot/model_inputs.py follows the imports and lists them).
source "$(dirname "$0")/lib.sh"

model_hash() { "$RASA_VENV/bin/python" -m bot.model_inputs --hash; }

mkdir -p models
hash="$(model_hash)"
model="models/$hash.tar.gz"
# One training at a time, even when `run` and `test` start together; a model already there needs no lock.
if [ ! -f "$model" ]; then
  exec 9>models/.train.lock
  flock 9
fi
if [ -f "$model" ]; then
  log "model up to date ($model)"
else
  log "training model $hash (inputs changed or no model yet); log: $LOG_DIR/train.log"
  start=$SECONDS
  # Trained under a temporary name and renamed when complete: a model file that exists is always whole.
  "$RASA_VENV/bin/rasa" train --config config.yml --domain domain.yml --data data \
    --out models --fixed-model-name "$hash-partial" >"$LOG_DIR/train.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/train.log" >&2; die "training failed"; }
  mv "models/$hash-partial.tar.gz" "$model"
  log "trained in $((SECONDS - start)) s"
  # Keep the three newest models so switching branches back and forth stays cheap.
  ls -1t models/*.tar.gz | grep -v current.tar.gz | tail -n +4 | xargs -r rm -f || true
fi
ln -sfn "$hash.tar.gz" models/current.tar.gz
