// Test data for the PCA tests: the digits fixture and random low-rank data.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include <shelf/core/random.hpp>
#include <shelf/core/types.hpp>
#include <shelf/io/csv.hpp>

#include "../common/reference.hpp"

namespace fixture {

/// n rows in d dimensions with variance decaying along random directions: scale^j on the j-th,
/// plus a common offset and small isotropic noise.
template <class T>
shelf::RowMatrix<T> decaying(shelf::Index n, shelf::Index d, double scale, double offset, std::uint64_t seed) {
    shelf::Rng rng(seed);
    shelf::RowMatrix<double> basis(d, d);
    for (shelf::Index i = 0; i < d; ++i)
        for (shelf::Index j = 0; j < d; ++j) basis(i, j) = rng.normal();
    shelf::RowMatrix<double> latent(n, d);
    for (shelf::Index i = 0; i < n; ++i)
        for (shelf::Index j = 0; j < d; ++j) latent(i, j) = rng.normal() * std::pow(scale, static_cast<double>(j));
    shelf::RowMatrix<double> X = latent * basis;
    X.array() += offset;
    return X.cast<T>();
}

}  // namespace fixture
