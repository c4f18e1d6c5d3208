// tests/conformance/families.hpp: what the suite needs to know of each family, and no more.
//
// Scalar, Params, Model, Rebind<U>; supervised and labels(X) for the families that learn from
// labels; missing (whether NaN means a missing value); params() for the small data (three
// blobs, 240 × 5); parallel_params() and parallel_rows for data large enough that fit opens
// parallel regions on two threads, and whether those regions allocate with operator new (what
// the fault hook can fail); fit(...) and output(model, X), the family's platform output.
#pragma once

#include <shelf/shelf.hpp>

namespace conformance {

/// What every traits struct names: its scalar, the family's Params and Model, and itself for
/// the other scalar.
template <class T, class ParamsT, class ModelT, template <class> class Self>
struct Family {
    using Scalar = T;
    using Params = ParamsT;
    using Model = ModelT;
    template <class U>
    using Rebind = Self<U>;
    // The usual answers; a family says otherwise by declaring its own.
    static constexpr shelf::Missing missing = shelf::Missing::refused;
    static constexpr bool allocates_in_parallel = true;
    static Params parallel_params() { return Self<T>::params(); }
};

/// Labels of the blobs: 1 for the first of the three, else 0.
template <class T>
shelf::Vector<T> first_blob(const shelf::RowMatrix<T>& X) {
    shelf::Vector<T> y(X.rows());
    for (shelf::Index i = 0; i < X.rows(); ++i) y[i] = T(i % 3 == 0);
    return y;
}

template <class T>
struct KMeans : Family<T, shelf::kmeans::Params, shelf::kmeans::Model<T>, KMeans> {
    using typename Family<T, shelf::kmeans::Params, shelf::kmeans::Model<T>, KMeans>::Params;
    using typename Family<T, shelf::kmeans::Params, shelf::kmeans::Model<T>, KMeans>::Model;
    static constexpr bool supervised = false;
    static constexpr shelf::Index parallel_rows = 300000;  // team_size wants 16M multiply-adds for two threads

    static Params params() {
        Params p;
        p.k = 3;
        p.seed = 7;
        return p;
    }
    static Params parallel_params() {
        Params p = params();
        p.k = 8;
        p.mode = shelf::kmeans::Mode::lloyd;
        p.local_lloyd_max_iter = 3;
        return p;
    }
    static Model fit(const shelf::RowMatrix<T>& X, const Params& p, const shelf::ProgressCallback& progress) {
        return shelf::kmeans::fit(X, p, progress);
    }
    static auto output(const Model& m, const shelf::RowMatrix<T>& X) { return m.predict(X); }
};

template <class T>
struct PCA : Family<T, shelf::pca::Params, shelf::pca::Model<T>, PCA> {
    using typename Family<T, shelf::pca::Params, shelf::pca::Model<T>, PCA>::Params;
    using typename Family<T, shelf::pca::Params, shelf::pca::Model<T>, PCA>::Model;
    static constexpr bool supervised = false;
    static constexpr shelf::Index parallel_rows = 120000;
    /// PCA's regions allocate only through Eigen (malloc), which the test's operator new cannot
    /// fail; the driver itself is held to carrying exceptions out in tests/core/test_parallel.cpp.
    static constexpr bool allocates_in_parallel = false;

    static Params params() {
        Params p;
        p.num_components = 2;
        p.seed = 7;
        return p;
    }
    static Model fit(const shelf::RowMatrix<T>& X, const Params& p, const shelf::ProgressCallback& progress) {
        return shelf::pca::fit(X, p, progress);
    }
    static auto output(const Model& m, const shelf::RowMatrix<T>& X) { return m.transform(X); }
};

template <class T>
struct Linear : Family<T, shelf::linear::Params, shelf::linear::Model<T>, Linear> {
    using typename Family<T, shelf::linear::Params, shelf::linear::Model<T>, Linear>::Params;
    using typename Family<T, shelf::linear::Params, shelf::linear::Model<T>, Linear>::Model;
    static constexpr bool supervised = true;
    static constexpr shelf::Index parallel_rows = 20000;

    static Params params() {
        Params p;
        p.predictor_type = shelf::linear::PredictorType::binary_classifier;
        p.epochs = 3;
        p.seed = 7;
        return p;
    }
    static shelf::Vector<T> labels(const shelf::RowMatrix<T>& X) { return first_blob(X); }
    static Model fit(const shelf::RowMatrix<T>& X, const shelf::Vector<T>& y, const Params& p,
                     const shelf::ProgressCallback& progress) {
        return shelf::linear::fit(X, y, p, {}, progress);
    }
    static auto output(const Model& m, const shelf::RowMatrix<T>& X) { return m.predict(X); }
};

template <class T>
struct GBT : Family<T, shelf::gbt::Params, shelf::gbt::Model<T>, GBT> {
    using typename Family<T, shelf::gbt::Params, shelf::gbt::Model<T>, GBT>::Params;
    using typename Family<T, shelf::gbt::Params, shelf::gbt::Model<T>, GBT>::Model;
    static constexpr bool supervised = true;
    static constexpr shelf::Missing missing = shelf::Missing::allowed;
    static constexpr shelf::Index parallel_rows = 20000;

    static Params params() {
        Params p;
        p.num_round = 5;
        p.objective = "binary:logistic";
        p.max_depth = 3;
        p.seed = 7;
        return p;
    }
    static shelf::Vector<T> labels(const shelf::RowMatrix<T>& X) { return first_blob(X); }
    static Model fit(const shelf::RowMatrix<T>& X, const shelf::Vector<T>& y, const Params& p,
                     const shelf::ProgressCallback& progress) {
        return shelf::gbt::fit(X, y, p, {}, progress);
    }
    static auto output(const Model& m, const shelf::RowMatrix<T>& X) { return m.predict(X); }
};

template <class T>
struct KNN : Family<T, shelf::knn::Params, shelf::knn::Model<T>, KNN> {
    using typename Family<T, shelf::knn::Params, shelf::knn::Model<T>, KNN>::Params;
    using typename Family<T, shelf::knn::Params, shelf::knn::Model<T>, KNN>::Model;
    static constexpr bool supervised = true;
    static constexpr shelf::Index parallel_rows = 20000;
    /// k-NN's fit copies rows into the index; its parallel loops (the finiteness scan, the
    /// norms) allocate nothing. Search's regions carry exceptions like every parallel_for.
    static constexpr bool allocates_in_parallel = false;

    static Params params() {
        Params p;
        p.k = 5;
        p.sample_size = 200;  // fewer than the rows: the sample is part of the contract
        p.predictor_type = shelf::knn::PredictorType::classifier;
        p.seed = 7;
        return p;
    }
    static shelf::Vector<T> labels(const shelf::RowMatrix<T>& X) { return first_blob(X); }
    static Model fit(const shelf::RowMatrix<T>& X, const shelf::Vector<T>& y, const Params& p,
                     const shelf::ProgressCallback& progress) {
        return shelf::knn::fit(X, y, p, progress);
    }
    static auto output(const Model& m, const shelf::RowMatrix<T>& X) { return m.predict(X); }
};

/// k-NN over the inverted lists of product-quantizer codes: training (k-means twice) is part
/// of the contract too.
template <class T>
struct KNNIvfPq : KNN<T> {
    using typename KNN<T>::Params;
    template <class U>
    using Rebind = KNNIvfPq<U>;
    static Params params() {
        Params p = KNN<T>::params();
        p.index_type = shelf::knn::IndexType::ivf_pq;
        p.faiss_index_ivf_nlists = 4;
        p.nprobe = 2;
        return p;
    }
};

/// k-NN over the HNSW graph on 8-bit codes (a model's graph is built on one thread: the seed decides it).
template <class T>
struct KNNHnsw : KNN<T> {
    using typename KNN<T>::Params;
    template <class U>
    using Rebind = KNNHnsw<U>;
    static Params params() {
        Params p = KNN<T>::params();
        p.index_type = shelf::knn::IndexType::hnsw;
        p.vector_storage = shelf::knn::Storage::sq8;
        p.M = 4;
        return p;
    }
};

template <class T>
struct RCF : Family<T, shelf::rcf::Params, shelf::rcf::Model<T>, RCF> {
    using typename Family<T, shelf::rcf::Params, shelf::rcf::Model<T>, RCF>::Params;
    using typename Family<T, shelf::rcf::Params, shelf::rcf::Model<T>, RCF>::Model;
    static constexpr bool supervised = false;
    static constexpr shelf::Index parallel_rows = 2048;

    static Params params() {
        Params p;
        p.num_trees = 50;
        p.num_samples_per_tree = 64;  // fewer than the rows: each tree's sample is part of the contract
        p.seed = 7;
        return p;
    }
    static Params parallel_params() {  // rounds of 30 trees of 2048 points in 16 columns: two threads
        Params p = params();
        p.num_trees = 300;
        p.num_samples_per_tree = 2048;
        return p;
    }
    static Model fit(const shelf::RowMatrix<T>& X, const Params& p, const shelf::ProgressCallback& progress) {
        return shelf::rcf::fit(X, p, progress);
    }
    static auto output(const Model& m, const shelf::RowMatrix<T>& X) { return m.score(X); }
};

template <class T>
struct FM : Family<T, shelf::fm::Params, shelf::fm::Model<T>, FM> {
    using typename Family<T, shelf::fm::Params, shelf::fm::Model<T>, FM>::Params;
    using typename Family<T, shelf::fm::Params, shelf::fm::Model<T>, FM>::Model;
    static constexpr bool supervised = true;
    static constexpr shelf::Index parallel_rows = 20000;

    static Params params() {
        Params p;
        p.predictor_type = shelf::fm::PredictorType::binary_classifier;
        p.num_factors = 4;
        p.epochs = 3;
        p.mini_batch_size = 50;
        p.seed = 7;
        return p;
    }
    /// Mini-batches of 10,000 rows × 16 features × 64 factors: enough work for two threads.
    static Params parallel_params() {
        Params p = params();
        p.num_factors = 64;
        p.mini_batch_size = 10000;
        p.epochs = 2;
        return p;
    }
    static shelf::Vector<T> labels(const shelf::RowMatrix<T>& X) { return first_blob(X); }
    static Model fit(const shelf::RowMatrix<T>& X, const shelf::Vector<T>& y, const Params& p,
                     const shelf::ProgressCallback& progress) {
        return shelf::fm::fit(X, y, p, {}, progress);
    }
    static auto output(const Model& m, const shelf::RowMatrix<T>& X) { return m.predict(X); }
};

/// The forecaster reads series, not rows: its traits make a small hourly panel, and
/// test_deepar.cpp holds it to the contract in the terms of series (suite.hpp's run() is
/// written for row data: its NaN and column-count sections name matrix cells).
template <class T>
struct DeepAR : Family<T, shelf::deepar::Params, shelf::deepar::Model<T>, DeepAR> {
    using typename Family<T, shelf::deepar::Params, shelf::deepar::Model<T>, DeepAR>::Params;
    using typename Family<T, shelf::deepar::Params, shelf::deepar::Model<T>, DeepAR>::Model;
    using Data = std::vector<shelf::Series<T>>;

    /// `count` hourly series of `length` points: a daily cycle at a level set by the category.
    static Data series(int count, shelf::Index length, std::uint64_t seed) {
        shelf::Rng rng(seed);
        Data out;
        for (int i = 0; i < count; ++i) {
            shelf::Series<T> s;
            s.start = {2022, 1, 1 + i % 28, 0, 0, 0};
            s.cat.push_back(i % 3);  // not "= {i % 3}": GCC 12 at -O3 warns of a null memmove there
            s.target.resize(length);
            for (shelf::Index t = 0; t < length; ++t)
                s.target[t] = static_cast<T>((5.0 + 5.0 * (i % 3)) * (1.5 + std::sin(0.2617993877991494 * double(t))) +
                                             rng.normal());
            out.push_back(s);
        }
        return out;
    }
    static Params params() {
        Params p;
        p.time_freq = shelf::deepar::TimeFreq::hour;
        p.prediction_length = 6;
        p.context_length = 12;
        p.epochs = 2;
        p.num_batches_per_epoch = 3;
        p.mini_batch_size = 40;  // two chunks of windows
        p.num_cells = 8;
        p.num_eval_samples = 20;
        p.seed = 7;
        return p;
    }
    /// Mini-batches of 128 windows of a 40-cell network: enough work for two threads.
    static Params parallel_params() {
        Params p = params();
        p.mini_batch_size = 128;
        p.num_cells = 40;
        p.num_batches_per_epoch = 1;
        p.epochs = 1;
        return p;
    }
    static Model fit(const Data& train, const Params& p, const shelf::ProgressCallback& progress = {}) {
        return shelf::deepar::fit(train, p, {}, progress);
    }
    /// The mean forecast, a row per series.
    static shelf::RowMatrix<T> output(const Model& m, const Data& series) {
        const auto forecasts = m.forecast(series);
        shelf::RowMatrix<T> out(static_cast<shelf::Index>(forecasts.size()), *m.params().prediction_length);
        for (std::size_t i = 0; i < forecasts.size(); ++i) out.row(static_cast<shelf::Index>(i)) = forecasts[i].mean.transpose();
        return out;
    }
};

}  // namespace conformance
