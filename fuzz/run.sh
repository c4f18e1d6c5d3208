#!/usr/bin/env bash
# Builds the libFuzzer harnesses for the shelf/io readers and runs each one for
# a bounded time, one after the other (one core).
#
#   fuzz/run.sh [SECONDS_PER_HARNESS] [HARNESS...]
#
# SECONDS_PER_HARNESS defaults to 60; HARNESS is any of csv, libsvm, jsonlines, models
# (default: all four; models is every family's model loader). Environment: CXX (default clang++-14), SHELF_FUZZ_BUILD
# (binaries and crash artifacts; default <repo>/build-fuzz). Inputs the fuzzer
# finds go to fuzz/corpus-<harness>/ (not committed); the committed seeds in
# fuzz/seeds/<harness>/ are read but never written. Exits non-zero on the
# first crash, sanitizer report or failed check, leaving the input as
# $SHELF_FUZZ_BUILD/<harness>-crash-*.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
secs=${1:-60}
if [ $# -gt 0 ]; then shift; fi
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then harnesses=(csv libsvm jsonlines models); fi
CXX=${CXX:-clang++-14}
out=${SHELF_FUZZ_BUILD:-$root/build-fuzz}
eigen=$(pkg-config --cflags-only-I eigen3 2>/dev/null | sed 's/^-I//; s/ *$//')
eigen=${eigen:-/usr/include/eigen3}
mkdir -p "$out"

for h in "${harnesses[@]}"; do
  echo "== building fuzz_$h"
  "$CXX" -std=c++17 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -fopenmp -I"$root/include" -isystem "$eigen" \
    "$here/fuzz_$h.cpp" -o "$out/fuzz_$h"
done

for h in "${harnesses[@]}"; do
  echo "== running fuzz_$h for ${secs}s"
  mkdir -p "$here/corpus-$h"
  if [ "$h" = models ]; then  # the seeds are models that this shelf writes
    mkdir -p "$out/seeds-models"
    SHELF_FUZZ_WRITE_SEEDS="$out/seeds-models" "$out/fuzz_models" -runs=0 >/dev/null 2>&1
  fi
  seeds="$here/seeds/$h"; [ "$h" = models ] && seeds="$out/seeds-models"
  dict=(); [ -f "$here/dict/$h.dict" ] && dict=(-dict="$here/dict/$h.dict")
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$out/fuzz_$h" "$here/corpus-$h" "$seeds" \
    "${dict[@]}" -max_total_time="$secs" -timeout=10 -max_len=4096 \
    -artifact_prefix="$out/$h-" -print_final_stats=1
done
