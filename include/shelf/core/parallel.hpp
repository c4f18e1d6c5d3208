// shelf/core/parallel.hpp: the `num_threads` knob over OpenMP (and a build without it).
#pragma once

#ifdef _OPENMP
#include <omp.h>
#endif

namespace shelf {

/// The thread count a `num_threads` hyperparameter means: 0 = every available core.
inline int resolve_threads(int num_threads) noexcept {
#ifdef _OPENMP
    return num_threads > 0 ? num_threads : omp_get_max_threads();
#else
    (void)num_threads;
    return 1;
#endif
}

/// Index of the calling thread inside a parallel region (0 outside one).
inline int thread_index() noexcept {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

}  // namespace shelf
