#!/usr/bin/env bash
# JMH: forward + backward of one partition's windows for each cell type
# (src/test/java/dev/rnnlm/bench/CellBenchmark.java), then the same shape through PyTorch on one
# thread (scripts/bench-cells-torch.py). Arguments go to JMH, e.g.
#   scripts/bench-cells.sh -p cell=lstm -p layers=2 -p dropout=0.2
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.openjdk.jmh.Main CellBenchmark "$@"
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 scripts/bench-cells-torch.py
fi
