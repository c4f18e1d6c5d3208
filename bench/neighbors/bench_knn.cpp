// Micro-benchmarks of exact k-NN search: blocks of queries and single queries against a
// 60,000 × 784 index (Fashion-MNIST's shape), and the classifier's vote on top.
//
// GFLOPS counts 2 flops per multiply-add of the inner products (2·queries·rows·dim), the
// work a GEMM-based exact search cannot avoid; items/s are queries per second.
#include <benchmark/benchmark.h>

#include <cstdint>

#include <shelf/core/random.hpp>
#include <shelf/neighbors.hpp>

#include "../common/random_rows.hpp"

namespace {

const shelf::RowMatrix<float>& base() {
    static const shelf::RowMatrix<float> X = bench::random_rows(60000, 784, 1);
    return X;
}

const shelf::knn::FlatIndex<float>& index() {
    static const shelf::knn::FlatIndex<float> flat = [] {
        shelf::knn::FlatIndex<float> f(784, shelf::knn::Metric::l2);
        f.add(base());
        return f;
    }();
    return flat;
}

// range(0): queries per call, range(1): threads.
void BM_flat_search(benchmark::State& state) {
    const auto queries = bench::random_rows(state.range(0), 784, 2);
    const int threads = static_cast<int>(state.range(1));
    (void)index();  // built before the clock starts
    for (auto _ : state) benchmark::DoNotOptimize(index().search(queries, 10, threads));
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.counters["GFLOPS"] = benchmark::Counter(2.0 * static_cast<double>(state.range(0)) * 60000.0 * 784.0 * 1e-9,
                                                  benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_flat_search)->Args({1, 1})->Args({1, 2})->Args({1000, 1})->Args({1000, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_flat_add(benchmark::State& state) {
    for (auto _ : state) {
        shelf::knn::FlatIndex<float> f(784, shelf::knn::Metric::l2);
        f.add(base(), {}, 2);
        benchmark::DoNotOptimize(f.size());
    }
    state.SetItemsProcessed(state.iterations() * 60000);
}
BENCHMARK(BM_flat_add)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_classifier_predict(benchmark::State& state) {
    shelf::knn::Params p;
    p.k = 10;
    p.sample_size = 60000;
    p.predictor_type = shelf::knn::PredictorType::classifier;
    p.num_threads = 2;
    shelf::Vector<float> y(60000);
    for (shelf::Index i = 0; i < y.size(); ++i) y[i] = static_cast<float>(i % 10);
    const auto model = shelf::knn::fit(base(), y, p);
    const auto queries = bench::random_rows(1000, 784, 3);
    for (auto _ : state) benchmark::DoNotOptimize(model.predict(queries));
    state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_classifier_predict)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
