#!/usr/bin/env bash
# Compile time of shelf for its users: each public header alone (a one-line program), and the
# probe programs here, at -O1 and -O3 with the flags a user of the package gets (-fopenmp,
# -march=native). Prints seconds (best of N runs, N = $1, default 3) as a markdown table.
# SHELF_INCLUDE=DIR measures another checkout's headers with the same probes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=(-std=c++17 -fopenmp -march=native -I"${SHELF_INCLUDE:-$root/include}" -isystem /usr/include/eigen3 -c -o "$tmp/out.o")
best() {  # best wall time (s) of $runs compiles of $1 at $2; "failed" if it does not compile
  local b=999999 start ms
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    g++ "$2" "${flags[@]}" "$1" >/dev/null 2>&1 || { echo failed; return; }
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$ms" -lt "$b" ] && b=$ms
  done
  awk -v ms="$b" 'BEGIN { printf "%.1f", ms / 1000 }'
}
echo "| program | -O1 s | -O3 s |"
echo "|---|---|---|"
for h in core metrics anomaly cluster decomposition factorization linear neighbors trees shelf; do
  echo "#include <shelf/$h.hpp>" > "$tmp/h_$h.cpp"
  echo "int main() { return 0; }" >> "$tmp/h_$h.cpp"
  echo "| \`#include <shelf/$h.hpp>\` alone | $(best "$tmp/h_$h.cpp" -O1) | $(best "$tmp/h_$h.cpp" -O3) |"
done
for p in eigen_only kmeans_pca kmeans_gbt; do
  echo "| bench/compile/$p.cpp | $(best "$root/bench/compile/$p.cpp" -O1) | $(best "$root/bench/compile/$p.cpp" -O3) |"
done
