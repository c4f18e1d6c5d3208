// shelf/cluster/data.hpp: the mean of the rows k-means reads, checked finite on the way.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "shelf/core/checks.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/kernels.hpp"

namespace shelf::kmeans::detail {

/// The column means of X in double, in one parallel pass that also checks every value is
/// finite; when one is not, shelf::require_finite names the first.
template <class T>
Eigen::RowVectorXd checked_column_mean(const MatrixView<T>& X, int threads, const std::string& context) {
    const Index n = X.rows(), d = X.cols();
    const int team = team_size(threads, n, static_cast<double>(n) * static_cast<double>(d));
    struct Partial {
        Eigen::RowVectorXd sum;
        bool finite = true;
    };
    std::vector<Partial> partial(static_cast<std::size_t>(team), Partial{Eigen::RowVectorXd::Zero(d), true});
    parallel_for(
        team, n, Schedule::even, [&](int t) { return &partial[static_cast<std::size_t>(t)]; },
        [&](Index i, Partial* mine) {
            mine->finite = mine->finite && simd::all_finite(X.row(i).data(), d);
            mine->sum += X.row(i).template cast<double>();
        });
    for (const Partial& p : partial)
        if (!p.finite) shelf::require_finite(X, context, Missing::refused, threads);
    for (std::size_t t = 1; t < partial.size(); ++t) partial[0].sum += partial[t].sum;
    return partial[0].sum / static_cast<double>(n);
}

}  // namespace shelf::kmeans::detail
