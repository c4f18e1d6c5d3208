// tests/neighbors/points.hpp: the neighbour tests' clustered points and recall.
#pragma once

#include <cstdint>
#include <set>

#include <shelf/core/random.hpp>
#include <shelf/neighbors/vectors.hpp>

namespace neighbors_test {

using shelf::Index;
using shelf::RowMatrix;

/// Gaussian clusters: `clusters` centres drawn with spread 4, points around them with spread 1.
template <class T>
RowMatrix<T> clusters(shelf::Rng& rng, Index n, Index d, Index count = 24) {
    RowMatrix<double> centres(count, d);
    for (Index c = 0; c < count; ++c)
        for (Index j = 0; j < d; ++j) centres(c, j) = rng.normal(0.0, 4.0);
    RowMatrix<T> X(n, d);
    for (Index i = 0; i < n; ++i) {
        const auto c = static_cast<Index>(rng.uniform_index(static_cast<std::uint64_t>(count)));
        for (Index j = 0; j < d; ++j) X(i, j) = static_cast<T>(centres(c, j) + rng.normal());
    }
    return X;
}

/// The share of the exact neighbours found (ids −1 in `exact` excluded).
double recall(const shelf::knn::IdMatrix& got, const shelf::knn::IdMatrix& exact) {
    double found = 0, wanted = 0;
    for (Index q = 0; q < exact.rows(); ++q) {
        const std::set<std::int64_t> mine(got.row(q).data(), got.row(q).data() + got.cols());
        for (Index j = 0; j < exact.cols(); ++j) {
            if (exact(q, j) < 0) continue;
            wanted += 1;
            found += mine.count(exact(q, j)) ? 1 : 0;
        }
    }
    return wanted > 0 ? found / wanted : 1.0;
}

}  // namespace neighbors_test
