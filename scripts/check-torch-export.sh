#!/usr/bin/env bash
# For each cell (rnn, gru, lstm; 1 and 2 layers): trains a small model, exports it with
# --format torch, and scores the same held-out text with `evaluate --json` (one stream) and with
# PyTorch's own modules loaded from the export (scripts/score_torch_export.py).
#   scripts/check-torch-export.sh [TRAIN] [HELD_OUT]   (defaults: sample-data, sample-data/clockmaker.txt)
# Needs the packaged jar and /usr/bin/python3 with torch and safetensors.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
train="${1:-sample-data}"; held_out="${2:-sample-data/clockmaker.txt}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
printf '| cell | layers | evaluate --json | PyTorch modules from the export | relative difference |\n|---|---|---|---|---|\n'
for config in "rnn 1" "rnn 2" "gru 1" "gru 2" "lstm 1" "lstm 2"; do
  set -- $config
  model="$work/$1-$2"
  scripts/rnnlm train --input "$train" --model "$model" --cell "$1" --layers "$2" --hidden 64 \
    --epochs 2 --optimizer adam --lr 0.01 --sample-every 0 --master 'local[2]' > "$model.log" 2>&1
  scripts/rnnlm export --model "$model" --format torch --out "$model.safetensors" > /dev/null 2>&1
  ours=$(scripts/rnnlm evaluate --model "$model" --input "$held_out" --json 2>/dev/null \
    | sed -n 's/.*"perplexity": \([0-9.eE+-]*\).*/\1/p')
  theirs=$(/usr/bin/python3 scripts/score_torch_export.py "$model.safetensors" "$held_out" \
    | sed -n 's/.*"perplexity": \([0-9.eE+-]*\).*/\1/p')
  awk -v c="$1" -v l="$2" -v o="$ours" -v t="$theirs" \
    'BEGIN { d = (t - o) / o; printf "| %s | %s | %.6f | %.6f | %.2e |\n", c, l, o, t, d < 0 ? -d : d }'
done
