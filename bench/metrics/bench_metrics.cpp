// Metrics throughput. The headline: ROC AUC on 10 million scores, which must
// take well under a second (it is one radix sort plus one pass).
#include <benchmark/benchmark.h>

#include <random>

#include "shelf/metrics.hpp"

namespace m = shelf::metrics;
using shelf::Index;
using shelf::Vector;

namespace {

template <class T>
struct Scored {
    Vector<T> y, score, weight;
};

/// Binary labels (30 % positive) and informative, mostly distinct scores.
template <class T>
const Scored<T>& scored(Index n) {
    static Scored<T> d;
    if (d.y.size() == n) return d;
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0, 1);
    d.y.resize(n);
    d.score.resize(n);
    d.weight.resize(n);
    for (Index i = 0; i < n; ++i) {
        d.y[i] = u(rng) < 0.3 ? T(1) : T(0);
        d.score[i] = static_cast<T>(u(rng) + 0.5 * double(d.y[i]));
        d.weight[i] = static_cast<T>(u(rng) * 2);
    }
    return d;
}

template <class T>
void BM_RocAuc(benchmark::State& state) {
    const auto& d = scored<T>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(m::roc_auc(d.y, d.score));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

template <class T>
void BM_RocAucWeighted(benchmark::State& state) {
    const auto& d = scored<T>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(m::roc_auc(d.y, d.score, T(1), &d.weight));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_AveragePrecision(benchmark::State& state) {
    const auto& d = scored<double>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(m::average_precision(d.y, d.score));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_F1Macro(benchmark::State& state) {
    const Index n = state.range(0);
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<int> cls(0, 9);
    Vector<double> y(n), p(n);
    for (Index i = 0; i < n; ++i) {
        y[i] = cls(rng);
        p[i] = i % 4 == 0 ? cls(rng) : y[i];
    }
    for (auto _ : state) benchmark::DoNotOptimize(m::f1(y, p, m::Average::macro));
    state.SetItemsProcessed(state.iterations() * n);
}

void BM_Rmse(benchmark::State& state) {
    const auto& d = scored<double>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(m::rmse(d.y, d.score));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_LogLoss(benchmark::State& state) {
    const auto& d = scored<double>(state.range(0));
    const Vector<double> p = (d.score.array() / 1.5).matrix();
    const shelf::RowMatrix<double> proba = p;  // one column: P(y = 1)
    for (auto _ : state) benchmark::DoNotOptimize(m::log_loss(d.y, proba));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

constexpr Index ten_million = 10'000'000;
BENCHMARK_TEMPLATE(BM_RocAuc, double)->Arg(100'000)->Arg(ten_million)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_RocAuc, float)->Arg(ten_million)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_RocAucWeighted, double)->Arg(ten_million)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AveragePrecision)->Arg(ten_million)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_F1Macro)->Arg(ten_million)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Rmse)->Arg(ten_million)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogLoss)->Arg(ten_million)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
