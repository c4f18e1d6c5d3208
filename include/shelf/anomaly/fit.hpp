// shelf/anomaly/fit.hpp: training — each tree built on its own sample of the rows, then the
// scale and threshold of the scores from a sample of the training rows.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "forest.hpp"
#include "model.hpp"
#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"

namespace shelf::rcf {

namespace detail {

/// Training rows scored for the scale and the threshold (all of them up to this many).
inline constexpr std::int64_t calibration_rows = 4000;

/// Appends `tree` (one tree in tree-local indices) to `forest`.
template <class T>
void append_tree(Forest<T>& forest, const Forest<T>& tree) {
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(forest.left, tree.left), append(forest.right, tree.right), append(forest.dim, tree.dim);
    append(forest.cut, tree.cut), append(forest.mass, tree.mass);
    forest.tree_first.push_back(forest.tree_first.back() + tree.nodes());
}

template <class T>
Model<T> fit(const MatrixView<T>& X, Params params, const ProgressCallback& progress) {
    params.validate();
    const std::string context = "randomcutforest fit";
    if (params.streaming)
        throw invalid_argument(errc::out_of_range, context + ": streaming=true learns point by point: use shelf::rcf::Stream");
    const Index n = X.rows(), d = X.cols();
    if (n == 0 || d == 0)
        throw data_error(errc::empty_data, context + ": the training data is " + std::to_string(n) + " x " +
                                               std::to_string(d) + "; expected at least one row and one column");
    if (params.feature_dim) require_columns(d, *params.feature_dim, context);
    params.feature_dim = static_cast<int>(d);
    const int threads = resolve_threads(params.num_threads);
    require_finite(X, context, Missing::refused, threads);
    const auto seed = static_cast<std::uint64_t>(params.seed);

    // Trees in rounds of about a tenth, a progress report after each; tree t draws its sample
    // and cuts from stream t, so the forest does not depend on the thread count.
    const Index trees = params.num_trees, samples = std::min<Index>(params.num_samples_per_tree, n);
    const Index round = std::max<Index>(1, trees / 10);
    std::vector<Forest<T>> built(static_cast<std::size_t>(trees));
    FitReport report;
    report.rows = n;
    for (Index first = 0; first < trees && !report.stopped; first += round) {
        const Index count = std::min(round, trees - first);
        // Work: a tree's levels each pass its points' d coordinates, some 20 levels deep.
        const int team = team_size(threads, count, static_cast<double>(count * samples) * static_cast<double>(d) * 20);
        parallel_for(team, count, Schedule::dynamic, [&](Index k) {
            const Index t = first + k;
            Rng rng = Rng::for_stream(seed, static_cast<std::uint64_t>(t));
            const std::vector<Index> rows = sample_rows(n, samples, rng);
            RowMatrix<T> points(samples, d);
            for (Index i = 0; i < samples; ++i) points.row(i) = X.row(rows[static_cast<std::size_t>(i)]);
            built[static_cast<std::size_t>(t)] = TreeBuilder<T>(points, rng).build();
        });
        report.trees = static_cast<int>(first + count);
        if (!shelf::report(progress, {"tree", report.trees, trees, 0.0, ""}) && report.trees < trees) report.stopped = true;
    }
    Forest<T> forest;
    Index nodes = 0;
    for (Index t = 0; t < report.trees; ++t) nodes += built[static_cast<std::size_t>(t)].nodes();
    forest.lower.resize(nodes, d), forest.upper.resize(nodes, d);
    for (Index t = 0; t < report.trees; ++t) {
        const Forest<T>& tree = built[static_cast<std::size_t>(t)];
        const Index at = forest.nodes();
        forest.lower.middleRows(at, tree.nodes()) = tree.lower;
        forest.upper.middleRows(at, tree.nodes()) = tree.upper;
        append_tree(forest, tree);
    }
    forest.measure();

    // The scale and the threshold from the scores of (a sample of) the training rows.
    Rng calibration_rng = Rng::for_stream(seed, static_cast<std::uint64_t>(trees));
    const std::vector<Index> rows = sample_rows(n, calibration_rows, calibration_rng);
    std::vector<double> raw(rows.size());
    const int team = team_size(threads, static_cast<Index>(rows.size()),
                               static_cast<double>(rows.size()) * static_cast<double>(report.trees) * 8 * static_cast<double>(d));
    parallel_for(team, static_cast<Index>(rows.size()), Schedule::even, [&](Index i) {
        raw[static_cast<std::size_t>(i)] = mean_displacement(forest, seed, X.row(rows[static_cast<std::size_t>(i)]).data());
    });
    double mean = 0, square = 0;
    for (const double r : raw) mean += r;
    mean /= static_cast<double>(raw.size());
    for (const double r : raw) square += (r - mean) * (r - mean);
    const double deviation = std::sqrt(square / static_cast<double>(raw.size()));
    // All rows alike (one distinct point) displace nothing: any other point is then an anomaly.
    const double scale = mean > 0 ? 1.0 / mean : 1.0;
    return Model<T>(std::move(params), std::move(forest), scale, scale * (mean + params.z_factor * deviation), report);
}

}  // namespace detail

/// Trains a random cut forest on the rows of X (float or double, row-major; other layouts are
/// copied). Throws invalid_argument for bad hyperparameters and data_error for empty data, a
/// wrong column count or non-finite values (naming row and column).
template <class Derived>
Model<typename Derived::Scalar> fit(const Eigen::MatrixBase<Derived>& X, const Params& params,
                                    const ProgressCallback& progress = {}) {
    using T = typename Derived::Scalar;
    static_assert(std::is_floating_point_v<T>, "shelf::rcf::fit needs float or double data");
    return detail::fit<T>(MatrixView<T>(X.derived()), params, progress);
}

}  // namespace shelf::rcf
