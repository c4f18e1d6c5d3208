// Micro-benchmarks of the DeepAR-style forecaster (shelf::deepar) on a synthetic hourly panel of
// M4 hourly's shape: 100 series of 700 points, a daily cycle at a level per series, noise.
//
// fit: one epoch of 10 mini-batches of 128 windows (context 48 + prediction 48 steps); items/s
// are windows per second. forecast: 100 series × 100 sample paths of 48 steps; items/s are
// series per second. range(0) is num_cells, range(1) threads (0 = all).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/forecast.hpp>

namespace {

const std::vector<shelf::Series<float>>& panel() {
    static const std::vector<shelf::Series<float>> data = [] {
        shelf::Rng rng(7);
        std::vector<shelf::Series<float>> out(100);
        for (std::size_t i = 0; i < out.size(); ++i) {
            auto& s = out[i];
            s.start = {2015, 1, 1, 0, 0, 0};
            s.target.resize(700);
            const double level = 50 + 400 * rng.uniform(), phase = rng.uniform(0, 6.28);
            for (shelf::Index t = 0; t < s.target.size(); ++t)
                s.target[t] = static_cast<float>(level * (1 + 0.5 * std::sin(6.2831853 * double(t) / 24 + phase)) +
                                                 0.05 * level * rng.normal());
        }
        return out;
    }();
    return data;
}

shelf::deepar::Params params(int cells, int threads) {
    shelf::deepar::Params p;
    p.time_freq = shelf::deepar::TimeFreq::hour;
    p.prediction_length = 48;
    p.context_length = 48;
    p.epochs = 1;
    p.num_batches_per_epoch = 10;
    p.num_cells = cells;
    p.num_threads = threads;
    return p;
}

void BM_deepar_fit_epoch(benchmark::State& state) {
    const auto p = params(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
    for (auto _ : state) benchmark::DoNotOptimize(shelf::deepar::fit(panel(), p));
    state.SetItemsProcessed(state.iterations() * p.num_batches_per_epoch * p.mini_batch_size);
}
BENCHMARK(BM_deepar_fit_epoch)
    ->ArgNames({"cells", "threads"})
    ->Args({40, 1})
    ->Args({40, 2})
    ->Args({80, 1})
    ->Args({80, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_deepar_forecast(benchmark::State& state) {
    const auto model = shelf::deepar::fit(panel(), params(static_cast<int>(state.range(0)), static_cast<int>(state.range(1))));
    for (auto _ : state) benchmark::DoNotOptimize(model.forecast(panel()));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(panel().size()));
}
BENCHMARK(BM_deepar_forecast)
    ->ArgNames({"cells", "threads"})
    ->Args({40, 1})
    ->Args({40, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
