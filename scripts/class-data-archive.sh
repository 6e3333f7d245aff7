#!/usr/bin/env bash
# Builds target/rnnlm.jsa, a class-data sharing archive of the classes a training run loads
# (Spark, Hadoop, Scala, this program), so that scripts/rnnlm starts in about half the time:
# the JVM maps the classes already parsed and verified instead of loading ~10,000 from jars.
# Run by `mvn package` after the jar and target/lib are in place; a JVM without dynamic
# archives or a failing run only costs the speed-up (scripts/rnnlm runs without the archive).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
archive="$here/target/rnnlm.jsa"
work="$here/target/class-data-training"
rm -rf "$work" "$archive" "$archive".*.tmp
tmp="$archive.$$.tmp"
# A short run through every phase of train: Spark start, reading, vocabulary, layout, steps,
# checkpoint, plot, final save.
if RNNLM_CDS_DUMP="$tmp" "$here/scripts/rnnlm" train --input "$here/sample-data" --model "$work" \
    --epochs 2 --hidden 16 --batch 8 --steps 10 --max-tokens 4000 --sample-every 1 \
    --master 'local[2]' >"$work.log" 2>&1 && [[ -s "$tmp" ]]; then
  mv "$tmp" "$archive"
  echo "class-data archive: $archive"
else
  rm -f "$tmp"
  echo "warning: no class-data archive (scripts/rnnlm starts without it); see $work.log" >&2
fi
rm -rf "$work"
exit 0
