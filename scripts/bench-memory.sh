#!/usr/bin/env bash
# The driver's memory estimate against the live heap a local[2] training run holds at its peak,
# per cell and layer count, each run in a JVM of its own (src/test/java/dev/rnnlm/bench/HeapPeak.java).
#   scripts/bench-memory.sh [HIDDEN] [CELL:LAYERS...]   defaults: 1024 rnn:1 gru:1 lstm:1 rnn:3 gru:3 lstm:3
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hidden="${1:-1024}"; shift $(( $# > 0 ? 1 : 0 ))
runs=("$@"); [ ${#runs[@]} -gt 0 ] || runs=(rnn:1 gru:1 lstm:1 rnn:3 gru:3 lstm:3)
mvn -q -B -DskipTests -Drnnlm.skipClassDataArchive=true package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
opens=$(sed -n 's:.*<spark.java.opens>\(.*\)</spark.java.opens>.*:\1:p' pom.xml)
export OPENBLAS_NUM_THREADS=1
exec java $opens -Xmx256m \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.rnnlm.bench.HeapPeak "$hidden" "${runs[@]}"
