// shelf/neighbors/fit.hpp: training — checks, the sample of sample_size rows, the projection,
// and the index built mini-batch by mini-batch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "model.hpp"
#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"

namespace shelf::knn {

namespace detail {

template <class T>
Model<T> fit(const MatrixView<T>& X, const VectorView<T>& y, Params params, const ProgressCallback& progress) {
    params.validate();
    const std::string context = "knn fit";
    const Index n = X.rows(), d = X.cols();
    if (n == 0 || d == 0)
        throw data_error(errc::empty_data, context + ": the training data is " + std::to_string(n) + " x " +
                                               std::to_string(d) + "; expected at least one row and one column");
    if (params.feature_dim) require_columns(d, *params.feature_dim, context);
    if (y.size() != n)
        throw data_error(errc::shape_mismatch, context + ": the training data has " + std::to_string(n) + " rows but " +
                                                   std::to_string(y.size()) + " labels");
    params.feature_dim = static_cast<int>(d);
    params.validate();  // dimension_reduction_target against the resolved feature_dim
    const int threads = resolve_threads(params.num_threads);
    require_finite(X, context, Missing::refused, threads);
    for (Index i = 0; i < n; ++i)
        if (!std::isfinite(y[i]))
            throw data_error(errc::not_finite, context + ": the label in row " + std::to_string(i) + " is " +
                                                   (std::isnan(y[i]) ? "NaN" : "infinite") + "; expected a finite label");
    const std::int64_t kept = std::min<std::int64_t>(*params.sample_size, n);
    if (*params.k > kept)
        throw invalid_argument(errc::inconsistent, context + ": k = " + std::to_string(*params.k) + " is more than the " +
                                                       std::to_string(kept) + " rows the index would hold (sample_size = " +
                                                       std::to_string(*params.sample_size) + ", " + std::to_string(n) +
                                                       " training rows)");

    Rng rng(static_cast<std::uint64_t>(params.seed));
    const std::vector<Index> rows = sample_rows(n, *params.sample_size, rng);
    Rng projection_rng = Rng::for_stream(static_cast<std::uint64_t>(params.seed), 1);
    Projection<T> projection(params.dimension_reduction_type, d, params.dimension_reduction_target.value_or(0),
                             projection_rng);
    const Index dim = projection.output_dim();
    RowMatrix<T> gathered;
    Vector<T> labels(static_cast<Index>(rows.size()));
    // Rows first .. first + count − 1 of the sample, projected, with their labels.
    const auto gather = [&](Index first, Index count) -> MatrixView<T> {
        gathered.resize(count, d);
        for (Index i = 0; i < count; ++i) {
            const Index row = rows[static_cast<std::size_t>(first + i)];
            gathered.row(i) = X.row(row);
            labels[first + i] = y[row];
        }
        if (projection.type() != Reduction::none) gathered = projection.apply(gathered, threads);
        return gathered;
    };
    AnyIndex<T> index;
    if (params.index_type == IndexType::flat) {
        index = AnyIndex<T>(FlatIndex<T>(dim, params.index_metric, params.vector_storage));
    } else if (params.index_type == IndexType::hnsw) {
        index = AnyIndex<T>(HnswIndex<T>(dim, params.index_metric, hnsw_options(params)));
    } else {
        const std::int64_t nlists = params.faiss_index_ivf_nlists.value_or(
            std::max<std::int64_t>(1, std::llround(std::sqrt(static_cast<double>(kept)))));
        if (nlists > kept)
            throw invalid_argument(errc::inconsistent, context + ": faiss_index_ivf_nlists = " + std::to_string(nlists) +
                                                           " is more than the " + std::to_string(kept) +
                                                           " rows the index would hold");
        const int pq_m = params.index_type == IndexType::ivf_pq
                             ? params.faiss_index_pq_m.value_or(resolve_pq_m(static_cast<int>(dim)))
                             : 0;
        if (pq_m > dim)
            throw invalid_argument(errc::inconsistent, context + ": faiss_index_pq_m = " + std::to_string(pq_m) +
                                                           " is more than the " + std::to_string(dim) +
                                                           " dimensions of the indexed vectors");
        params.faiss_index_ivf_nlists = nlists;
        if (params.index_type == IndexType::ivf_pq) params.faiss_index_pq_m = pq_m;
        params.nprobe = params.nprobe.value_or(
            static_cast<std::int64_t>(std::ceil(std::sqrt(static_cast<double>(nlists)))));
        IvfIndex<T> ivf(dim, params.index_metric, nlists, pq_m, params.seed);
        ivf.train(gather(0, std::min<Index>(kept, IvfIndex<T>::training_rows(nlists))), threads);
        index = AnyIndex<T>(std::move(ivf));
    }
    FitReport report;
    const Index batch = params.mini_batch_size, batches = (kept + batch - 1) / batch;
    for (Index b = 0; b < batches; ++b) {
        const Index first = b * batch, count = std::min<Index>(batch, kept - first);
        // A graph built on several threads depends on their timing: a model's is built on one,
        // so that the seed decides it.
        index.add(gather(first, count), params.index_type == IndexType::hnsw ? 1 : threads);
        report.rows += count;
        if (!shelf::report(progress, {"batch", b + 1, batches, 0.0, ""})) {
            report.stopped = true;
            break;
        }
    }
    labels.conservativeResize(report.rows);
    return Model<T>(std::move(params), std::move(projection), std::move(index), std::move(labels), report);
}

}  // namespace detail

/// Trains a k-NN model on the rows of X (float or double) with labels y (class labels for a
/// classifier, any finite values for a regressor). `progress` hears of each mini-batch added
/// to the index; returning false stops there, keeping the rows added so far.
template <class DX, class DY>
Model<typename DX::Scalar> fit(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& y, const Params& params,
                               const ProgressCallback& progress = {}) {
    using T = typename DX::Scalar;
    static_assert(std::is_floating_point_v<T>, "shelf::knn::fit needs float or double data");
    return detail::fit<T>(MatrixView<T>(X.derived()), VectorView<T>(y.derived()), params, progress);
}

}  // namespace shelf::knn
