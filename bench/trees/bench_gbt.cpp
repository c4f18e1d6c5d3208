// Micro-benchmarks of shelf::gbt: the quantile sketch, one root histogram, a whole fit, and
// batch prediction, on a synthetic binary task (rows × 28 features, a non-linear boundary).
// Counters: rows/s (items per second). Side-by-side numbers against XGBoost come from
// bench/compare/xgboost_compare.py instead.
#include <shelf/trees.hpp>

#include <benchmark/benchmark.h>

#include <numeric>

namespace {

constexpr shelf::Index kFeatures = 28;

struct Task {
    shelf::RowMatrix<float> X;
    shelf::Vector<float> y;
};

const Task& task(shelf::Index rows) {
    static std::map<shelf::Index, Task> cache;
    auto it = cache.find(rows);
    if (it != cache.end()) return it->second;
    Task t{shelf::RowMatrix<float>(rows, kFeatures), shelf::Vector<float>(rows)};
    shelf::Rng rng(11);
    for (shelf::Index r = 0; r < rows; ++r) {
        for (shelf::Index c = 0; c < kFeatures; ++c) t.X(r, c) = static_cast<float>(rng.normal());
        const float s = t.X(r, 0) * t.X(r, 1) + std::sin(t.X(r, 2)) + 0.5f * t.X(r, 3) + static_cast<float>(rng.normal(0, 0.5));
        t.y[r] = s > 0 ? 1.0f : 0.0f;
    }
    return cache.emplace(rows, std::move(t)).first->second;
}

shelf::gbt::Params params(int rounds, int threads) {
    shelf::gbt::Params p;
    p.num_round = rounds;
    p.objective = "binary:logistic";
    p.num_threads = threads;
    return p;
}

void BM_Sketch(benchmark::State& state) {
    const Task& t = task(state.range(0));
    std::vector<shelf::Index> present;
    for (auto _ : state)
        benchmark::DoNotOptimize(shelf::gbt::detail::make_cuts<float>(t.X, nullptr, 256, static_cast<int>(state.range(1)), present));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sketch)->Args({100000, 1})->Args({100000, 2})->Unit(benchmark::kMillisecond);

void BM_RootHistogram(benchmark::State& state) {
    const Task& t = task(state.range(0));
    std::vector<shelf::Index> present;
    const auto cuts = shelf::gbt::detail::make_cuts<float>(t.X, nullptr, 256, 1, present);
    const auto bins = shelf::gbt::detail::bin_rows<std::uint8_t, float>(t.X, cuts, 1);
    shelf::gbt::detail::HistLayout layout;
    layout.offset.push_back(0);
    for (shelf::Index f = 0; f < kFeatures; ++f) layout.offset.push_back(layout.offset.back() + cuts.bins(f) + 1);
    std::vector<shelf::gbt::GradientPair<float>> gpair(static_cast<std::size_t>(t.X.rows()), {0.5f, 0.25f});
    std::vector<std::uint32_t> rows(gpair.size());
    std::iota(rows.begin(), rows.end(), 0u);
    std::vector<shelf::gbt::detail::HistBin> hist(layout.size());
    shelf::gbt::detail::HistogramBuilder builder;
    for (auto _ : state) {
        builder.build({{rows.data(), rows.size(), hist.data()}}, bins.codes.data(), kFeatures, layout, gpair.data(),
                      static_cast<int>(state.range(1)));
        benchmark::DoNotOptimize(hist.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RootHistogram)->Args({500000, 1})->Args({500000, 2})->Unit(benchmark::kMillisecond);

void BM_Fit(benchmark::State& state) {
    const Task& t = task(state.range(0));
    const auto p = params(20, static_cast<int>(state.range(1)));
    for (auto _ : state) benchmark::DoNotOptimize(shelf::gbt::fit(t.X, t.y, p));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Fit)->Args({100000, 1})->Args({100000, 2})->Unit(benchmark::kMillisecond);

void BM_Predict(benchmark::State& state) {
    const Task& t = task(100000);
    static const auto model = shelf::gbt::fit(t.X, t.y, params(100, 2));
    shelf::gbt::PredictOptions options;
    options.num_threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(model.predict(t.X, options));
    state.SetItemsProcessed(state.iterations() * t.X.rows());
}
BENCHMARK(BM_Predict)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
