// Micro-benchmarks of the HNSW index on a synthetic set: 20,000 points in 64 dimensions around
// 50 Gaussian clusters, 1,000 queries of the same law, k = 10.
//
// BM_hnsw_build: the graph (M = 16, ef_construction = 200) on 1 or 2 threads, items/s = points.
// BM_hnsw_search: every query in one call on one thread at ef range(0), float or quantized walk
// (range(1)); items/s are queries per second, and the counter recall@10 is measured against
// FlatIndex's exact answer.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <set>

#include <shelf/core/random.hpp>
#include <shelf/neighbors/flat.hpp>
#include <shelf/neighbors/hnsw.hpp>

namespace {

using shelf::Index;
using shelf::RowMatrix;

RowMatrix<float> clusters(Index n, std::uint64_t seed) {
    shelf::Rng centre_rng(7), rng(seed);
    RowMatrix<float> centres(50, 64), X(n, 64);
    for (Index i = 0; i < centres.size(); ++i) centres.data()[i] = static_cast<float>(centre_rng.normal(0.0, 3.0));
    for (Index i = 0; i < n; ++i) {
        const auto c = static_cast<Index>(rng.uniform_index(50));
        for (Index j = 0; j < 64; ++j) X(i, j) = centres(c, j) + static_cast<float>(rng.normal());
    }
    return X;
}

const RowMatrix<float>& base() {
    static const RowMatrix<float> X = clusters(20000, 1);
    return X;
}
const RowMatrix<float>& queries() {
    static const RowMatrix<float> Q = clusters(1000, 2);
    return Q;
}

const shelf::knn::HnswIndex<float>& index(bool quantized) {
    static const auto build = [](bool q) {
        shelf::knn::HnswOptions options;
        options.storage = q ? shelf::knn::Storage::sq8_rerank : shelf::knn::Storage::vectors;
        shelf::knn::HnswIndex<float> h(64, shelf::knn::Metric::l2, options);
        h.add(base(), {}, 2);
        return h;
    };
    static const shelf::knn::HnswIndex<float> plain = build(false), coded = build(true);
    return quantized ? coded : plain;
}

const shelf::knn::IdMatrix& exact() {
    static const shelf::knn::IdMatrix ids = [] {
        shelf::knn::FlatIndex<float> flat(64, shelf::knn::Metric::l2);
        flat.add(base());
        return flat.search(queries(), 10, 2).ids;
    }();
    return ids;
}

double recall(const shelf::knn::IdMatrix& got) {
    double found = 0;
    for (Index q = 0; q < got.rows(); ++q) {
        const std::set<std::int64_t> mine(got.row(q).data(), got.row(q).data() + got.cols());
        for (Index j = 0; j < 10; ++j) found += mine.count(exact()(q, j)) ? 1 : 0;
    }
    return found / static_cast<double>(got.size());
}

void BM_hnsw_build(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    (void)base();
    for (auto _ : state) {
        shelf::knn::HnswIndex<float> h(64, shelf::knn::Metric::l2);
        h.add(base(), {}, threads);
        benchmark::DoNotOptimize(h.size());
    }
    state.SetItemsProcessed(state.iterations() * base().rows());
}
BENCHMARK(BM_hnsw_build)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// range(0): ef, range(1): 1 for the quantized walk.
void BM_hnsw_search(benchmark::State& state) {
    const auto& h = index(state.range(1) != 0);
    const int ef = static_cast<int>(state.range(0));
    (void)exact();
    shelf::knn::IdMatrix last;
    for (auto _ : state) {
        auto found = h.search(queries(), 10, 1, {}, ef);
        benchmark::DoNotOptimize(found.ids.data());
        last = std::move(found.ids);
    }
    state.SetItemsProcessed(state.iterations() * queries().rows());
    state.counters["recall@10"] = recall(last);
}
BENCHMARK(BM_hnsw_search)
    ->ArgsProduct({{10, 40, 160, 640}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
