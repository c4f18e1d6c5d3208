// shelf/simd/threads.hpp: how the blocked kernels' drivers share threads with Eigen.
//
// The drivers open one OpenMP region per pass and run Eigen products inside it, one
// block per thread. Eigen starts its own team for a large product when it sees a
// region of one thread (num_threads = 1) and then ignores `num_threads`; these
// helpers keep it serial there, or give it exactly the threads the caller allows.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <utility>

#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"

namespace shelf::simd {

/// Threads worth starting for `blocks` blocks of `work` multiply-adds in all: at most
/// `threads`, one per block, and each with 8 million multiply-adds (about 0.1 ms) at
/// least. Below that, starting and joining the team costs more than it saves — far
/// more on a busy machine, where a descheduled thread holds up the whole team.
inline int team_size(int threads, Index blocks, double work) noexcept {
    const double worth = std::max(1.0, work / double(1 << 23));
    return static_cast<int>(std::max<Index>(1, std::min<Index>({Index{threads}, blocks, static_cast<Index>(std::min(worth, 1e9))})));
}

/// Runs f() with Eigen allowed at most `threads` threads for its own parallel
/// products (the blocked Householder updates inside eigen solvers and QR), without
/// touching Eigen's global setting.
template <class F>
void with_eigen_threads(int threads, F&& f) {
#ifdef _OPENMP
    std::exception_ptr error;
#pragma omp parallel num_threads(1)
    {
        omp_set_num_threads(threads);
        try {
            f();
        } catch (...) {
            error = std::current_exception();
        }
    }
    if (error) std::rethrow_exception(error);
#else
    (void)threads;
    f();
#endif
}

/// Carries the first exception thrown by any thread out of a parallel region: an
/// exception must not leave an OpenMP region or a worksharing loop, so each loop
/// body runs under run(), later bodies are skipped, and rethrow() follows the region.
class ExceptionSlot {
public:
    /// Runs f() unless an earlier body failed, keeping its exception, if any, for rethrow().
    template <class F>
    void run(F&& f) noexcept {
        if (failed_.load(std::memory_order_relaxed)) return;
        try {
            std::forward<F>(f)();
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!error_) error_ = std::current_exception();
            failed_.store(true, std::memory_order_relaxed);
        }
    }
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    std::mutex mutex_;
    std::exception_ptr error_;
    std::atomic<bool> failed_{false};
};

}  // namespace shelf::simd
