#!/usr/bin/env bash
# Download H. G. Wells, "The Time Machine" (Project Gutenberg ebook #35) as
# plain UTF-8 text, with the Project Gutenberg header and footer removed.
set -euo pipefail

usage() {
  cat <<USAGE
Usage: $(basename "$0") [DEST]

Download "The Time Machine" by H. G. Wells (Project Gutenberg #35) to DEST
(default: data/timemachine.txt), keeping only the text between the
"*** START OF" and "*** END OF" lines.

Environment:
  CORPUS_URL  download from this URL instead (e.g. file:///tmp/pg35.txt)
USAGE
}

case "${1:-}" in -h|--help) usage; exit 0 ;; esac

dest="${1:-data/timemachine.txt}"
if [[ -n "${CORPUS_URL:-}" ]]; then
  urls=("$CORPUS_URL")
else
  urls=(https://www.gutenberg.org/cache/epub/35/pg35.txt
        https://www.gutenberg.org/files/35/35-0.txt)
fi

fetch() {  # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsL --retry 2 --connect-timeout 20 -o "$2" "$1"
  else
    wget -q --tries=3 --timeout=20 -O "$2" "$1"
  fi
}

# Keep the lines between the START and END markers; drop CRs and the blank
# lines at either end of the book.
strip_gutenberg() {
  awk '
    { sub(/\r$/, "") }
    /^\*\*\* *END OF/   { exit }
    body && NF          { printf "%s", blanks; blanks = ""; print; started = 1; next }
    body && started     { blanks = blanks "\n" }
    /^\*\*\* *START OF/ { body = 1 }
  '
}

mkdir -p "$(dirname "$dest")"
raw="$(mktemp "$dest.download.XXXXXX")"
tmp="$(mktemp "$dest.part.XXXXXX")"
trap 'rm -f "$raw" "$tmp"' EXIT

for url in "${urls[@]}"; do
  if fetch "$url" "$raw" && strip_gutenberg <"$raw" >"$tmp" && [[ -s "$tmp" ]]; then
    mv -f "$tmp" "$dest"
    echo "$dest: $(LC_ALL=C.UTF-8 wc -m <"$dest" | tr -d ' ') characters"
    exit 0
  fi
done

echo "error: could not download \"The Time Machine\" (or find its *** START OF/*** END OF markers) from: ${urls[*]}" >&2
exit 1
