// Test data for the k-means tests: blobs around known centers, and the digits fixture.
#pragma once

#include <cstdint>
#include <string>

#include <shelf/core/random.hpp>
#include <shelf/core/types.hpp>
#include <shelf/io/csv.hpp>

#include "../common/reference.hpp"

namespace fixture {

/// `per_center` points around each of the rows of `centers`, N(0, spread²) noise, rows interleaved.
template <class T>
shelf::RowMatrix<T> blobs(const shelf::RowMatrix<double>& centers, shelf::Index per_center, double spread,
                          std::uint64_t seed) {
    shelf::Rng rng(seed);
    const shelf::Index k = centers.rows(), d = centers.cols();
    shelf::RowMatrix<T> X(k * per_center, d);
    for (shelf::Index i = 0; i < X.rows(); ++i)
        for (shelf::Index j = 0; j < d; ++j) X(i, j) = static_cast<T>(centers(i % k, j) + spread * rng.normal());
    return X;
}

/// k well-separated centers: coordinates drawn in [-50, 50].
inline shelf::RowMatrix<double> separated_centers(shelf::Index k, shelf::Index d, std::uint64_t seed) {
    shelf::Rng rng(seed);
    shelf::RowMatrix<double> c(k, d);
    for (shelf::Index i = 0; i < k; ++i)
        for (shelf::Index j = 0; j < d; ++j) c(i, j) = rng.uniform(-50, 50);
    return c;
}

}  // namespace fixture
