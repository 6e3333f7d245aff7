#!/usr/bin/env bash
# Submits spark-rnn-lm to Spark with $SPARK_HOME/bin/spark-submit (build the jar first:
# mvn -q -DskipTests package).
#
#   scripts/submit.sh [spark-submit options] -- COMMAND [command options]
#   scripts/submit.sh --master yarn --num-executors 4 -- train --input hdfs:///corpus --model hdfs:///models/m1
#
# Everything before `--` goes to spark-submit; then come the application jar
# (target/spark-rnn-lm.jar, main class dev.rnnlm.cli.Main) and COMMAND with its options. The
# master given to spark-submit (or its configuration) wins over the command's --master.
# Unless already set (by --conf, --driver-java-options, a --properties-file or
# --extra-properties-file, or the installation's spark-defaults.conf when spark-submit reads it),
# these are added:
#   spark.driver.extraJavaOptions, spark.executor.extraJavaOptions   Java 17 module options
#   spark.executorEnv.OPENBLAS_NUM_THREADS=1                           one BLAS thread per task slot
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/target/spark-rnn-lm.jar"

usage() {
  echo "usage: scripts/submit.sh [spark-submit options] -- COMMAND [command options]"
  echo "       (commands and their options as for scripts/rnnlm: scripts/rnnlm --help)"
}

if (($# == 1)) && [[ $1 == -h || $1 == --help ]]; then
  usage
  exit 0
fi

submit_opts=()
while (($#)) && [[ $1 != -- ]]; do
  submit_opts+=("$1")
  shift
done
if (($# < 2)); then
  if (($# == 0)); then
    echo "error: missing '--' before the command" >&2
  else
    echo "error: missing COMMAND after '--'" >&2
  fi
  usage >&2
  exit 2
fi
shift # the --

submit="${SPARK_HOME:-\$SPARK_HOME}/bin/spark-submit"
if [[ -z "${SPARK_HOME:-}" || ! -x "$submit" ]]; then
  echo "error: $submit not found (set SPARK_HOME to a Spark 4.2 installation)" >&2
  exit 2
fi
if [[ ! -f "$jar" ]]; then
  echo "error: $jar not found; build it with: mvn -q -DskipTests package" >&2
  exit 2
fi

# Java 17 module openings Spark needs: the list of pom.xml (spark.java.opens) and scripts/rnnlm.
opens="-XX:+IgnoreUnrecognizedVMOptions"
opens+=" --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
opens+=" --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
opens+=" --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
opens+=" --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
opens+=" --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED"
opens+=" --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED"
opens+=" --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
opens+=" -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"

# What the user's spark-submit options already set.
given=" "          # keys set with --conf, space-separated
props_file=""      # --properties-file
extra_files=()     # --extra-properties-file, read on top of the others
load_defaults=false
has_class=false
i=0
while ((i < ${#submit_opts[@]})); do
  opt="${submit_opts[i]}"
  next="${submit_opts[i + 1]:-}"
  case "$opt" in
    --conf | -c) given+="${next%%=*} "; i=$((i + 1)) ;;
    --conf=*) value="${opt#--conf=}"; given+="${value%%=*} " ;;
    --driver-java-options) given+="spark.driver.extraJavaOptions "; i=$((i + 1)) ;;
    --driver-java-options=*) given+="spark.driver.extraJavaOptions " ;;
    --properties-file) props_file="$next"; i=$((i + 1)) ;;
    --properties-file=*) props_file="${opt#--properties-file=}" ;;
    --extra-properties-file) extra_files+=("$next"); i=$((i + 1)) ;;
    --extra-properties-file=*) extra_files+=("${opt#--extra-properties-file=}") ;;
    --load-spark-defaults) load_defaults=true ;;
    --class) has_class=true; i=$((i + 1)) ;;
    --class=*) has_class=true ;;
  esac
  i=$((i + 1))
done
# The files spark-submit reads settings from: the --properties-file, else (or also, with
# --load-spark-defaults) the installation's spark-defaults.conf; and every --extra-properties-file.
files=(${extra_files[@]+"${extra_files[@]}"})
[[ -n "$props_file" ]] && files+=("$props_file")
if [[ -z "$props_file" ]] || $load_defaults; then
  files+=("${SPARK_CONF_DIR:-$SPARK_HOME/conf}/spark-defaults.conf")
fi

is_set() {
  [[ "$given" == *" $1 "* ]] && return 0
  local f key="${1//./\\.}"
  for f in "${files[@]}"; do
    [[ -f "$f" ]] && grep -Eq "^[[:space:]]*${key}([[:space:]]|=|:)" "$f" && return 0
  done
  return 1
}

defaults=()
$has_class || defaults+=(--class dev.rnnlm.cli.Main)
is_set spark.driver.extraJavaOptions || defaults+=(--conf "spark.driver.extraJavaOptions=$opens")
is_set spark.executor.extraJavaOptions || defaults+=(--conf "spark.executor.extraJavaOptions=$opens")
is_set spark.executorEnv.OPENBLAS_NUM_THREADS || defaults+=(--conf spark.executorEnv.OPENBLAS_NUM_THREADS=1)

exec "$submit" "${defaults[@]}" "${submit_opts[@]}" "$jar" "$@"
