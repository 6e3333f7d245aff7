#!/usr/bin/env bash
# Do two builds train the same bits? Trains small models of every kind (each cell, stacked
# layers with dropout, local steps with the outer update, the executors' tree, Adam with a
# schedule and validation, word models with an embedding and tied weights, the adaptive
# softmax, BPE subwords) with this checkout and with another packaged checkout, and compares
# their parameters.bin byte for byte. For a change that must not change what is trained:
#   git worktree add /tmp/base HEAD~1 && (cd /tmp/base && mvn -q -DskipTests package)
#   scripts/compare-builds.sh /tmp/base
# Prints one line per configuration (identical / DIFFERENT) and exits 1 if any differ.
# Both checkouts need their packaged jar (mvn -q -DskipTests package).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
other="${1:?usage: scripts/compare-builds.sh OTHER_CHECKOUT (a packaged checkout of this project)}"
[[ -x "$other/scripts/rnnlm" && -f "$other/target/spark-rnn-lm.jar" ]] \
  || { echo "error: $other has no scripts/rnnlm and target/spark-rnn-lm.jar; package it first (mvn -q -DskipTests package)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

small=(--input "$here/sample-data" --epochs 2 --hidden 32 --master 'local[2]' --sample-every 0)
configs=(
  "rnn|--cell rnn"
  "gru|--cell gru"
  "lstm|--cell lstm"
  "lstm-2-layers-dropout|--cell lstm --layers 2 --dropout 0.2"
  "gru-local-steps-nesterov|--cell gru --sync-every 4 --outer-optimizer nesterov --outer-lr 0.7 --outer-momentum 0.9"
  "rnn-tree|--partitions 4 --batch 8 --aggregation-fan-in 2"
  "lstm-adam-cosine-val|--cell lstm --optimizer adam --lr 0.01 --lr-schedule cosine --val-fraction 0.1"
  "word-tied|--tokens word --cell lstm --embedding 32 --tie-weights --dropout 0.1"
  "word-adaptive|--tokens word-eos --cell gru --embedding 16 --softmax adaptive --cutoffs 20,100"
  "bpe|--tokens bpe --vocab-size 300 --cell lstm --embedding 16"
)
differ=0
for entry in "${configs[@]}"; do
  name="${entry%%|*}"
  read -r -a extra <<<"${entry#*|}"
  for side in this other; do
    checkout="$here"; [[ $side == other ]] && checkout="$other"
    if ! "$checkout/scripts/rnnlm" train "${small[@]}" "${extra[@]}" --model "$work/$name-$side" \
        >"$work/$name-$side.log" 2>&1; then
      echo "$name: the $side build failed:" >&2
      tail -3 "$work/$name-$side.log" >&2
      exit 2
    fi
  done
  if cmp -s "$work/$name-this/parameters.bin" "$work/$name-other/parameters.bin"; then
    echo "$name: identical ($(stat -c %s "$work/$name-this/parameters.bin") bytes)"
  else
    echo "$name: DIFFERENT"
    differ=1
  fi
done
exit "$differ"
