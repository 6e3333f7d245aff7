#!/usr/bin/env bash
# RnnLMModel.transform's scoring throughput: ROWS rows of 10-50 words cut from TEXT, scored in
# local[PARTITIONS] for ROUNDS rounds (src/test/java/dev/rnnlm/ml/TransformThroughput.java).
#   scripts/bench-transform.sh MODEL_DIR TEXT [ROWS] [ROUNDS] [PARTITIONS]   defaults: 100000 3 2
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# -ge 2 ]] || { echo "usage: scripts/bench-transform.sh MODEL_DIR TEXT [ROWS] [ROUNDS] [PARTITIONS]" >&2; exit 2; }
[[ -s "$1/model.json" ]] || { echo "error: $1 is not a model directory (no model.json)" >&2; exit 1; }
[[ -s "$2" ]] || { echo "error: $2 not found or empty" >&2; exit 1; }
if [[ ! -s target/test-classpath.txt || ! -f target/test-classes/dev/rnnlm/ml/TransformThroughput.class ]]; then
  mvn -q -B -DskipTests -Drnnlm.skipClassDataArchive=true package dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
fi
opens=$(sed -n 's:.*<spark.java.opens>\(.*\)</spark.java.opens>.*:\1:p' pom.xml)
exec java $opens -Xmx4g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.rnnlm.ml.TransformThroughput "$@" 2> >(grep -v -e WARN -e '^[0-9/: ]*INFO' >&2)
