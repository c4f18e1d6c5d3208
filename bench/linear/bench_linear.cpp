// Linear learner throughput: a fit of one epoch (training, then selection on the training
// data), dense (GEMM) and sparse, as the number of models trained side by side grows. The baseline is num_models = 1: a sweep of K models
// costs far less than K single fits, because each mini-batch is read once and the K models
// share one matrix product. Counters: rows/s and model·rows/s (rows times models trained).
#include <benchmark/benchmark.h>

#include <shelf/core/random.hpp>
#include <shelf/linear.hpp>

using shelf::Index;

namespace {

struct Data {
    shelf::RowMatrix<float> X;
    shelf::SparseMatrix<float> S;
    shelf::Vector<float> y;
};

/// n rows: dense N(0, 1) features, and a sparse a9a-like copy (14 of `d` binary features per row).
const Data& data(Index n, Index d) {
    static Data cached;
    if (cached.X.rows() == n && cached.X.cols() == d) return cached;
    shelf::Rng rng(1);
    cached.X.resize(n, d);
    cached.y.resize(n);
    std::vector<Eigen::Triplet<float, std::int64_t>> entries;
    for (Index i = 0; i < n; ++i) {
        double z = 0;
        for (Index j = 0; j < d; ++j) {
            cached.X(i, j) = float(rng.normal());
            z += (j % 3 == 0 ? 0.3 : -0.1) * cached.X(i, j);
        }
        cached.y[i] = rng.uniform() < 1 / (1 + std::exp(-z)) ? 1.0f : 0.0f;
        for (int k = 0; k < 14; ++k) entries.emplace_back(i, Index(rng.uniform_index(std::uint64_t(d))), 1.0f);
    }
    cached.S.resize(n, d);
    cached.S.setFromTriplets(entries.begin(), entries.end(), [](float, float b) { return b; });
    return cached;
}

shelf::linear::Params sweep(int models, int threads) {
    shelf::linear::Params p;
    p.predictor_type = shelf::linear::PredictorType::binary_classifier;
    p.num_models = models;
    p.epochs = 1;
    p.num_threads = threads;
    return p;
}

void counters(benchmark::State& state, Index n, int models) {
    state.counters["rows/s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["model_rows/s"] =
        benchmark::Counter(double(n) * models, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_epoch_dense(benchmark::State& state) {
    const Index n = 200000, d = state.range(0);
    const int models = int(state.range(1)), threads = int(state.range(2));
    const Data& x = data(n, d);
    for (auto _ : state) benchmark::DoNotOptimize(shelf::linear::fit(x.X, x.y, sweep(models, threads)));
    counters(state, n, models);
}
BENCHMARK(BM_epoch_dense)
    ->ArgNames({"d", "models", "threads"})
    ->Args({100, 1, 1})
    ->Args({100, 8, 1})
    ->Args({100, 32, 1})
    ->Args({100, 32, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_epoch_sparse(benchmark::State& state) {
    const Index n = 200000, d = 123;
    const int models = int(state.range(0)), threads = int(state.range(1));
    const Data& x = data(n, d);
    for (auto _ : state) benchmark::DoNotOptimize(shelf::linear::fit(x.S, x.y, sweep(models, threads)));
    counters(state, n, models);
}
BENCHMARK(BM_epoch_sparse)
    ->ArgNames({"models", "threads"})
    ->Args({1, 1})
    ->Args({32, 1})
    ->Args({32, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_predict_dense(benchmark::State& state) {
    const Index n = 200000, d = 100;
    const Data& x = data(n, d);
    const auto model = shelf::linear::fit(x.X, x.y, sweep(1, int(state.range(0))));
    for (auto _ : state) benchmark::DoNotOptimize(model.predict(x.X));
    state.counters["rows/s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_predict_dense)->ArgNames({"threads"})->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
