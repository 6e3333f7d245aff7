#!/usr/bin/env bash
# Time per token against corpus size: scripts/rnnlm bench (book's configuration, local[2],
# automatic warm-up, 300 measured steps) on 1x, 4x and 16x a corpus of 170k tokens, the sizes
# alternating ROUNDS times (default 3) so the machine's drift hits them alike; prints medians.
#   scripts/bench-scale.sh [CORPUS]   (default: sample-data x3, as bench-compare.sh writes it)
# Needs: the packaged jar, python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-3}"
corpus="${1:-}"
if [[ -z "$corpus" ]]; then
  corpus="$("$here/scripts/bench-corpus.sh")"
elif [[ ! -f "$corpus" ]]; then
  echo "error: corpus file not found: $corpus" >&2
  exit 2
fi
tokens=170000
for k in 4 16; do
  for _ in $(seq $k); do cat "$corpus"; done > "$here/target/bench-corpus-x$k.txt"
done
rows=""
for r in $(seq "$rounds"); do
  for k in 1 4 16; do
    input="$here/target/bench-corpus-x$k.txt"
    [[ $k == 1 ]] && input="$corpus"
    rows+="$("$here/scripts/rnnlm" bench --input "$input" --normalize d2l --max-tokens $((k * tokens)) \
      --master 'local[2]' --hidden 512 --steps 35 --batch 32 --measure-steps 300 2>/dev/null | tail -1)"$'\n'
  done
done
printf '%s' "$rows" | python3 -c '
import json, statistics, sys
by = {}
for line in sys.stdin:
    d = json.loads(line)
    by.setdefault(d["corpus_tokens"], []).append(d)
print("runs per size: %d (medians)" % len(next(iter(by.values()))))
print("corpus tokens  tokens/s  step ms  us/token  cached bytes/token  driver heap MB")
base = None
for n in sorted(by):
    m = lambda k: statistics.median(d[k] for d in by[n])
    us = 1e6 / m("tokens_per_sec")
    base = base or us
    print("%13d  %8.0f  %7.1f  %8.2f  %18.2f  %14.0f   (time/token x%.2f)" % (n, m("tokens_per_sec"),
          m("step_ms_median"), us, m("cached_bytes_per_token"), m("driver_heap_mb"), us / base))
'
