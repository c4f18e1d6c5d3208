// Micro-benchmarks of the k-means kernels: the blocked distance + argmin kernel
// against the machine's peak FMA rate, its scalar baseline, and whole passes.
//
// GFLOPS counters count 2 flops per multiply-add of the GEMM (2·candidates·points·dim
// per block); BM_peak_fma measures what one core can do at best, so
// GFLOPS(BM_nearest) / GFLOPS(BM_peak_fma) is the fraction of peak reached.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <xsimd/xsimd.hpp>

#include <shelf/cluster.hpp>
#include <shelf/core/parallel.hpp>
#include <shelf/core/random.hpp>
#include <shelf/simd/distance.hpp>

#include "../common/random_rows.hpp"

namespace {

void set_gflops(benchmark::State& state, double flops_per_iteration) {
    state.counters["GFLOPS"] = benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// One core's best: 12 independent chains of fused multiply-adds on full-width registers.
void BM_peak_fma(benchmark::State& state) {
    using batch = xsimd::batch<float>;
    constexpr int chains = 12, steps = 1 << 16;
    batch acc[chains];
    for (int c = 0; c < chains; ++c) acc[c] = batch(1.0f + 1e-3f * static_cast<float>(c));
    const batch a(0.999999f), b(1e-7f);
    for (auto _ : state) {
        for (int s = 0; s < steps; ++s)
            for (int c = 0; c < chains; ++c) acc[c] = xsimd::fma(acc[c], a, b);
        benchmark::DoNotOptimize(acc);
    }
    set_gflops(state, 2.0 * chains * steps * static_cast<double>(batch::size));
}
BENCHMARK(BM_peak_fma);

// simd::nearest on one block: GEMM of the inner products, then the SIMD argmin down its columns.
void BM_nearest(benchmark::State& state) {
    shelf::keep_eigen_serial();  // the kernel alone, on one core, as the drivers run it
    const shelf::Index candidates = state.range(0), points = state.range(1), dim = state.range(2);
    const auto C = bench::random_rows(candidates, dim, 1), X = bench::random_rows(points, dim, 2);
    const shelf::Vector<float> cn = C.rowwise().squaredNorm(), xn = X.rowwise().squaredNorm();
    shelf::RowMatrix<float> scratch;
    std::vector<float> best(static_cast<std::size_t>(points));
    std::vector<std::int32_t> row(static_cast<std::size_t>(points));
    for (auto _ : state) {
        shelf::simd::nearest<float>(C, cn, X, xn, scratch, best.data(), row.data());
        benchmark::DoNotOptimize(row.data());
    }
    set_gflops(state, 2.0 * static_cast<double>(candidates * points * dim));
}
BENCHMARK(BM_nearest)
    ->ArgNames({"candidates", "points", "dim"})
    ->Args({10, 1024, 784})
    ->Args({100, 1024, 64})
    ->Args({100, 1024, 784})
    ->Args({256, 1024, 128})
    ->Args({1024, 1024, 64})
    ->Args({1024, 512, 256})
    ->Args({1024, 1024, 784});

// The argmin alone, SIMD and scalar, on a block of precomputed inner products.
template <bool Simd>
void BM_argmin_columns(benchmark::State& state) {
    const shelf::Index rows = state.range(0), cols = state.range(1);
    const auto dots = bench::random_rows(rows, cols, 3), norms = bench::random_rows(rows, 1, 4);
    std::vector<float> best(static_cast<std::size_t>(cols));
    std::vector<std::int32_t> row(static_cast<std::size_t>(cols));
    for (auto _ : state) {
        std::fill(best.begin(), best.end(), std::numeric_limits<float>::infinity());
        if constexpr (Simd)
            shelf::simd::argmin_columns(dots.data(), cols, rows, cols, norms.data(), 0, best.data(), row.data());
        else
            shelf::simd::scalar::argmin_columns(dots.data(), cols, rows, cols, norms.data(), 0, best.data(), row.data());
        benchmark::DoNotOptimize(row.data());
    }
    state.SetItemsProcessed(state.iterations() * rows * cols);
}
BENCHMARK_TEMPLATE(BM_argmin_columns, true)->ArgNames({"rows", "cols"})->Args({10, 1024})->Args({256, 1024});
BENCHMARK_TEMPLATE(BM_argmin_columns, false)->ArgNames({"rows", "cols"})->Args({10, 1024})->Args({256, 1024});

// squared_l2, SIMD and scalar.
template <bool Simd>
void BM_squared_l2(benchmark::State& state) {
    const shelf::Index dim = state.range(0);
    const auto a = bench::random_rows(1, dim, 5), b = bench::random_rows(1, dim, 6);
    for (auto _ : state) {
        float d = Simd ? shelf::simd::squared_l2(a.data(), b.data(), dim) : shelf::simd::scalar::squared_l2(a.data(), b.data(), dim);
        benchmark::DoNotOptimize(d);
    }
    set_gflops(state, 3.0 * static_cast<double>(dim));
}
BENCHMARK_TEMPLATE(BM_squared_l2, true)->Arg(64)->Arg(784);
BENCHMARK_TEMPLATE(BM_squared_l2, false)->Arg(64)->Arg(784);

// One Lloyd iteration (assignment + new centers) over n rows, k centers, with `threads` threads.
void BM_lloyd_iteration(benchmark::State& state) {
    const shelf::Index n = state.range(0), dim = state.range(1), k = state.range(2);
    const int threads = static_cast<int>(state.range(3));
    const auto X = bench::random_rows(n, dim, 7);
    const shelf::RowMatrix<float> centers = X.topRows(k);
    shelf::kmeans::Params p;
    p.k = static_cast<int>(k);
    p.local_lloyd_max_iter = 1;
    p.num_threads = threads;
    for (auto _ : state) {
        const auto model = shelf::kmeans::lloyd(X, centers, p);
        benchmark::DoNotOptimize(model.centers().data());
    }
    set_gflops(state, 2.0 * static_cast<double>(n * k * dim));
}
BENCHMARK(BM_lloyd_iteration)
    ->ArgNames({"n", "dim", "k", "threads"})
    ->Args({60000, 784, 10, 1})
    ->Args({60000, 784, 10, 2})
    ->Args({200000, 64, 100, 1})
    ->Args({200000, 64, 100, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Greedy k-means++ initialisation.
void BM_kmeans_plus_plus(benchmark::State& state) {
    const shelf::Index n = state.range(0), dim = state.range(1), k = state.range(2);
    const auto X = bench::random_rows(n, dim, 8);
    shelf::kmeans::Params p;
    p.k = static_cast<int>(k);
    p.mode = shelf::kmeans::Mode::lloyd;
    p.init_method = shelf::kmeans::Init::kmeans_plus_plus;
    p.local_lloyd_max_iter = 1;
    p.num_threads = 1;
    for (auto _ : state) {
        const auto model = shelf::kmeans::fit(X, p);
        benchmark::DoNotOptimize(model.centers().data());
    }
}
BENCHMARK(BM_kmeans_plus_plus)->ArgNames({"n", "dim", "k"})->Args({60000, 784, 10})->Args({100000, 64, 100})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
