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

/// Threads in the current parallel region (1 outside one).
inline int team_threads() noexcept {
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

/// Call first thing inside a parallel region: Eigen products in this thread stay serial
/// (Eigen would otherwise start its own team inside the region and ignore num_threads).
/// Sets the OpenMP thread count of nested regions for the calling task only.
inline void keep_eigen_serial() noexcept {
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
}

}  // namespace shelf
