#!/usr/bin/env bash
# End to end, as a user sees it: wall-clock time from command to written model of
# scripts/rnnlm train against the PyTorch reference (scripts/ref_torch_rnn.py) on the same corpus,
# same machine, alternating the programs ROUNDS times (default 3) and reporting medians.
#   scripts/bench-end-to-end.sh [CORPUS] [book|table|both|startup]
#   book:    3 epochs of 170,000 tokens, the book's configuration (H=512, B=32, T=35, sequential, d2l)
#   table:   the book's table run: the first 10,000 tokens, 500 epochs (default checkpointing)
#   startup: the time before the first step on the bundled sample (sample-data/, 1 epoch)
# CORPUS defaults to sample-data three times over. Needs the packaged jar and /usr/bin/python3
# with torch (Debian: apt-get install python3-torch).
# BASELINE=DIR adds another packaged checkout of this project (an older commit, say) to the
# alternation, so "before" and "after" are measured side by side.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-3}"
corpus="${1:-}"
which="${2:-both}"
[[ -n "$corpus" ]] || corpus="$("$here/scripts/bench-corpus.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
common=(--hidden 512 --batch 32 --steps 35)

now() { date +%s%N; }
seconds_since() { python3 -c "import sys; print((int(sys.argv[2]) - int(sys.argv[1])) / 1e9)" "$1" "$(now)"; }

# One timed run of each program; prints "seconds final_perplexity [start-up seconds]".
torch_run() { # epochs max_tokens
  local t0 ppl
  t0=$(now)
  ppl=$(/usr/bin/python3 "$here/scripts/ref_torch_rnn.py" "$corpus" --epochs "$1" "${common[@]}" \
    --threads 2 --max-tokens "$2" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["final_ppl"])')
  echo "$(seconds_since "$t0") $ppl"
}
ours_run() { # checkout epochs max_tokens [corpus]
  local t0 out
  rm -rf "$work/model"
  t0=$(now)
  out=$("$1/scripts/rnnlm" train --input "${4:-$corpus}" --model "$work/model" --epochs "$2" \
    --max-tokens "$3" --normalize d2l "${common[@]}" --master 'local[2]' --verbose 2>/dev/null)
  local elapsed ppl startup
  elapsed=$(seconds_since "$t0")
  ppl=$(echo "$out" | awk '/^epoch /{p=$4} END{print p}')
  startup=$(echo "$out" | awk '/^start-up:/{print $5 + $10 + $13}')
  echo "$elapsed $ppl $startup"
}

report() { # name epochs tokens
  local torch="" ours="" base=""
  for r in $(seq "$rounds"); do
    torch+="$(torch_run "$2" "$3");"
    ours+="$(ours_run "$here" "$2" "$3");"
    [[ -z "${BASELINE:-}" ]] || base+="$(ours_run "$BASELINE" "$2" "$3");"
  done
  python3 - "$1" "$torch" "$ours" "$base" "${BASELINE:-}" <<'PY'
import statistics, sys
name, torch, ours, base, base_dir = sys.argv[1:6]
rows = lambda s: [tuple(map(float, r.split())) for r in s.strip(";").split(";")] if s.strip(";") else []
t, o, b = rows(torch), rows(ours), rows(base)
med = statistics.median
print(f"{name}: {len(t)} rounds each, alternating (medians)")
print(f"  pytorch reference       {med(r[0] for r in t):7.1f} s   final perplexity {med(r[1] for r in t):.3f}   runs {[round(r[0], 1) for r in t]}")
for label, runs in (("spark-rnn-lm train", o), ("baseline " + base_dir, b)):
    if not runs:
        continue
    print(f"  {label:<22}  {med(r[0] for r in runs):7.1f} s   final perplexity {med(r[1] for r in runs):.3f}   runs {[round(r[0], 1) for r in runs]}")
    print(f"    before the first step {med(r[2] for r in runs):7.2f} s   (JVM + Spark, reading + vocabulary, layout)")
    print(f"    speed-up              x{med(r[0] for r in t) / med(r[0] for r in runs):.2f}")
PY
}

# The time before the first step on the bundled sample, this build against BASELINE if given.
startup() {
  local ours="" base=""
  for r in $(seq "$rounds"); do
    ours+="$(ours_run "$here" 1 0 "$here/sample-data" | awk '{print $3}') "
    [[ -z "${BASELINE:-}" ]] || base+="$(ours_run "$BASELINE" 1 0 "$here/sample-data" | awk '{print $3}') "
  done
  python3 - "$ours" "$base" "${BASELINE:-}" <<'PY'
import statistics, sys
ours, base, base_dir = sys.argv[1:4]
print(f"before the first step on sample-data/, {len(ours.split())} rounds alternating (medians)")
print(f"  spark-rnn-lm train      {statistics.median(map(float, ours.split())):.2f} s   runs {ours.split()}")
if base.split():
    print(f"  baseline {base_dir:<14} {statistics.median(map(float, base.split())):.2f} s   runs {base.split()}")
PY
}

[[ $which == startup ]] || /usr/bin/python3 "$here/scripts/blas_kernel.py"
[[ $which == book || $which == both ]] && report "3 epochs of 170,000 tokens (book configuration)" 3 170000
[[ $which == table || $which == both ]] && report "the book's table run (10,000 tokens, 500 epochs)" 500 10000
[[ $which == startup ]] && startup
exit 0
