#!/usr/bin/env bash
# How long `train --tokens bpe` takes to learn its merges as the corpus grows, and whether the
# learned tokenizer.json depends on anything but the text.
#
#   scripts/bench-bpe.sh TEXT [VOCAB_SIZE] [MB...]
#
# For each size (default 5 10 20 MB) the first MB megabytes of TEXT (whole lines) are written to
# a scratch directory and learned from, in local[2], with --vocab-size VOCAB_SIZE (default 8000);
# the largest size is learned twice more: again as one file, and cut into 8 files (8 input
# partitions instead of 1-2). Prints the learning's own log lines, a table, and whether the three
# tokenizer.json files of the largest size are byte-identical. Training itself is cut to a few
# steps (--max-tokens), so what is timed is learning the merges and encoding the text.
# Build first: mvn -q -DskipTests package.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
text="${1:?usage: scripts/bench-bpe.sh TEXT [VOCAB_SIZE] [MB...]}"
vocab="${2:-8000}"
shift $(( $# >= 2 ? 2 : 1 ))
sizes=("${@:-5 10 20}")
read -r -a sizes <<< "${sizes[*]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

learn() { # name input
  local name="$1" input="$2"
  local log="$work/$name.log"
  "$here/scripts/rnnlm" train --input "$input" --model "$work/$name" --tokens bpe --vocab-size "$vocab" \
    --embedding 16 --hidden 16 --batch 2 --steps 5 --epochs 1 --max-tokens 200 --sample-every 0 \
    --checkpoint-every 0 --master 'local[2]' --verbose > "$log" 2>&1 || { cat "$log"; exit 1; }
  grep '^bpe: \|^start-up' "$log" | sed "s/^/[$name] /"
  local words distinct count merge read
  words=$(sed -n 's/^bpe: \([0-9,]*\) words (\([0-9,]*\) distinct) counted in \([0-9.]*\) s.*/\1 \2 \3/p' "$log")
  merge=$(sed -n 's/^bpe: learned .* merging \([0-9.]*\) s.*/\1/p' "$log")
  read=$(sed -n 's/^start-up: .*reading + vocabulary \([0-9.]*\) s.*/\1/p' "$log")
  printf '%s %s %s %s\n' "$name" "$words" "$merge" "$read" >> "$work/table"
}

largest=0
for mb in "${sizes[@]}"; do
  head -c $((mb * 1000 * 1000)) "$text" | sed '$d' > "$work/text-$mb.txt" # whole lines only
  learn "${mb}MB" "$work/text-$mb.txt"
  largest=$mb
done
learn "${largest}MB-again" "$work/text-$largest.txt"
mkdir "$work/split-$largest"
split -n l/8 "$work/text-$largest.txt" "$work/split-$largest/part-"
learn "${largest}MB-in-8-files" "$work/split-$largest"

echo
echo "| text | words | distinct words | counting (s) | merging (s) | encoding the corpus (s) |"
echo "|---|---|---|---|---|---|"
while read -r name words distinct count merge read; do
  echo "| $name | $words | $distinct | $count | $merge | $read |"
done < "$work/table"
echo
for other in "${largest}MB-again" "${largest}MB-in-8-files"; do
  if cmp -s "$work/${largest}MB/tokenizer.json" "$work/$other/tokenizer.json"; then
    echo "tokenizer.json of ${largest}MB and $other: byte-identical"
  else
    echo "tokenizer.json of ${largest}MB and $other: DIFFERENT"
  fi
done
