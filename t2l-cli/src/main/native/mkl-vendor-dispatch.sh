#!/usr/bin/env bash
# Prints the path of the MKL vendor-dispatch library (mkl-vendor-dispatch.c) for LD_PRELOAD, building it first when
# it is missing or older than its source; prints nothing where it does not apply: not Linux on x86-64, not an AMD
# CPU, T2L_MKL_DISPATCH=default (keep MKL's own choice), or no C compiler (then MKL runs its generic path: slower,
# the same results within the golden tolerances). Used by the ./t2l launcher.
# Usage: mkl-vendor-dispatch.sh REPOSITORY_ROOT
set -euo pipefail
root="$1"
[ "${T2L_MKL_DISPATCH:-intel}" = "default" ] && exit 0
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || exit 0
grep -qm1 '^vendor_id.*AuthenticAMD' /proc/cpuinfo 2>/dev/null || exit 0
src="$root/t2l-cli/src/main/native/mkl-vendor-dispatch.c"
lib="$root/t2l-cli/target/native/libt2l-mkl-vendor-dispatch.so"
# LD_PRELOAD splits its list at spaces and colons: a checkout whose path holds one runs without the library
case "$lib" in *[[:space:]:]*) exit 0 ;; esac
if [ ! -f "$lib" ] || [ "$src" -nt "$lib" ]; then
  cc_bin="$(command -v cc || command -v gcc || true)"
  [ -n "$cc_bin" ] || exit 0
  mkdir -p "$(dirname "$lib")" 2>/dev/null || exit 0 # a read-only checkout: run without it
  # a temporary name, then a rename: launchers started side by side never load a half-written library
  # (and no temporary file left behind when the compiler fails or the launcher is interrupted)
  tmp="$lib.$$.tmp"
  trap 'rm -f "$tmp"' EXIT
  "$cc_bin" -O2 -shared -fPIC -o "$tmp" "$src" 2>/dev/null || exit 0
  mv -f "$tmp" "$lib"
fi
echo "$lib"
