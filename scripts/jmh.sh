#!/usr/bin/env bash
# JMH micro-benchmark of the per-partition forward + backward kernel
# (src/test/java/dev/rnnlm/bench/KernelBenchmark.java). Arguments go to JMH, e.g.
#   scripts/jmh.sh -p batch=16,128 -p hidden=512
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.openjdk.jmh.Main KernelBenchmark "$@"
