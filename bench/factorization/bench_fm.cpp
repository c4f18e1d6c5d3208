// Micro-benchmarks of factorization machines (shelf::fm) on MovieLens 100K's shape: 100,000
// one-hot rows (a user of 943 and an item of 1,682: 2 nonzeros per row, 2,625 features), k = 10
// and 64. fit runs one epoch (the platform's default); predict scores the 100,000 rows.
//
// items/s are rows per second. The data are synthetic (seeded): users uniform, items skewed
// towards the popular ones (index ~ n·u², as MovieLens' ratings are), ratings 1-5 from a user
// and an item effect plus noise. bench/compare/fm_compare.py measures the real MovieLens folds.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/factorization.hpp>

namespace {

constexpr shelf::Index kRows = 100000, kUsers = 943, kItems = 1682;

struct Ratings {
    shelf::SparseMatrix<float> X;
    shelf::Vector<float> y;
};

const Ratings& ratings() {
    static const Ratings data = [] {
        shelf::Rng rng(7);
        std::vector<double> user_effect(kUsers), item_effect(kItems);
        for (auto& e : user_effect) e = 0.5 * rng.normal();
        for (auto& e : item_effect) e = 0.7 * rng.normal();
        Ratings r;
        r.X.resize(kRows, kUsers + kItems);
        r.X.resizeNonZeros(2 * kRows);
        r.y.resize(kRows);
        auto* outer = r.X.outerIndexPtr();
        auto* inner = r.X.innerIndexPtr();
        auto* values = r.X.valuePtr();
        outer[0] = 0;
        for (shelf::Index i = 0; i < kRows; ++i) {
            const auto user = static_cast<shelf::Index>(rng.uniform_index(kUsers));
            const double u = rng.uniform();
            const auto item = std::min<shelf::Index>(kItems - 1, static_cast<shelf::Index>(u * u * kItems));
            inner[2 * i] = user;
            inner[2 * i + 1] = kUsers + item;
            values[2 * i] = values[2 * i + 1] = 1.0f;
            outer[i + 1] = 2 * (i + 1);
            const double rating = 3.5 + user_effect[user] + item_effect[item] + 0.9 * rng.normal();
            r.y[i] = static_cast<float>(std::clamp(std::round(rating), 1.0, 5.0));
        }
        return r;
    }();
    return data;
}

shelf::fm::Params params(int k, int solver, int batch, int threads) {
    shelf::fm::Params p;
    p.predictor_type = shelf::fm::PredictorType::regressor;
    p.num_factors = k;
    p.feature_dim = kUsers + kItems;
    p.mini_batch_size = batch;
    p.num_threads = threads;
    if (solver == 1) {  // the tuned AdaGrad of docs/fm.md
        p.solver = shelf::fm::Solver::adagrad;
        p.bias_lr = p.linear_lr = p.factors_lr = 0.1;
        p.linear_wd = p.factors_wd = 3e-4;
        p.factors_init_sigma = 0.1;
    } else if (batch == 10) {  // the tuned SGD of docs/fm.md
        p.bias_lr = 0.01;
        p.linear_lr = p.factors_lr = 0.2;
        p.linear_wd = p.factors_wd = 0.01;
    }
    return p;
}

// range(0): num_factors, range(1): solver (0 sgd, 1 adagrad), range(2): mini_batch_size,
// range(3): threads. One epoch over the 100,000 rows.
void BM_fm_fit(benchmark::State& state) {
    const auto& data = ratings();
    const auto p = params(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                          static_cast<int>(state.range(2)), static_cast<int>(state.range(3)));
    for (auto _ : state) benchmark::DoNotOptimize(shelf::fm::fit(data.X, data.y, p));
    state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_fm_fit)
    ->ArgNames({"k", "adagrad", "batch", "threads"})
    ->Args({10, 0, 1000, 1})
    ->Args({10, 0, 1000, 2})
    ->Args({10, 1, 1000, 2})
    ->Args({10, 0, 10, 2})
    ->Args({64, 0, 1000, 1})
    ->Args({64, 0, 1000, 2})
    ->Args({64, 1, 1000, 2})
    ->Args({64, 0, 10, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// range(0): num_factors, range(1): threads. Scores the 100,000 training rows.
void BM_fm_predict(benchmark::State& state) {
    const auto& data = ratings();
    const auto model = shelf::fm::fit(data.X, data.y, params(static_cast<int>(state.range(0)), 1, 1000,
                                                               static_cast<int>(state.range(1))));
    for (auto _ : state) benchmark::DoNotOptimize(model.score(data.X));
    state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_fm_predict)
    ->ArgNames({"k", "threads"})
    ->Args({10, 1})
    ->Args({10, 2})
    ->Args({64, 1})
    ->Args({64, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
