// shelf/cluster/fit.hpp: training — the platform's mini-batch method, or full-batch Lloyd.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "data.hpp"
#include "lloyd.hpp"
#include "minibatch.hpp"
#include "model.hpp"
#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"

namespace shelf::kmeans {

namespace detail {

/// Validated training data: the thread count, and the data mean every stage works relative to.
template <class T>
struct Prepared {
    int threads;
    Eigen::Matrix<T, 1, Eigen::Dynamic> shift;
};

template <class T>
Prepared<T> prepare(const MatrixView<T>& X, Params& params) {
    params.validate();
    const Index n = X.rows(), d = X.cols();
    if (n == 0 || d == 0)
        throw data_error(errc::empty_data, "kmeans fit: X is " + std::to_string(n) + " x " + std::to_string(d) +
                                               "; expected at least one row and one column");
    if (params.feature_dim && *params.feature_dim != d)
        throw data_error(errc::shape_mismatch, "kmeans fit: X has " + std::to_string(d) +
                                                   " columns but feature_dim = " + std::to_string(*params.feature_dim));
    if (*params.k > n)
        throw invalid_argument(errc::out_of_range, "kmeans: hyperparameter k = " + std::to_string(*params.k) +
                                                       " is more than the " + std::to_string(n) +
                                                       " training rows; expected k <= " + std::to_string(n));
    params.feature_dim = static_cast<int>(d);
    const int threads = resolve_threads(params.num_threads);
    return {threads, checked_column_mean(X, threads, "kmeans fit").template cast<T>()};
}

/// Centers from the shifted frame back to the data's.
template <class T>
RowMatrix<T> unshift(const RowMatrix<T>& centers, const Eigen::Matrix<T, 1, Eigen::Dynamic>& shift) {
    return (centers.template cast<double>().rowwise() + shift.template cast<double>()).template cast<T>();
}

inline std::function<bool(int, int, double)> lloyd_progress(const ProgressCallback& progress, int trials, int max_iter) {
    if (!progress) return {};
    return [&progress, trials, max_iter](int trial, int iteration, double inertia) {
        return report(progress, {"iteration", static_cast<long long>(trial) * max_iter + iteration,
                                 static_cast<long long>(trials) * max_iter, inertia, "inertia"});
    };
}

template <class T>
Model<T> fit(const MatrixView<T>& X, Params params, const ProgressCallback& progress) {
    const Prepared<T> prep = prepare(X, params);
    const Index k = *params.k;
    const RowSource<T> data(X, prep.shift.data());
    FitReport report;
    LloydRun<T> run;
    if (params.mode == Mode::lloyd) {
        params.local_lloyd_num_trials = params.local_lloyd_num_trials.value_or(params.init_method == Init::random ? 10 : 1);
        const int trials = *params.local_lloyd_num_trials;
        run = best_lloyd(data, k, params.init_method, trials, params.local_lloyd_max_iter, params.local_lloyd_tol,
                         params.seed, 1, prep.threads, lloyd_progress(progress, trials, params.local_lloyd_max_iter),
                         report.trial_inertia);
    } else {
        const int automatic = std::max(2, static_cast<int>(std::ceil(std::log2(static_cast<double>(k)))));
        params.extra_center_factor = params.extra_center_factor.value_or(automatic);
        params.local_lloyd_num_trials = params.local_lloyd_num_trials.value_or(10);
        const Index K = std::min<Index>(X.rows(), k * *params.extra_center_factor);
        StreamCenters<T> stream = stream_centers(data, K, params, prep.threads, progress);
        report.batches = stream.batches;
        // The local run reduces the stream centers to k, each weighted by the points it absorbed;
        // centers that absorbed none are left out while k others remain.
        std::vector<Index> kept;
        for (Index c = 0; c < K; ++c)
            if (stream.weight[c] > 0) kept.push_back(c);
        if (static_cast<Index>(kept.size()) < k) {
            kept.resize(static_cast<std::size_t>(K));
            std::iota(kept.begin(), kept.end(), Index{0});
        }
        RowMatrix<T> points(static_cast<Index>(kept.size()), X.cols());
        std::vector<double> weight(kept.size());
        for (std::size_t i = 0; i < kept.size(); ++i) {
            points.row(static_cast<Index>(i)) = stream.centers.row(kept[i]);
            weight[i] = stream.weight[kept[i]];
        }
        const RowSource<T> local(points, nullptr, weight.data());
        run = best_lloyd(local, k, params.local_lloyd_init_method, *params.local_lloyd_num_trials,
                         params.local_lloyd_max_iter, params.local_lloyd_tol, params.seed, 1, prep.threads, {},
                         report.trial_inertia);
        run.stopped = run.stopped || stream.stopped;
    }
    report.inertia = std::move(run.inertia);
    report.iterations = run.iterations;
    report.converged = run.converged;
    report.stopped = run.stopped;
    return Model<T>(std::move(params), unshift(run.centers, prep.shift), std::move(report));
}

template <class T>
Model<T> lloyd(const MatrixView<T>& X, const MatrixView<T>& initial_centers, Params params,
               const ProgressCallback& progress) {
    if (params.k && *params.k != initial_centers.rows())
        throw invalid_argument(errc::inconsistent, "kmeans: hyperparameter k = " + std::to_string(*params.k) + " but " +
                                                       std::to_string(initial_centers.rows()) +
                                                       " initial centers were given");
    params.k = static_cast<int>(initial_centers.rows());
    params.mode = Mode::lloyd;
    params.local_lloyd_num_trials = 1;
    const Prepared<T> prep = prepare(X, params);
    if (initial_centers.cols() != X.cols())
        throw data_error(errc::shape_mismatch, "kmeans fit: the initial centers have " +
                                                   std::to_string(initial_centers.cols()) + " columns, X has " +
                                                   std::to_string(X.cols()));
    shelf::require_finite(initial_centers, "kmeans fit (initial centers)");
    const RowMatrix<T> start = initial_centers.rowwise() - prep.shift;
    const auto on_iteration = lloyd_progress(progress, 1, params.local_lloyd_max_iter);
    LloydRun<T> run = lloyd_run(RowSource<T>(X, prep.shift.data()), start, params.local_lloyd_max_iter,
                                params.local_lloyd_tol, prep.threads,
                                on_iteration ? IterationCallback([&](int it, double inertia) { return on_iteration(0, it, inertia); })
                                             : IterationCallback());
    FitReport report;
    report.inertia = std::move(run.inertia);
    report.iterations = run.iterations;
    report.converged = run.converged;
    report.stopped = run.stopped;
    report.trial_inertia = {report.inertia.empty() ? 0.0 : report.inertia.back()};
    return Model<T>(std::move(params), unshift(run.centers, prep.shift), std::move(report));
}

}  // namespace detail

/// Trains k-means on the rows of X (float or double, row-major; other layouts are copied).
/// Throws invalid_argument for bad hyperparameters (k > rows included) and data_error
/// for empty or non-finite data.
template <class Derived>
Model<typename Derived::Scalar> fit(const Eigen::MatrixBase<Derived>& X, const Params& params,
                                    const ProgressCallback& progress = {}) {
    using T = typename Derived::Scalar;
    static_assert(std::is_floating_point_v<T>, "shelf::kmeans::fit needs float or double data");
    return detail::fit<T>(MatrixView<T>(X.derived()), params, progress);
}

/// One full-batch Lloyd run from given initial centers (k = their row count), like
/// scikit-learn's KMeans(init=array, n_init=1): local_lloyd_max_iter and
/// local_lloyd_tol apply; mode, init and trial settings are ignored.
template <class Derived, class DerivedCenters>
Model<typename Derived::Scalar> lloyd(const Eigen::MatrixBase<Derived>& X,
                                      const Eigen::MatrixBase<DerivedCenters>& initial_centers, const Params& params,
                                      const ProgressCallback& progress = {}) {
    using T = typename Derived::Scalar;
    static_assert(std::is_floating_point_v<T>, "shelf::kmeans::lloyd needs float or double data");
    static_assert(std::is_same_v<T, typename DerivedCenters::Scalar>, "the centers must have the data's scalar type");
    return detail::lloyd<T>(MatrixView<T>(X.derived()), MatrixView<T>(initial_centers.derived()), params, progress);
}

}  // namespace shelf::kmeans
