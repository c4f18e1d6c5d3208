// The benchmarks' data: standard normal rows drawn with shelf's generator, column j scaled by
// 1 + spread · j (a spectrum for PCA to find; 0 leaves them alike).
#pragma once

#include <cstdint>

#include <shelf/core/random.hpp>
#include <shelf/core/types.hpp>

namespace bench {

inline shelf::RowMatrix<float> random_rows(shelf::Index n, shelf::Index d, std::uint64_t seed, double spread = 0.0) {
    shelf::Rng rng(seed);
    shelf::RowMatrix<float> m(n, d);
    for (shelf::Index i = 0; i < n; ++i)
        for (shelf::Index j = 0; j < d; ++j)
            m(i, j) = static_cast<float>(rng.normal() * (1.0 + spread * static_cast<double>(j)));
    return m;
}

}  // namespace bench
