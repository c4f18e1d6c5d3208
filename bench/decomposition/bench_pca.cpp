// Micro-benchmarks of PCA: the scatter accumulation (SYRK) of regular mode, a whole
// randomized fit, and the projection. GFLOPS count 2 flops per multiply-add.
#include <benchmark/benchmark.h>

#include <cstdint>

#include <shelf/core/random.hpp>
#include <shelf/decomposition.hpp>

#include "../common/random_rows.hpp"

namespace {

shelf::pca::Params params(shelf::Index components, shelf::Index threads, shelf::pca::Mode mode) {
    shelf::pca::Params p;
    p.num_components = static_cast<int>(components);
    p.num_threads = static_cast<int>(threads);
    p.algorithm_mode = mode;
    return p;
}

// Regular mode's pass: mean and scatter matrix of n rows (n·d² multiply-adds, half by symmetry).
void BM_scatter(benchmark::State& state) {
    const shelf::Index n = state.range(0), d = state.range(1);
    const auto X = bench::random_rows(n, d, 1, 0.05);
    for (auto _ : state) {
        shelf::pca::Accumulator<float> acc(params(1, state.range(2), shelf::pca::Mode::regular));
        acc.add(X);
        benchmark::DoNotOptimize(acc.rows());
    }
    state.counters["GFLOPS"] = benchmark::Counter(static_cast<double>(n * d * d) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_scatter)
    ->ArgNames({"n", "dim", "threads"})
    ->Args({60000, 784, 1})
    ->Args({60000, 784, 2})
    ->Args({200000, 64, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A whole fit, regular or randomized.
template <shelf::pca::Mode Mode>
void BM_fit(benchmark::State& state) {
    const shelf::Index n = state.range(0), d = state.range(1);
    const auto X = bench::random_rows(n, d, 2, 0.05);
    const auto p = params(state.range(2), state.range(3), Mode);
    for (auto _ : state) {
        const auto model = shelf::pca::fit(X, p);
        benchmark::DoNotOptimize(model.components().data());
    }
}
BENCHMARK_TEMPLATE(BM_fit, shelf::pca::Mode::regular)
    ->ArgNames({"n", "dim", "components", "threads"})
    ->Args({60000, 784, 50, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_fit, shelf::pca::Mode::randomized)
    ->ArgNames({"n", "dim", "components", "threads"})
    ->Args({60000, 784, 50, 2})
    ->Args({200000, 64, 10, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// transform: (X − mean) · componentsᵀ.
void BM_transform(benchmark::State& state) {
    const shelf::Index n = state.range(0), d = state.range(1), c = state.range(2);
    const auto X = bench::random_rows(n, d, 3, 0.05);
    const auto model = shelf::pca::fit(X.topRows(2000), params(c, 1, shelf::pca::Mode::regular));
    for (auto _ : state) {
        const auto Z = model.transform(X);
        benchmark::DoNotOptimize(Z.data());
    }
    state.counters["GFLOPS"] = benchmark::Counter(2.0 * static_cast<double>(n * d * c) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_transform)->ArgNames({"n", "dim", "components"})->Args({60000, 784, 50})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
