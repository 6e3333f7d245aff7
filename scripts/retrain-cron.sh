#!/usr/bin/env bash
# Nightly retraining for cron: retrain the registry's model on the day's corpus and promote it
# only if its validation perplexity is not worse. Configure with environment variables:
#   REGISTRY   model registry directory (any Hadoop path)           [required]
#   INPUT      corpus paths, comma-separated                        [required]
#   EPOCHS     epochs per retrain                                   [10]
#   TOLERANCE  promote when new <= current x (1 + TOLERANCE)         [0.02]
#   LOG_DIR    where each run's log goes                            [$REGISTRY-logs when local, else /tmp]
#   SUBMIT     set to 1 to go through scripts/submit.sh (cluster) instead of scripts/rnnlm
# Example crontab line (02:30 every night):
#   30 2 * * * REGISTRY=/srv/models/lm INPUT=/srv/corpus /opt/spark-rnn-lm/scripts/retrain-cron.sh
# Exit status: 0 promoted, 4 kept the current model, 3 another retrain holds the registry.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${REGISTRY:?set REGISTRY to the model registry directory}"
: "${INPUT:?set INPUT to the corpus path(s)}"
log_dir="${LOG_DIR:-$( [[ "$REGISTRY" == *://* ]] && echo /tmp || echo "$REGISTRY-logs")}"
mkdir -p "$log_dir"
log="$log_dir/retrain-$(date -u +%Y%m%dT%H%M%SZ).log"
args=(retrain --registry "$REGISTRY" --input "$INPUT" --epochs "${EPOCHS:-10}"
      --tolerance "${TOLERANCE:-0.02}" --sample-every 0)
if [[ "${SUBMIT:-0}" == 1 ]]; then
  "$here/scripts/submit.sh" -- "${args[@]}" > "$log" 2>&1
else
  "$here/scripts/rnnlm" "${args[@]}" > "$log" 2>&1
fi
status=$?
case $status in
  0) echo "retrain: promoted a new version (log: $log)" ;;
  4) echo "retrain: kept the current model, the new one was worse (log: $log)" ;;
  3) echo "retrain: another retrain holds $REGISTRY; skipped (log: $log)" ;;
  *) echo "retrain: FAILED with status $status (log: $log)" >&2 ;;
esac
exit $status
