// shelf/cluster/data.hpp: checks on the rows k-means reads, and their mean.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/error.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/kernels.hpp"
#include "shelf/simd/threads.hpp"

namespace shelf::kmeans::detail {

/// Throws data_error(not_finite) naming the first NaN or infinity of X, counting rows and columns from 0.
template <class T>
void require_finite(const MatrixView<T>& X, const std::string& context) {
    for (Index i = 0; i < X.rows(); ++i) {
        if (simd::all_finite(X.row(i).data(), X.cols())) continue;
        for (Index j = 0; j < X.cols(); ++j)
            if (!std::isfinite(X(i, j)))
                throw data_error(errc::not_finite, context + ": X(" + std::to_string(i) + ", " + std::to_string(j) +
                                                       ") is " + (std::isnan(X(i, j)) ? "nan" : "inf") +
                                                       " (row " + std::to_string(i) + ", column " + std::to_string(j) +
                                                       ", from 0); expected finite values");
    }
}

/// The column means of X in double, in one parallel pass that also checks every value is finite.
template <class T>
Eigen::RowVectorXd checked_column_mean(const MatrixView<T>& X, int threads, const std::string& context) {
    const Index n = X.rows(), d = X.cols();
    const int team = simd::team_size(threads, n, static_cast<double>(n) * static_cast<double>(d));
    std::vector<Eigen::RowVectorXd> sums(static_cast<std::size_t>(team), Eigen::RowVectorXd::Zero(d));
    bool finite = true;
#pragma omp parallel num_threads(team) reduction(&& : finite)
    {
        Eigen::RowVectorXd& mine = sums[static_cast<std::size_t>(thread_index())];
#pragma omp for schedule(static)
        for (Index i = 0; i < n; ++i) {
            finite = finite && simd::all_finite(X.row(i).data(), d);
            mine += X.row(i).template cast<double>();
        }
    }
    if (!finite) require_finite(X, context);
    for (int t = 1; t < team; ++t) sums[0] += sums[static_cast<std::size_t>(t)];
    return sums[0] / static_cast<double>(n);
}

}  // namespace shelf::kmeans::detail
