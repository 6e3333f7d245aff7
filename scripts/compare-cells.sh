#!/usr/bin/env bash
# Held-out perplexity of gru and lstm (1 and 2 layers) and rnn, trained with Adam, against the
# same models in PyTorch (scripts/ref_torch_rnn.py: nn.GRU / nn.LSTM / nn.RNN + torch.optim.Adam)
# on the same corpus and budget: H=128, B=32, T=35, lr 0.002, clip 1, sequential sampling,
# d2l text; held out: a separate file, scored as one stream (evaluate's default).
#   scripts/compare-cells.sh [EPOCHS] [TRAIN_FILES] [HELD_OUT_FILE]
# defaults: 60, sample-data/clockmaker.txt + field-notes.txt, sample-data/lighthouse-keeper.txt
# SEEDS="1 2 3" trains each side once per seed (default: 0) and compares the medians; CONFIGS
# picks the configurations (default: "gru 1,gru 2,lstm 1,lstm 2,rnn 1").
# MATCHED=1 starts PyTorch where each of our runs started: the same initial parameters (exported
# in torch's layout) and the same epoch start offsets (src/test/java/dev/rnnlm/bench/
# TorchStartingPoint.java), so each pair differs only in arithmetic, not in its random draws.
# (1-layer rnn: the reference's explicit loop of the book's model, which has our one bias.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
epochs="${1:-60}"
train_files="${2:-sample-data/clockmaker.txt sample-data/field-notes.txt}"
held_out="${3:-sample-data/lighthouse-keeper.txt}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat $train_files > "$work/train.txt"
common=(--hidden 128 --batch 32 --steps 35 --lr 0.002 --epochs "$epochs")
IFS=',' read -r -a configs <<< "${CONFIGS:-gru 1,gru 2,lstm 1,lstm 2,rnn 1}"
seeds=(${SEEDS:-0})
printf '| cell | layers | spark-rnn-lm held-out ppl | PyTorch held-out ppl | difference | per seed (%s): ours / PyTorch (difference) |\n|---|---|---|---|---|---|\n' "${seeds[*]}"
for config in "${configs[@]}"; do
  set -- $config
  ours_all=""; theirs_all=""
  for seed in "${seeds[@]}"; do
    scripts/rnnlm train --input "$work/train.txt" --model "$work/$1-$2-$seed" --cell "$1" --layers "$2" \
      --optimizer adam --clip 1 --normalize d2l --sample-every 0 --checkpoint-every 0 --seed "$seed" \
      --master 'local[2]' "${common[@]}" > "$work/$1-$2-$seed.log" 2>&1
    ours_all+="$(scripts/rnnlm evaluate --model "$work/$1-$2-$seed" --input "$held_out" --json 2>/dev/null \
      | sed -n 's/.*"perplexity": \([0-9.eE+-]*\).*/\1/p') "
    start=()
    if [[ "${MATCHED:-0}" == 1 ]]; then
      offsets=$(java -cp "target/spark-rnn-lm.jar:target/lib/*" src/test/java/dev/rnnlm/bench/TorchStartingPoint.java \
        "$work/$1-$2-$seed" "$work/start-$1-$2-$seed.safetensors")
      start=(--init-from "$work/start-$1-$2-$seed.safetensors" --offsets "$offsets")
    fi
    theirs_all+="$(/usr/bin/python3 scripts/ref_torch_rnn.py "$work/train.txt" --cell "$1" --layers "$2" \
      --optimizer adam --theta 1 --normalize d2l --threads 2 --eval "$held_out" --seed "$seed" "${common[@]}" "${start[@]}" \
      | tail -1 | sed -n 's/.*"eval_ppl": \([0-9.eE+-]*\).*/\1/p') "
  done
  python3 - "$1" "$2" "$ours_all" "$theirs_all" <<'PY'
import statistics, sys
cell, layers, ours, theirs = sys.argv[1], sys.argv[2], list(map(float, sys.argv[3].split())), list(map(float, sys.argv[4].split()))
o, t = statistics.median(ours), statistics.median(theirs)
runs = ", ".join(f"{a:.3f} / {b:.3f} ({100 * (a - b) / b:+.1f}%)" for a, b in zip(ours, theirs))
print(f"| {cell} | {layers} | {o:.4f} | {t:.4f} | {100 * (o - t) / t:+.2f}% | {runs} |")
PY
done
