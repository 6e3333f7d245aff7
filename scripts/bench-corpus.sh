#!/usr/bin/env bash
# The benchmark scripts' default corpus: sample-data three times over (about 240,000 characters;
# the scripts cut it to 170,000 tokens with --max-tokens), written to target/bench-corpus.txt.
# Prints its path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$here/target/bench-corpus.txt"
mkdir -p "$here/target"
for _ in 1 2 3; do cat "$here"/sample-data/*.txt; done > "$corpus"
echo "$corpus"
