#!/usr/bin/env bash
# Prints the path of the native bf16 library for -Dt2l.native.bf16dot (bf16-dot.c: the dot products of
# ai.t2l.compute.Bf16Dot; bf16-rows.c: the float32 products of ai.t2l.compute.Bf16Rows; int8-rows.c: the int8 products
# of ai.t2l.compute.Int8Rows), building it first when it is missing or older than a source; prints nothing where it
# cannot run or be built:
# not Linux on x86-64, a CPU without AVX512_BF16, no C compiler, or no jni.h beside the JVM (then `--heads bf16dot`
# says so, and every other path runs as before). Used by the ./t2l launcher and by the tests (with LIBRARY).
# Usage: bf16-dot.sh REPOSITORY_ROOT JAVA [LIBRARY]
set -euo pipefail
root="$1"
java_bin="$2"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || exit 0
grep -qm1 '^flags.*\bavx512_bf16\b' /proc/cpuinfo 2>/dev/null || exit 0
native="$root/t2l-core/src/main/native"
sources=("$native/bf16-dot.c" "$native/bf16-rows.c" "$native/int8-rows.c")
lib="${3:-$root/t2l-core/target/native/libt2l-bf16-dot.so}"
stale=0
[ -f "$lib" ] || stale=1
for src in "${sources[@]}" "$native"/*.h; do
  [ "$src" -nt "$lib" ] && stale=1
done
if [ "$stale" = 1 ]; then
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
  "$cc_bin" -O2 -Wall -shared -fPIC -I "$include" -I "$include/linux" -o "$tmp" "${sources[@]}" 2>/dev/null || exit 0
  mv -f "$tmp" "$lib"
fi
echo "$lib"
