// shelf/metrics/detail/sum.hpp: the one summation loop metrics use.
#pragma once

#include <algorithm>

#include "shelf/core/types.hpp"

namespace shelf::metrics::detail {

/// Σ f(i) over i in [0, n), in double. Summed in blocks, so rounding error
/// grows with n / 1024 + 1024 rather than with n. A plain loop rather than an
/// Eigen reduction: Eigen's AVX-512 horizontal sum trips GCC 12's
/// -Wmaybe-uninitialized in every file that instantiates it.
template <class F>
double sum_over(Index n, F&& f) {
    constexpr Index block = 1024;
    double total = 0;
    for (Index start = 0; start < n; start += block) {
        const Index end = std::min(n, start + block);
        double partial = 0;
        for (Index i = start; i < end; ++i) partial += f(i);
        total += partial;
    }
    return total;
}

/// Σ w_i f(i), or Σ f(i) when unweighted.
template <class T, class F>
double weighted_sum(const Vector<T>* w, Index n, F&& f) {
    if (w == nullptr) return sum_over(n, f);
    return sum_over(n, [&](Index i) { return static_cast<double>((*w)[i]) * f(i); });
}

}  // namespace shelf::metrics::detail
