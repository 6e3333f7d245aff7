#!/usr/bin/env bash
# Compiles the native recurrent-product kernel into the jar's resources (called by Maven in the
# compile phase). Optional: without gcc, the JNI headers or an x86-64 Linux host it only warns,
# and the program multiplies with BLAS instead (it logs which kernel it uses).
# Usage: build.sh OUTPUT_DIR JAVA_HOME
set -euo pipefail
out=$1
java_home=$2
here=$(cd "$(dirname "$0")" && pwd)

skip() {
  echo "[WARNING] native kernel not built: $1; the recurrent products will use BLAS" >&2
  exit 0
}
[[ $(uname -s) == Linux && $(uname -m) == x86_64 ]] || skip "not an x86-64 Linux host"
command -v gcc >/dev/null || skip "gcc not found (apt-get install gcc)"
include=$java_home/include
[[ -e $include/jni.h ]] || skip "no JNI headers in $include (install a JDK, not a JRE)"

mkdir -p "$out/native/linux-x86_64"
gcc -O3 -fPIC -shared -std=c11 -Wall \
  -I"$include" -I"$include/linux" \
  -o "$out/native/linux-x86_64/librnnlm_kernels.so" "$here/packed_matrix.c"
