#!/usr/bin/env bash
# Held-out perplexity and training tokens/s of a word-level 2-layer LSTM with a 200-wide word
# embedding, untied and with tied input/output weights, against the same model in PyTorch
# (scripts/ref_torch_word.py, which follows pytorch/examples word_language_model) in that
# example's configuration: emsize = hidden = 200, 2 layers, dropout 0.2, SGD lr 20, clip 0.25,
# batch 20, bptt 35. Corpus: WikiText-2 (scripts/download-word-corpus.sh): valid.txt as training
# text, test.txt held out, both scored as EVAL_STREAMS contiguous streams (default 10, the
# example's eval batch size).
#   scripts/compare-word.sh [EPOCHS] [TRAIN_FILE] [HELD_OUT_FILE]
# defaults: 4, data/wikitext-2/valid.txt, data/wikitext-2/test.txt
# SEEDS (default "1 2 3"): each side trains once per seed, ours then the reference, and the
# medians are compared; CONFIGS (default "untied tied") picks the configurations.
# Tokens/s are training tokens per second of wall time, the median over epochs 2..EPOCHS (epoch 1
# when EPOCHS is 1): ours from DIR/metrics.jsonl, the reference's from its epoch timings.
# Words: the reference (as data.py) ends every line with an <eos> word, and so does our
# --tokens word-eos: both sides see the same words and the same vocabulary (<unk> + the training
# words, <eos> included). The script warns when the two sides' token or vocabulary counts differ.
# The reference runs on /usr/bin/python3 with 2 threads and the environment as given (on a
# machine busy with other work, OMP_WAIT_POLICY=PASSIVE keeps torch's spinning OpenMP threads from
# slowing it several-fold; on AVX-512 CPUs that Debian's OpenBLAS 0.3.21 does not know,
# OPENBLAS_CORETYPE=SkylakeX).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
epochs="${1:-4}"
train="${2:-data/wikitext-2/valid.txt}"
held_out="${3:-data/wikitext-2/test.txt}"
eval_streams="${EVAL_STREAMS:-10}"
seeds=(${SEEDS:-1 2 3})
configs=(${CONFIGS:-untied tied})
for f in "$train" "$held_out"; do
  [[ -s "$f" ]] || { echo "error: $f not found or empty (scripts/download-word-corpus.sh downloads WikiText-2)" >&2; exit 1; }
done
for c in "${configs[@]}"; do
  [[ "$c" == untied || "$c" == tied ]] || { echo "error: CONFIGS may hold untied and tied, got '$c'" >&2; exit 1; }
done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

common=(--layers 2 --hidden 200 --dropout 0.2 --lr 20 --clip 0.25 --batch 20 --steps 35
        --epochs "$epochs")

fail() {  # fail WHAT LOG
  echo "error: $1 failed; the end of its output:" >&2
  tail -n 20 "$2" >&2
  exit 1
}

: > "$work/results.tsv"
for config in "${configs[@]}"; do
  ours_tie=(); theirs_tie=()
  if [[ "$config" == tied ]]; then ours_tie=(--tie-weights); theirs_tie=(--tied); fi
  for seed in "${seeds[@]}"; do
    run="$config-seed$seed"
    scripts/rnnlm train --input "$train" --model "$work/ours-$run" --tokens word-eos --cell lstm \
      --embedding 200 "${ours_tie[@]}" --seed "$seed" --sample-every 0 --checkpoint-every 0 --partitions 2 \
      --master 'local[2]' "${common[@]}" > "$work/ours-$run.log" 2>&1 || fail "ours ($run): train" "$work/ours-$run.log"
    scripts/rnnlm evaluate --model "$work/ours-$run" --input "$held_out" --partitions "$eval_streams" --json \
      > "$work/ours-$run.eval" 2>&1 || fail "ours ($run): evaluate" "$work/ours-$run.eval"
    /usr/bin/python3 scripts/ref_torch_word.py "$train" "$held_out" --emsize 200 "${theirs_tie[@]}" \
      --seed "$seed" --threads 2 --eval-streams "$eval_streams" "${common[@]}" \
      > "$work/theirs-$run.log" 2>&1 || fail "reference ($run)" "$work/theirs-$run.log"
    python3 - "$config" "$seed" "$work/ours-$run" "$work/ours-$run.log" "$work/ours-$run.eval" \
        "$work/theirs-$run.log" >> "$work/results.tsv" <<'PY'
import json, re, statistics, sys
config, seed, model, train_log, eval_out, ref_log = sys.argv[1:]

def last_json(path, key):
    for line in reversed(open(path, encoding="utf-8", errors="replace").read().splitlines()):
        line = line.strip()
        if line.startswith("{") and key in line:
            return json.loads(line)
    sys.exit(f"error: no JSON line with {key} in {path}")

ours_ppl = last_json(eval_out, "perplexity")["perplexity"]
try:  # tokens/s per epoch: metrics.jsonl, else train's epoch lines
    rates = [d["tokens_per_sec"] for d in (json.loads(l) for l in open(f"{model}/metrics.jsonl") if l.strip())
             if "tokens_per_sec" in d]
except OSError:
    rates = []
if not rates:
    rates = [float(m.group(1)) for m in re.finditer(r"^epoch \d+ perplexity \S+ tokens/s (\S+)",
                                                    open(train_log).read(), re.M)]
if not rates:
    sys.exit(f"error: no tokens/s per epoch in {model}/metrics.jsonl or {train_log}")
ours_tps = statistics.median(rates[1:] or rates)
ref = last_json(ref_log, "final_heldout_ppl")
m = re.search(r"^corpus: (\d+) tokens, vocabulary (\d+)", open(train_log).read(), re.M)
if m and (int(m.group(1)), int(m.group(2))) != (ref["train_tokens"], ref["vocab"]):
    print(f"warning: {config} seed {seed}: ours read {m.group(1)} tokens, vocabulary {m.group(2)}; "
          f"the reference {ref['train_tokens']} tokens, vocabulary {ref['vocab']}", file=sys.stderr)
print(config, seed, ours_ppl, ours_tps, ref["final_heldout_ppl"], ref["tokens_per_sec"], sep="\t")
PY
  done
done

/usr/bin/python3 scripts/blas_kernel.py
python3 - "$work/results.tsv" "$epochs" "${seeds[*]}" <<'PY'
import collections, statistics, sys
path, epochs, seeds = sys.argv[1:]
runs = collections.OrderedDict()
for line in open(path):
    config, seed, *vals = line.split("\t")
    runs.setdefault(config, []).append((seed, *map(float, vals)))
print(f"| configuration ({epochs} epochs) | spark-rnn-lm held-out ppl | PyTorch held-out ppl | difference "
      f"| spark-rnn-lm tokens/s | PyTorch tokens/s | ratio | per seed ({seeds}): ours / PyTorch ppl, tokens/s |")
print("|---|---|---|---|---|---|---|---|")
for config, rs in runs.items():
    o, t = statistics.median(r[1] for r in rs), statistics.median(r[3] for r in rs)
    ot, tt = statistics.median(r[2] for r in rs), statistics.median(r[4] for r in rs)
    per = ", ".join(f"{r[1]:.2f} / {r[3]:.2f}, {r[2]:.0f} / {r[4]:.0f}" for r in rs)
    name = "LSTM 2x200, embedding 200" + (", tied" if config == "tied" else "")
    print(f"| {name} | {o:.2f} | {t:.2f} | {100 * (o - t) / t:+.2f}% | {ot:.0f} | {tt:.0f} | {ot / tt:.2f}x | {per} |")
PY
