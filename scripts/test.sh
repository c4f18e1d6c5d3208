#!/usr/bin/env bash
# The whole test suite, as CI runs it: a warnings-as-errors release build with every
# test, the benchmarks and examples compiled, the same tests under AddressSanitizer +
# UndefinedBehaviorSanitizer, and a consumer project built against the installed package
# with find_package(shelf).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
jobs=$(nproc)
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

echo "== release build, -Werror: what the sanitizer build leaves out"
# Every test runs under the sanitizers below (at -Og); built and run here is only what
# that build leaves out: the conformance suite in double (the sanitizer build checks float) and
# the XGBoost export check. -O1: the optimizer's transformations that matter to correctness
# (inlining, aliasing, the SIMD kernels' explicit lanes) are there.
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DSHELF_WERROR=ON \
      -DSHELF_BUILD_BENCHMARKS=OFF -DSHELF_BUILD_TOOLS=OFF \
      -DSHELF_BUILD_EXAMPLES=OFF "${launcher[@]}" >/dev/null
cmake --build build/ci -j"$jobs" --target test_conformance export_for_xgboost
ctest --test-dir build/ci --output-on-failure --no-tests=error -j"$jobs" -R '^(test_conformance:|trees_export_loads_in_xgboost$)'

echo "== benchmarks and examples compile, -Werror"
# Nothing here runs them: the compiler's front end alone (every template instantiated, every
# warning), no code generated and nothing linked, in about half the time of an -O0 build.
cmake -S . -B build/check -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0" -DSHELF_WERROR=ON \
      -DSHELF_BUILD_TESTS=OFF -DSHELF_BUILD_TOOLS=OFF \
      "-DCMAKE_CXX_COMPILE_OBJECT=<CMAKE_CXX_COMPILER> <DEFINES> <INCLUDES> <FLAGS> -fsyntax-only <SOURCE> && touch <OBJECT>" \
      "-DCMAKE_CXX_LINK_EXECUTABLE=touch <TARGET>" >/dev/null
cmake --build build/check -j"$jobs"

echo "== tests and the command line under -fsanitize=address,undefined"
# -Og without debug info: reports keep function names; the build takes 60 % of -O1's time and
# the tests run about 10 % longer.
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-Og" -DSHELF_SANITIZE=ON -DSHELF_WERROR=ON \
      -DSHELF_BUILD_BENCHMARKS=OFF -DSHELF_BUILD_EXAMPLES=OFF "${launcher[@]}" >/dev/null
cmake --build build/asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs"

echo "== find_package(shelf) from the installed package"
rm -rf build/prefix build/consumer
cmake --install build/ci --prefix build/prefix >/dev/null
cmake -S tests/consumer -B build/consumer -DCMAKE_PREFIX_PATH="$PWD/build/prefix" "${launcher[@]}" >/dev/null
cmake --build build/consumer -j"$jobs"
build/consumer/consumer
echo "== all tests passed"
