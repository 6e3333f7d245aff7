#!/usr/bin/env bash
# Side-by-side throughput: this project (scripts/rnnlm bench) against the PyTorch reference
# (scripts/ref_torch_rnn.py, or $REF) on the same corpus, same machine, same run,
# alternating the programs ROUNDS times and reporting medians.
#   scripts/bench-compare.sh [CORPUS]   (default: sample-data x3, cut to 170k tokens)
#   CELL=lstm|gru [LAYERS=L] scripts/bench-compare.sh [CORPUS]: that cell here against PyTorch's
#   nn.LSTM / nn.GRU, steady state after warm-up on both sides.
# Needs: the packaged jar, /usr/bin/python3 with torch (Debian: apt-get install python3-torch).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ref="${REF:-$here/scripts/ref_torch_rnn.py}"
rounds="${ROUNDS:-3}"
corpus="${1:-}"
[[ -n "$corpus" ]] || corpus="$("$here/scripts/bench-corpus.sh")"
tokens=170000
/usr/bin/python3 "$here/scripts/blas_kernel.py"
common=(--hidden 512 --batch 32 --steps 35)
cell="${CELL:-rnn}"; layers="${LAYERS:-1}"
if [[ $cell != rnn || $layers != 1 ]]; then
  ours=""; theirs=""
  for r in $(seq "$rounds"); do
    # PyTorch's third epoch (two to warm up); ours after 300 warm-up steps.
    theirs+=" $(/usr/bin/python3 "$ref" "$corpus" --epochs 3 "${common[@]}" --threads 2 --max-tokens $tokens \
      --cell "$cell" --layers "$layers" | awk '/^epoch 3 /{print $6}')"
    ours+=" $("$here/scripts/rnnlm" bench --input "$corpus" --normalize d2l --max-tokens $tokens \
      --master 'local[2]' "${common[@]}" --cell "$cell" --layers "$layers" --warmup-steps 300 \
      --measure-steps 150 2>/dev/null | tail -1 | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["tokens_per_sec"]))')"
  done
  python3 - "$cell" "$layers" "$theirs" "$ours" <<'PY'
import statistics, sys
cell, layers, theirs, ours = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
t, o = statistics.median(theirs), statistics.median(ours)
print(f"--cell {cell} --layers {layers}, H=512 B=32 T=35, tokens/s (median of {len(ours)}, alternating)")
print(f"PyTorch nn.{cell.upper()} (2 threads): {t:.0f}  {theirs}")
print(f"spark-rnn-lm local[2]:        {o:.0f}  {ours}  ({o / t:.2f}x)")
PY
  exit 0
fi
declare -A runs
for r in $(seq "$rounds"); do
  # The reference's second epoch (its steps 152-302): its first one includes warm-up, as our
  # bench's 150 warm-up steps do.
  runs[torch]+=" $(/usr/bin/python3 "$ref" "$corpus" --epochs 2 "${common[@]}" --threads 2 --max-tokens $tokens | awk '/^epoch 2 /{print $6}')"
  runs[torch_concise]+=" $(/usr/bin/python3 "$ref" "$corpus" --epochs 2 "${common[@]}" --threads 2 --max-tokens $tokens --concise | awk '/^epoch 2 /{print $6}')"
  # book: after bench's automatic warm-up (until the JIT has settled), the rate a training run
  # keeps; early: steps 151-300, while the JIT still competes for the cores; broadcast: book
  # with the step channel executors in other JVMs use (broadcast + serialized task results)
  # instead of local mode's by-reference one. B=256 steps are kernel-bound (~8x the work of a
  # B=32 step): fewer steps say as much.
  for cfg in "book --batch 32 --measure-steps 300" \
             "early --batch 32 --warmup-steps 150 --measure-steps 150" \
             "broadcast --batch 32 --measure-steps 300" \
             "large --batch 256 --warmup-steps 50 --measure-steps 50"; do
    name=${cfg%% *}; opts=${cfg#* }
    # JAVA_TOOL_OPTIONS adds the property and keeps scripts/rnnlm's default JVM options.
    tool_opts=""
    [[ $name == broadcast ]] && tool_opts="-Drnnlm.inProcess=false"
    # shellcheck disable=SC2086
    json=$(JAVA_TOOL_OPTIONS="$tool_opts" "$here/scripts/rnnlm" bench --input "$corpus" --normalize d2l \
      --max-tokens $tokens --master 'local[2]' --hidden 512 --steps 35 $opts 2>/dev/null | tail -1)
    runs[$name]+=" $(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%d/%.1f/%.1f/%.2f" % (d["tokens_per_sec"], d["overhead_ms_median"], d["floor_ms_median"], d["efficiency"]))')"
  done
done
python3 - "${runs[torch]}" "${runs[torch_concise]}" "${runs[book]}" "${runs[early]}" "${runs[broadcast]}" "${runs[large]}" <<'PY'
import statistics, sys
torch, concise = ([float(x) for x in a.split()] for a in sys.argv[1:3])
def parse(a): return [tuple(float(v) for v in x.split("/")) for x in a.split()]
book, early, broadcast, large = (parse(a) for a in sys.argv[3:7])
med = statistics.median
t, c = med(torch), med(concise)
print(f"runs per program: {len(torch)} (medians below)")
print(f"pytorch explicit loop, 2 threads   {t:9.0f} tokens/s")
print(f"pytorch nn.RNN (--concise)          {c:9.0f} tokens/s")
for name, rows in (("spark-rnn-lm B=32 (book)", book), ("  same, steps 151-300", early),
                   ("  same, broadcast channel", broadcast), ("spark-rnn-lm B=256", large)):
    tps = med(r[0] for r in rows)
    print(f"{name:35s} {tps:9.0f} tokens/s  x{tps / t:.2f} explicit  x{tps / c:.2f} concise  "
          f"overhead {med(r[1] for r in rows):.1f} ms  floor {med(r[2] for r in rows):.1f} ms  "
          f"efficiency {med(r[3] for r in rows):.2f}")
PY
