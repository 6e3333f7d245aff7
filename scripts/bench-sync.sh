#!/usr/bin/env bash
# --sync-every and --aggregation-fan-in measured side by side on a standalone cluster of two
# one-core workers (started here, on 127.0.0.1) and in local[2]: wall time, tokens/s and held-out
# perplexity per K, then 64 partitions with fan-in 8 (src/test/java/dev/rnnlm/bench/SyncScaling.java).
#   scripts/bench-sync.sh [OUT_DIR] [EPOCHS] [K...]      defaults: target/bench-sync 20 1 4 16 64 epoch
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-target/bench-sync}"; epochs="${2:-20}"; shift $(( $# > 2 ? 2 : $# ))
everies=("$@"); [ ${#everies[@]} -gt 0 ] || everies=(1 4 16 64 epoch)
rm -rf "$out"
mvn -q -B -DskipTests -Drnnlm.skipClassDataArchive=true package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
opens=$(sed -n 's:.*<spark.java.opens>\(.*\)</spark.java.opens>.*:\1:p' pom.xml)
export OPENBLAS_NUM_THREADS=1
exec java $opens -Drnnlm.javaOpens="$opens" -Xmx2g \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.rnnlm.bench.SyncScaling "$out" "$epochs" "${everies[@]}"
