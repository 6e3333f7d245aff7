#!/usr/bin/env bash
# Side by side: a character model, a word model and a BPE model trained on the same text with
# the same network and the same number of passes, compared in bits per byte of a held-out text
# (the figure that does not depend on the tokens; src/site/markdown/commands.md#evaluate).
#
#   scripts/compare-tokenizers.sh TRAIN_TEXT HELD_OUT [EPOCHS] [BPE_VOCAB] [WORD_VOCAB]
#
# Network: one LSTM layer of 256 units after a 128-wide embedding (the character model's too),
# Adam at 0.002, batch 32 x 35 steps, local[2]; EPOCHS passes (default 2) over TRAIN_TEXT.
# Words are word-eos (an <eos> per line, so line breaks count as in the other two) capped at
# WORD_VOCAB ids (default 10000); BPE learns BPE_VOCAB tokens (default 4000) from TRAIN_TEXT.
# Prints each run's epoch lines and evaluation, then a table. Build first: mvn -q -DskipTests package.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
train="${1:?usage: scripts/compare-tokenizers.sh TRAIN_TEXT HELD_OUT [EPOCHS] [BPE_VOCAB] [WORD_VOCAB]}"
held="${2:?held-out text}"
epochs="${3:-2}"
bpe_vocab="${4:-4000}"
word_vocab="${5:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
common=(--cell lstm --embedding 128 --hidden 256 --optimizer adam --lr 0.002 --batch 32 --steps 35
  --epochs "$epochs" --sample-every "$epochs" --checkpoint-every 0 --master 'local[2]' --seed 1)

run() { # name, label, tokens options...
  local name="$1" label="$2"; shift 2
  local start end
  start=$(date +%s.%N)
  "$here/scripts/rnnlm" train --input "$train" --model "$work/$name" "$@" "${common[@]}" \
    > "$work/$name.train" 2>&1 || { cat "$work/$name.train"; exit 1; }
  end=$(date +%s.%N)
  grep '^corpus:\|^bpe: learned\|^epoch \|^sample:' "$work/$name.train" | sed "s/^/[$name] /"
  "$here/scripts/rnnlm" evaluate --model "$work/$name" --input "$held" --streams 16 > "$work/$name.eval" 2>&1 \
    || { cat "$work/$name.eval"; exit 1; }
  sed "s/^/[$name] /" "$work/$name.eval"
  local vocab ppl oov bpb bpt seconds
  vocab=$(sed -n 's/^corpus: [0-9]* tokens, vocabulary \([0-9]*\),.*/\1/p' "$work/$name.train")
  ppl=$(sed -n 's/^perplexity \([0-9.]*\)/\1/p' "$work/$name.eval")
  oov=$(sed -n 's/^out of vocabulary: \([0-9.]*%\).*/\1/p' "$work/$name.eval")
  bpb=$(sed -n 's/^bits per byte \([0-9.]*\) (\([0-9.]*\) bytes.*/\1/p' "$work/$name.eval")
  bpt=$(sed -n 's/^bits per byte [0-9.]* (\([0-9.]*\) bytes.*/\1/p' "$work/$name.eval")
  seconds=$(echo "$end - $start" | bc)
  printf '| %s | %s | %s | %s | %s | %s | %.0f |\n' "$label" "$vocab" "$bpt" "$oov" "$ppl" "$bpb" "$seconds" >> "$work/table"
}

run char "char" --tokens char
run word "word-eos, --max-vocab $word_vocab" --tokens word-eos --max-vocab "$word_vocab"
run bpe "bpe, --vocab-size $bpe_vocab" --tokens bpe --vocab-size "$bpe_vocab"

echo
echo "| tokens | vocabulary | bytes per token (held-out) | held-out out of vocabulary | held-out perplexity per token | held-out bits per byte | train + evaluate (s) |"
echo "|---|---|---|---|---|---|---|"
cat "$work/table"
