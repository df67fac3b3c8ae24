#!/usr/bin/env bash
# The trainer's inbox into the model (README, "The learning loop").
#   scripts/nlu_inbox.sh export [--data DIR]       labelled inbox items -> DIR/nlu/inbox.yml (make nlu-inbox)
#   scripts/nlu_inbox.sh retrain [--data DIR] [--config FILE] [--before MODEL|none] [TSV ...]
#       validate, train, and report before/after: per-intent F1 on tests/nlu/heldout.yml and each TSV, the
#       confusions that changed, the exported lines still misread (report: $VAR_DIR/eval/nlu_inbox/report.md).
#       With the repository's data and config.yml it trains the real model (scripts/train.sh, cached);
#       with another --data or --config, an NLU-only model in $VAR_DIR/nlu_inbox/ (a trial, not deployed).
#       The model before is models/current.tar.gz unless --before says otherwise (none: report after only).
# Export writes NLU_INBOX_EXPORT_PATH (relative to --data's parent when --data is given) and never a line of
# the evaluation data under NLU_INBOX_EXCLUDED_DIR.
caller_dir="$PWD"
source "$(dirname "$0")/lib.sh"

absolute() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s' "$caller_dir/$1" ;; esac; }

command="${1:-}"; shift || true
data="$ROOT/data"; config="$ROOT/config.yml"; before="$(readlink -f models/current.tar.gz || true)"; tsvs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$(absolute "$2")"; shift 2 ;;
    --config) config="$(absolute "$2")"; shift 2 ;;
    --before) [ "$2" = none ] && before="" || before="$(absolute "$2")"; shift 2 ;;
    *) tsv="$(absolute "$1")"; [ -f "$tsv" ] || die "no such file: $tsv"; tsvs+=(--tsv "$tsv"); shift ;;
  esac
done
# data/nlu/inbox.yml of the repository, or the same place under another data directory.
inbox_file="$(dirname "$data")/$NLU_INBOX_EXPORT_PATH"

case "$command" in
  export)
    "$API_VENV/bin/python" -m handoff_api.nlu_export --data "$data" --domain "$ROOT/domain.yml" \
      --out "$inbox_file" --excluded "$(absolute "$NLU_INBOX_EXCLUDED_DIR")"
    ;;
  retrain)
    log "validating $data"
    "$RASA_VENV/bin/python" -m bot.data_validation --config "$config" --domain domain.yml --data "$data" \
      --actions actions
    if [ "$data" = "$ROOT/data" ] && [ "$config" = "$ROOT/config.yml" ]; then
      "$ROOT/scripts/train.sh"
      after="$ROOT/models/current.tar.gz"
    else
      mkdir -p "$VAR_DIR/nlu_inbox"
      log "training a trial NLU model on $data with $config; log: $LOG_DIR/nlu_inbox_train.log"
      start=$SECONDS
      "$RASA_VENV/bin/rasa" train nlu --config "$config" --nlu "$data/nlu" --domain domain.yml \
        --out "$VAR_DIR/nlu_inbox" --fixed-model-name trial >"$LOG_DIR/nlu_inbox_train.log" 2>&1 \
        || { tail -n 30 "$LOG_DIR/nlu_inbox_train.log" >&2; die "training failed"; }
      log "trained in $((SECONDS - start)) s"
      after="$VAR_DIR/nlu_inbox/trial.tar.gz"
    fi
    "$RASA_VENV/bin/python" -m bot.evaluation.before_after ${before:+--before "$before"} --after "$after" \
      --heldout tests/nlu/heldout.yml ${tsvs[@]+"${tsvs[@]}"} --exported "$inbox_file" \
      --out "$VAR_DIR/eval/nlu_inbox"
    ;;
  *) die "usage: scripts/nlu_inbox.sh export|retrain [--data DIR] [--config FILE] [--before MODEL|none] [TSV ...]" ;;
esac
