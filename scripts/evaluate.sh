#!/usr/bin/env bash
# Scores our NLU model and the stock Rasa baseline (trained here when its inputs changed) on the
# project's held-out file and on every labelled TSV given (columns text, intent[, source]).
# Usage: scripts/evaluate.sh [TSV ...]   Report: var/eval/<timestamp>/report.md (var/eval/latest).
# The baseline is trained with three DIET seeds and averaged (about 8 minutes per seed on 2 cores, only
# when its inputs changed); EVAL_ARGS passes more options, e.g. EVAL_ARGS="--baseline-seeds 1".
caller_dir="$PWD"
source "$(dirname "$0")/lib.sh"

tsv_args=()
for tsv in "$@"; do
  # lib.sh changes to the repo root: resolve paths relative to where the command was run.
  case "$tsv" in /*) ;; *) tsv="$caller_dir/$tsv" ;; esac
  [ -f "$tsv" ] || die "no such file: $tsv"
  tsv_args+=(--tsv "$tsv")
done

"$ROOT/scripts/train.sh"
log "evaluating (the baseline trains first, once per seed, when its inputs changed; logs: $LOG_DIR/baseline_train_seed*.log)"
"$RASA_VENV/bin/python" -m bot.evaluation --heldout tests/nlu/heldout.yml \
  ${tsv_args[@]+"${tsv_args[@]}"} --out "$VAR_DIR/eval" ${EVAL_ARGS:-}
