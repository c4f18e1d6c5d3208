// shelf/decomposition/fit.hpp: training — regular (exact) or randomized PCA, dense or sparse rows.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "model.hpp"
#include "params.hpp"
#include "randomized.hpp"
#include "scatter.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"

namespace shelf::pca {

namespace detail {

/// Checks the data against the parameters and resolves feature_dim and the randomized mode's `auto`s.
inline void prepare(Params& params, Index n, Index d, Index data_cols, bool sparse) {
    params.validate();
    if (n < 2 || data_cols < 1)
        throw data_error(errc::empty_data, "pca fit: X is " + std::to_string(n) + " x " + std::to_string(data_cols) +
                                               "; expected at least 2 rows and 1 column");
    if (sparse ? data_cols > d : data_cols != d)
        throw data_error(errc::shape_mismatch, "pca fit: X has " + std::to_string(data_cols) +
                                                   " columns but feature_dim = " + std::to_string(d));
    const int nc = *params.num_components;
    if (nc > d)
        throw invalid_argument(errc::out_of_range, "pca: hyperparameter num_components = " + std::to_string(nc) +
                                                       " is more than the " + std::to_string(d) +
                                                       " features; expected num_components <= " + std::to_string(d));
    params.feature_dim = static_cast<int>(d);
    if (params.algorithm_mode != Mode::randomized) return;
    if (nc > n)
        throw invalid_argument(errc::out_of_range, "pca: hyperparameter num_components = " + std::to_string(nc) +
                                                       " is more than the " + std::to_string(n) +
                                                       " rows; randomized mode needs num_components <= rows");
    const Index extra = params.extra_components < 0 ? std::max(10, nc) : params.extra_components;
    params.extra_components = static_cast<int>(std::min<Index>(nc + extra, std::min(n, d)) - nc);
    params.power_iterations = params.power_iterations.value_or(4);
}

template <class T>
Model<T> fit(const MatrixView<T>& X, Params params, const ProgressCallback& progress) {
    prepare(params, X.rows(), params.feature_dim.value_or(static_cast<int>(X.cols())), X.cols(), false);
    const int threads = resolve_threads(params.num_threads);
    if (params.algorithm_mode == Mode::randomized) {
        return randomized<T>(X, std::move(params), threads, progress);
    }
    Accumulator<T> acc(std::move(params));
    const Index n = X.rows();
    // With a progress callback, feed the rows in about 20 parts and report after each.
    const Index part = progress ? std::max<Index>(1, (n + 19) / 20) : n;
    for (Index first = 0; first < n; first += part) {
        acc.add(X.middleRows(first, std::min(part, n - first)));
        if (!report(progress, {"rows", acc.rows(), n, 0.0, ""}) && acc.rows() < n) {
            acc.mark_stopped();
            break;
        }
    }
    return acc.finish();
}

template <class T>
Model<T> fit(const SparseMatrix<T>& X, Params params, const ProgressCallback& progress) {
    const Index d = params.feature_dim.value_or(static_cast<int>(X.cols()));
    prepare(params, X.rows(), d, X.cols(), true);
    const int threads = resolve_threads(params.num_threads);
    if (params.algorithm_mode == Mode::randomized) {
        SparseMatrix<T> wide;
        if (X.cols() < d) {  // absent trailing features: widen so the components have d coordinates
            wide = X;
            wide.conservativeResize(X.rows(), d);
        }
        const SparseMatrix<T>& data = X.cols() < d ? wide : X;
        return randomized<T>(data, std::move(params), threads, progress);
    }
    Accumulator<T> acc(std::move(params));
    acc.add(X);
    report(progress, {"rows", acc.rows(), X.rows(), 0.0, ""});
    return acc.finish();
}

}  // namespace detail

/// Trains PCA on the rows of X (float or double, row-major; other layouts are copied).
/// Throws invalid_argument for bad hyperparameters (num_components > features included)
/// and data_error for fewer than 2 rows or non-finite values.
template <class Derived>
Model<typename Derived::Scalar> fit(const Eigen::MatrixBase<Derived>& X, const Params& params,
                                    const ProgressCallback& progress = {}) {
    using T = typename Derived::Scalar;
    static_assert(std::is_floating_point_v<T>, "shelf::pca::fit needs float or double data");
    return detail::fit<T>(MatrixView<T>(X.derived()), params, progress);
}

/// Trains PCA on sparse rows; with feature_dim set they may have fewer columns (absent trailing features are 0).
template <class T>
Model<T> fit(const SparseMatrix<T>& X, const Params& params, const ProgressCallback& progress = {}) {
    static_assert(std::is_floating_point_v<T>, "shelf::pca::fit needs float or double data");
    return detail::fit<T>(X, params, progress);
}

}  // namespace shelf::pca
