#!/usr/bin/env bash
# Download the WikiText-2 word corpus (Merity et al. 2016, "Pointer Sentinel Mixture Models";
# CC BY-SA 3.0) as the copy kept beside PyTorch's word_language_model example: valid.txt
# (217,646 words counting an <eos> per line), used as training text, and test.txt (245,569),
# held out. Downloaded, not committed: the project does not redistribute it.
set -euo pipefail

usage() {
  cat <<USAGE
Usage: $(basename "$0") [DEST_DIR]

Download WikiText-2's valid.txt (training text for scripts/compare-word.sh) and test.txt
(held-out text) from pytorch/examples' word_language_model/data/wikitext-2/ into DEST_DIR
(default: data/wikitext-2). WikiText-2 is CC BY-SA 3.0 (Merity et al. 2016).

Environment:
  CORPUS_URL_BASE  download from this base URL instead (e.g. file:///tmp/wikitext-2); the
                   files are CORPUS_URL_BASE/valid.txt and CORPUS_URL_BASE/test.txt
USAGE
}

case "${1:-}" in -h|--help) usage; exit 0 ;; -*) echo "error: unknown option $1 (try --help)" >&2; exit 2 ;; esac
[[ $# -le 1 ]] || { echo "error: at most one argument, DEST_DIR, got $# (try --help)" >&2; exit 2; }

dest="${1:-data/wikitext-2}"
base="${CORPUS_URL_BASE:-https://raw.githubusercontent.com/pytorch/examples/main/word_language_model/data/wikitext-2}"
base="${base%/}"

fetch() {  # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsL --retry 2 --connect-timeout 20 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 --timeout=20 -O "$2" "$1"
  else
    echo "error: neither curl nor wget is installed" >&2
    exit 1
  fi
}

mkdir -p "$dest" || { echo "error: cannot create directory $dest" >&2; exit 1; }
tmp=""
trap 'rm -f "$tmp"' EXIT
for name in valid test; do
  url="$base/$name.txt"
  tmp="$(mktemp "$dest/$name.txt.part.XXXXXX")"
  if ! fetch "$url" "$tmp" || [[ ! -s "$tmp" ]]; then
    echo "error: could not download WikiText-2 $name.txt from $url" >&2
    exit 1
  fi
  mv -f "$tmp" "$dest/$name.txt"
  tmp=""
  # Words as the reference and compare-word.sh count them: whitespace-separated, plus <eos> per line.
  echo "$dest/$name.txt: $(awk '{ n += NF + 1 } END { print n + 0 }' "$dest/$name.txt") words (with <eos> per line), $(wc -l <"$dest/$name.txt" | tr -d ' ') lines"
done
