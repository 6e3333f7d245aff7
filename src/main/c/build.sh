#!/usr/bin/env bash
# Compiles the native kernels (the recurrent products, the softmax's row passes) into the jar's resources (called by Maven in the
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
lib="$out/native/linux-x86_64"
objects=$(mktemp -d)
trap 'rm -rf "$objects"' EXIT
flags=(-O3 -fPIC -std=c11 -Wall -I"$include" -I"$include/linux")
gcc "${flags[@]}" -c -o "$objects/packed_matrix.o" "$here/packed_matrix.c"
# -ffp-contract=off: softmax_rows.c promises the bits of Java's unfused multiplies and adds.
gcc "${flags[@]}" -ffp-contract=off -c -o "$objects/softmax_rows.o" "$here/softmax_rows.c"
gcc -shared -o "$lib/librnnlm_kernels.so" "$objects/packed_matrix.o" "$objects/softmax_rows.o"
