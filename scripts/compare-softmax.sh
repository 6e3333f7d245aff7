#!/usr/bin/env bash
# The adaptive softmax against the full softmax on a word-level corpus: held-out perplexity after
# the same epochs and training tokens/s, both models trained in this one run, alternating by seed
# (full, adaptive, full, adaptive, ...), in PyTorch's word_language_model configuration
# (2-layer LSTM 200, embedding 200, dropout 0.2, SGD lr 20, clip 0.25, batch 20, bptt 35).
#   scripts/compare-softmax.sh [EPOCHS] [TRAIN_FILE] [HELD_OUT_FILE]
# defaults: 4, data/wikitext-2/valid.txt, data/wikitext-2/test.txt (scripts/download-word-corpus.sh)
# CUTOFFS (default 2000,10000): the adaptive softmax's; SEEDS (default "1 2 3"); TIE=1 ties the
# output layer to the embedding on both sides; EVAL_STREAMS (default 10): held-out streams.
# Tokens/s: the median over epochs 2..EPOCHS of DIR/metrics.jsonl (epoch 1 when EPOCHS is 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
epochs="${1:-4}"
train="${2:-data/wikitext-2/valid.txt}"
held_out="${3:-data/wikitext-2/test.txt}"
cutoffs="${CUTOFFS:-2000,10000}"
eval_streams="${EVAL_STREAMS:-10}"
seeds=(${SEEDS:-1 2 3})
tie=(); [[ "${TIE:-0}" == 1 ]] && tie=(--tie-weights)
for f in "$train" "$held_out"; do
  [[ -s "$f" ]] || { echo "error: $f not found or empty (scripts/download-word-corpus.sh downloads WikiText-2)" >&2; exit 1; }
done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

: > "$work/results.tsv"
for seed in "${seeds[@]}"; do
  for softmax in full adaptive; do
    run="$softmax-seed$seed"
    extra=(); [[ "$softmax" == adaptive ]] && extra=(--softmax adaptive --cutoffs "$cutoffs")
    scripts/rnnlm train --input "$train" --model "$work/$run" --tokens word-eos --cell lstm --layers 2 \
      --hidden 200 --embedding 200 "${tie[@]}" "${extra[@]}" --dropout 0.2 --lr 20 --clip 0.25 \
      --batch 20 --steps 35 --epochs "$epochs" --seed "$seed" --sample-every 0 --checkpoint-every 0 \
      --partitions 2 --master 'local[2]' > "$work/$run.log" 2>&1 \
      || { echo "error: train ($run) failed:" >&2; tail -n 20 "$work/$run.log" >&2; exit 1; }
    scripts/rnnlm evaluate --model "$work/$run" --input "$held_out" --partitions "$eval_streams" --json \
      > "$work/$run.eval" 2>&1 || { echo "error: evaluate ($run) failed:" >&2; tail -n 20 "$work/$run.eval" >&2; exit 1; }
    python3 - "$softmax" "$seed" "$work/$run" "$work/$run.eval" >> "$work/results.tsv" <<'PY'
import json, statistics, sys
softmax, seed, model, eval_out = sys.argv[1:]
ppl = next(json.loads(l)["perplexity"] for l in reversed(open(eval_out).read().splitlines())
           if l.startswith("{") and "perplexity" in l)
rates = [d["tokens_per_sec"] for d in (json.loads(l) for l in open(f"{model}/metrics.jsonl") if l.strip())
         if "tokens_per_sec" in d]
print(softmax, seed, ppl, statistics.median(rates[1:] or rates), sep="\t")
PY
  done
done

python3 - "$work/results.tsv" "$epochs" "$cutoffs" "${TIE:-0}" <<'PY'
import collections, statistics, sys
path, epochs, cutoffs, tie = sys.argv[1:]
runs = collections.defaultdict(list)
for line in open(path):
    softmax, seed, ppl, tps = line.split("\t")
    runs[softmax].append((seed, float(ppl), float(tps)))
med = {k: (statistics.median(r[1] for r in v), statistics.median(r[2] for r in v)) for k, v in runs.items()}
print(f"| output layer ({epochs} epochs{', tied' if tie == '1' else ''}) | held-out ppl | tokens/s "
      f"| per seed: ppl, tokens/s |")
print("|---|---|---|---|")
for k, name in (("full", "full softmax"), ("adaptive", f"adaptive, cutoffs {cutoffs}")):
    per = ", ".join(f"{r[1]:.2f}, {r[2]:.0f}" for r in runs[k])
    print(f"| {name} | {med[k][0]:.2f} | {med[k][1]:.0f} | {per} |")
(fp, ft), (ap, at) = med["full"], med["adaptive"]
print(f"adaptive against full: perplexity {100 * (ap - fp) / fp:+.2f}%, tokens/s {at / ft:.2f}x")
PY
