#!/usr/bin/env bash
# Prints the path of the bf16 dot-product library (bf16-dot.c, ai.t2l.compute.Bf16Dot) for -Dt2l.native.bf16dot,
# building it first when it is missing or older than its source; prints nothing where it cannot run or be built:
# not Linux on x86-64, a CPU without AVX512_BF16, no C compiler, or no jni.h beside the JVM (then `--heads bf16dot`
# says so, and every other path runs as before). Used by the ./t2l launcher and by the tests (with LIBRARY).
# Usage: bf16-dot.sh REPOSITORY_ROOT JAVA [LIBRARY]
set -euo pipefail
root="$1"
java_bin="$2"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || exit 0
grep -qm1 '^flags.*\bavx512_bf16\b' /proc/cpuinfo 2>/dev/null || exit 0
src="$root/t2l-core/src/main/native/bf16-dot.c"
lib="${3:-$root/t2l-core/target/native/libt2l-bf16-dot.so}"
if [ ! -f "$lib" ] || [ "$src" -nt "$lib" ]; then
  cc_bin="$(command -v cc || command -v gcc || true)"
  [ -n "$cc_bin" ] || exit 0
  # jni.h comes with the JDK that runs us (JNI's interface is the same in every version since 1.2)
  java_path="$(readlink -f "$(command -v "$java_bin" || echo "$java_bin")" 2>/dev/null || true)"
  include="$(dirname "$(dirname "$java_path")")/include"
  if [ ! -f "$include/jni.h" ]; then
    include="$(dirname "$(ls /usr/lib/jvm/*/include/jni.h 2>/dev/null | head -n 1)" 2>/dev/null || true)"
  fi
  [ -n "$include" ] && [ -f "$include/jni.h" ] || exit 0
  mkdir -p "$(dirname "$lib")" 2>/dev/null || exit 0 # a read-only checkout: run without it
  # a temporary name, then a rename: launchers started side by side never load a half-written library
  tmp="$lib.$$.tmp"
  trap 'rm -f "$tmp"' EXIT
  "$cc_bin" -O2 -Wall -shared -fPIC -I "$include" -I "$include/linux" -o "$tmp" "$src" 2>/dev/null || exit 0
  mv -f "$tmp" "$lib"
fi
echo "$lib"
