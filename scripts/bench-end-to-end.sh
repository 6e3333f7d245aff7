#!/usr/bin/env bash
# End to end, as a user sees it: wall-clock time from command to written model of
# scripts/rnnlm train against the PyTorch reference (scripts/ref_torch_rnn.py) on the same corpus,
# same machine, alternating the programs ROUNDS times (default 3) and reporting medians.
#   scripts/bench-end-to-end.sh [CORPUS] [book|table|both]
#   book:  3 epochs of 170,000 tokens, the book's configuration (H=512, B=32, T=35, sequential, d2l)
#   table: the book's table run: the first 10,000 tokens, 500 epochs (default checkpointing)
# CORPUS defaults to sample-data three times over. Needs the packaged jar and /usr/bin/python3
# with torch (Debian: apt-get install python3-torch).
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
ours_run() { # epochs max_tokens
  local t0 out
  rm -rf "$work/model"
  t0=$(now)
  out=$("$here/scripts/rnnlm" train --input "$corpus" --model "$work/model" --epochs "$1" \
    --max-tokens "$2" --normalize d2l "${common[@]}" --master 'local[2]' --verbose 2>/dev/null)
  local elapsed ppl startup
  elapsed=$(seconds_since "$t0")
  ppl=$(echo "$out" | awk '/^epoch /{p=$4} END{print p}')
  startup=$(echo "$out" | awk '/^start-up:/{print $5 + $10 + $13}')
  echo "$elapsed $ppl $startup"
}

report() { # name epochs tokens
  local torch="" ours=""
  for r in $(seq "$rounds"); do
    torch+="$(torch_run "$2" "$3");"
    ours+="$(ours_run "$2" "$3");"
  done
  python3 - "$1" "$torch" "$ours" <<'PY'
import statistics, sys
name, torch, ours = sys.argv[1], sys.argv[2], sys.argv[3]
t = [tuple(map(float, r.split())) for r in torch.strip(";").split(";")]
o = [tuple(map(float, r.split())) for r in ours.strip(";").split(";")]
med = statistics.median
print(f"{name}: {len(t)} rounds each, alternating (medians)")
print(f"  pytorch reference       {med(r[0] for r in t):7.1f} s   final perplexity {med(r[1] for r in t):.3f}   runs {[round(r[0], 1) for r in t]}")
print(f"  spark-rnn-lm train      {med(r[0] for r in o):7.1f} s   final perplexity {med(r[1] for r in o):.3f}   runs {[round(r[0], 1) for r in o]}")
print(f"  before the first step   {med(r[2] for r in o):7.2f} s   (JVM + Spark, reading + vocabulary, layout)")
print(f"  speed-up                x{med(r[0] for r in t) / med(r[0] for r in o):.2f}")
PY
}

[[ $which == book || $which == both ]] && report "3 epochs of 170,000 tokens (book configuration)" 3 170000
[[ $which == table || $which == both ]] && report "the book's table run (10,000 tokens, 500 epochs)" 500 10000
