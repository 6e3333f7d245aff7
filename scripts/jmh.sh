#!/usr/bin/env bash
# JMH micro-benchmarks (src/test/java/dev/rnnlm/bench): the per-partition forward + backward
# kernel (KernelBenchmark, the default) or another benchmark class named first. The other
# arguments go to JMH, e.g.
#   scripts/jmh.sh -p batch=16,128 -p hidden=512
#   scripts/jmh.sh SoftmaxBenchmark -p vocab=33278
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
benchmark=KernelBenchmark
if [[ $# -gt 0 && $1 != -* ]]; then
  benchmark=$1
  shift
fi
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.openjdk.jmh.Main "$benchmark" "$@"
