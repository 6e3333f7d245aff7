#!/usr/bin/env bash
# The main job on its embedded default: train on sample-data/ with local Spark, then show
# generated text and the perplexity of the sample corpus under the model.
# Build first: mvn -q -DskipTests package
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rnnlm="$here/scripts/rnnlm"
# The default model directory is the demo's own: running the demo again replaces it (the old model
# stays until the new one is complete). A directory given as $1 is guarded like any --model.
if [[ -n "${1:-}" ]]; then
  model="$1"
  replace=()
else
  model="$here/target/models/sample"
  replace=(--overwrite)
fi
"$rnnlm" train --config "$here/conf/sample-data.properties" --input "$here/sample-data" --model "$model" "${replace[@]}"
echo
echo "== generate (greedy)"
"$rnnlm" generate --model "$model" --prefix "The keeper" --length 200
echo
echo "== generate (temperature 0.8, seed 1)"
"$rnnlm" generate --model "$model" --prefix "The clockmaker" --length 200 --temperature 0.8 --seed 1
echo
echo "== evaluate sample-data"
"$rnnlm" evaluate --model "$model" --input "$here/sample-data"
