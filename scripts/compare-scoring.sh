#!/usr/bin/env bash
# Scoring speed against training speed, side by side in one run: `evaluate --streams N` of a
# trained model on a held-out text for each N, and one training epoch of the same model's
# configuration on its own training text, alternating round by round
# (train, evaluate N1, evaluate N2, ..., train, ...).
#   scripts/compare-scoring.sh MODEL_DIR HELD_OUT_TEXT [ROUNDS]
# ROUNDS defaults to 3; STREAMS (default "1 10 64"): the stream counts; MASTER (default local[2]).
# Prints a markdown table: per stream count the held-out perplexity, its difference from one
# stream and the median scoring tokens/s (the scoring job only: evaluate's "scored ..." line); and the
# median training tokens/s (metrics.jsonl of each one-epoch run, same partitions as recorded).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
model="${1:?usage: scripts/compare-scoring.sh MODEL_DIR HELD_OUT_TEXT [ROUNDS]}"
held_out="${2:?usage: scripts/compare-scoring.sh MODEL_DIR HELD_OUT_TEXT [ROUNDS]}"
rounds="${3:-3}"
streams=(${STREAMS:-1 10 64})
master="${MASTER:-local[2]}"
[[ -s "$model/model.json" ]] || { echo "error: $model is not a model directory (no model.json)" >&2; exit 1; }
[[ -s "$held_out" ]] || { echo "error: $held_out not found or empty" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The model's recorded training options as a --config file, for one epoch without side outputs.
python3 - "$model/model.json" > "$work/train.properties" <<'PY'
import json, sys
training = json.load(open(sys.argv[1]))["training"]
training.update({"epochs": "1", "sample-every": "0", "checkpoint-every": "0", "val": "", "val-fraction": "0.0"})
for key, value in training.items():
    if value != "":
        print(f"{key}={value}")
PY

: > "$work/results.tsv"
for round in $(seq 1 "$rounds"); do
  scripts/rnnlm train --config "$work/train.properties" --model "$work/train-$round" --master "$master" \
    > "$work/train-$round.log" 2>&1 || { echo "error: train failed:" >&2; tail -n 20 "$work/train-$round.log" >&2; exit 1; }
  python3 -c 'import json,sys; print("train", "", json.loads(open(sys.argv[1]).readline())["tokens_per_sec"], sep="\t")' \
    "$work/train-$round/metrics.jsonl" >> "$work/results.tsv"
  for n in "${streams[@]}"; do
    scripts/rnnlm evaluate --model "$model" --input "$held_out" --streams "$n" --master "$master" \
      > "$work/eval-$n-$round.out" 2> "$work/eval-$n-$round.err" \
      || { echo "error: evaluate --streams $n failed:" >&2; tail -n 20 "$work/eval-$n-$round.err" >&2; exit 1; }
    python3 - "$n" "$work/eval-$n-$round.out" >> "$work/results.tsv" <<'PY'
import re, sys
n, path = sys.argv[1:]
out = open(path).read()
ppl = re.search(r"^perplexity (\S+)$", out, re.M).group(1)
tokens, seconds = re.search(r"^scored ([\d,]+) tokens in .* in (\S+) s ", out, re.M).groups()
print("eval", n, int(tokens.replace(",", "")) / float(seconds), ppl, sep="\t")
PY
  done
done

python3 - "$work/results.tsv" "$rounds" "$model" "$held_out" <<'PY'
import collections, statistics, sys
path, rounds, model, held_out = sys.argv[1:]
train, rates, ppl = [], collections.defaultdict(list), {}
for line in open(path):
    kind, n, tps, *rest = line.rstrip("\n").split("\t")
    if kind == "train":
        train.append(float(tps))
    else:
        rates[int(n)].append(float(tps))
        ppl[int(n)] = float(rest[0])
t = statistics.median(train)
base = ppl.get(1)
print(f"{model} scoring {held_out}, medians of {rounds} alternating rounds")
print("| streams | held-out ppl | vs 1 stream | scoring tokens/s | vs training |")
print("|---|---|---|---|---|")
for n in sorted(rates):
    r = statistics.median(rates[n])
    diff = f"{100 * (ppl[n] / base - 1):+.3f}%" if base else "-"
    print(f"| {n} | {ppl[n]:.3f} | {diff} | {r:,.0f} | {r / t:.2f}x |")
print(f"| training (1 epoch, same configuration) | | | {t:,.0f} | 1.00x |")
PY
