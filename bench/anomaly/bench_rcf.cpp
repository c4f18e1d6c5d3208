// Micro-benchmarks of the random cut forest at the platform's defaults (100 trees of 256 points):
// building the forest on 100,000 rows, and scoring rows (items/s = rows scored per second), in 4
// dimensions and in 48 (a shingle of 48 points of a series); and the streaming forest on a
// series shingled by 48 inside it (items/s = points scored and learnt per second), and many
// short series at once.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <shelf/anomaly.hpp>

#include "../common/random_rows.hpp"

namespace {

shelf::rcf::Params defaults(int threads) {
    shelf::rcf::Params p;
    p.num_threads = threads;
    return p;
}

// range(0): dimension, range(1): threads.
void BM_fit(benchmark::State& state) {
    const auto X = bench::random_rows(100000, state.range(0), 1);
    for (auto _ : state) benchmark::DoNotOptimize(shelf::rcf::fit(X, defaults(static_cast<int>(state.range(1)))));
}
BENCHMARK(BM_fit)->Args({4, 2})->Args({48, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_score(benchmark::State& state) {
    const auto X = bench::random_rows(20000, state.range(0), 2);
    const auto model = shelf::rcf::fit(X, defaults(static_cast<int>(state.range(1))));
    for (auto _ : state) benchmark::DoNotOptimize(model.score(X));
    state.SetItemsProcessed(state.iterations() * X.rows());
}
BENCHMARK(BM_score)->Args({4, 1})->Args({4, 2})->Args({48, 1})->Args({48, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

// A noisy daily-seasonal series (nyc_taxi's shape) of 20,000 points, shingle 48; range(0): threads.
// Every iteration continues the same stream: its state after the warm-up is the steady one.
void BM_stream(benchmark::State& state) {
    shelf::rcf::Params p = defaults(static_cast<int>(state.range(0)));
    p.streaming = true;
    p.shingle_size = 48;
    const auto noise = bench::random_rows(20000, 1, 3);
    shelf::RowMatrix<float> series(noise.rows(), 1);
    for (shelf::Index i = 0; i < series.rows(); ++i)
        series(i, 0) = 10 + 5 * std::sin(0.13f * static_cast<float>(i)) + noise(i, 0);
    shelf::rcf::Stream<float> stream(p, 1);
    stream.update(series);
    for (auto _ : state) benchmark::DoNotOptimize(stream.update(series));
    state.SetItemsProcessed(state.iterations() * series.rows());
}
BENCHMARK(BM_stream)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// 1,000 series of 200 points, a small forest each (50 trees × 64, shingle 4), 2 threads: range(0)
// 1 = update_each (series shared among threads), 0 = one update() per series (trees shared).
void BM_stream_many(benchmark::State& state) {
    shelf::rcf::Params p = defaults(2);
    p.streaming = true, p.num_trees = 50, p.num_samples_per_tree = 64, p.shingle_size = 4;
    const auto values = bench::random_rows(1000 * 200, 1, 4);
    std::vector<shelf::MatrixView<float>> rows;
    for (shelf::Index i = 0; i < 1000; ++i) rows.emplace_back(values.middleRows(200 * i, 200));
    for (auto _ : state) {
        std::vector<shelf::rcf::Stream<float>> streams(1000, shelf::rcf::Stream<float>(p, 1));
        if (state.range(0) == 1) {
            benchmark::DoNotOptimize(shelf::rcf::update_each(streams, rows, false, 2));
        } else {
            for (std::size_t i = 0; i < streams.size(); ++i) benchmark::DoNotOptimize(streams[i].update(rows[i]));
        }
    }
    state.SetItemsProcessed(state.iterations() * values.rows());
}
BENCHMARK(BM_stream_many)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
