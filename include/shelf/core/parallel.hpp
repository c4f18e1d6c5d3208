// shelf/core/parallel.hpp: the one parallel driver every family's loops run on.
//
// A loop goes parallel through parallel_for (or parallel_team for a region without a
// shared loop). The driver opens the OpenMP region only when the team has more than one
// thread, keeps Eigen serial inside it (Eigen would start a team of its own and ignore
// num_threads), and carries the first exception out of the region: an exception must not
// leave an OpenMP region, and a bad_alloc inside one would otherwise end the process.
// Per-thread results are kept by the caller in a vector indexed by thread and merged in
// thread order, so that a thread count gives one answer.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

#include "types.hpp"

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

/// Eigen products in the calling thread stay serial (sets the OpenMP thread count of
/// nested regions for the calling task only).
inline void keep_eigen_serial() noexcept {
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
}

/// Threads worth starting for `blocks` blocks of `work` multiply-adds in all: at most
/// `threads`, one per block, and each with 8 million multiply-adds (about 0.1 ms) at
/// least. Below that, starting and joining the team costs more than it saves — far
/// more on a busy machine, where a descheduled thread holds up the whole team.
inline int team_size(int threads, Index blocks, double work) noexcept {
    const double worth = std::max(1.0, work / double(1 << 23));
    return static_cast<int>(std::max<Index>(1, std::min<Index>({Index{threads}, blocks, static_cast<Index>(std::min(worth, 1e9))})));
}

/// `threads` when a loop touching `values` values is worth a region, else 1. A region costs
/// microseconds, far more when the cores are shared, which small data and deep tree levels
/// would otherwise pay hundreds of times per tree.
inline int team_for(int threads, double values) noexcept { return values > double(1 << 16) ? threads : 1; }

/// Carries the first exception thrown by any thread out of a parallel region: each body
/// runs under run(), later bodies are skipped, and rethrow() follows the region.
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

namespace detail {

/// Sets the calling thread's OpenMP thread count for the scope (Eigen reads it), then restores it.
class ScopedThreads {
public:
#ifdef _OPENMP
    explicit ScopedThreads(int threads) noexcept : saved_(omp_get_max_threads()) { omp_set_num_threads(threads); }
    ~ScopedThreads() { omp_set_num_threads(saved_); }

private:
    int saved_;
#else
    explicit ScopedThreads(int) noexcept {}
#endif
public:
    ScopedThreads(const ScopedThreads&) = delete;
    ScopedThreads& operator=(const ScopedThreads&) = delete;
};

}  // namespace detail

/// How parallel_for shares its iterations: `even` in equal contiguous runs (uniform work),
/// `dynamic` one at a time to whichever thread is free (uneven work: features, nodes, blocks).
enum class Schedule { even, dynamic };

/// Runs body(i, local) for every i in [0, n) on `team` threads, where each thread's `local`
/// is made once by make_local(thread) (its buffers, or a pointer to its partial result). The
/// first exception from make_local or body is rethrown here, after the region; later bodies
/// are skipped. With a team of one, or one iteration, no region is opened.
template <class MakeLocal, class Body>
void parallel_for(int team, Index n, Schedule schedule, MakeLocal&& make_local, Body&& body) {
    if (n <= 0) return;
    if (team <= 1 || n == 1) {
        const detail::ScopedThreads serial(1);
        auto local = make_local(0);
        for (Index i = 0; i < n; ++i) body(i, local);
        return;
    }
    ExceptionSlot failure;
#ifdef _OPENMP
#pragma omp parallel num_threads(team)
    {
        keep_eigen_serial();
        std::optional<decltype(make_local(0))> local;
        failure.run([&] { local.emplace(make_local(thread_index())); });
        // nowait: the region's end is the one barrier (each thread's `local` is its own).
        if (schedule == Schedule::even) {
#pragma omp for schedule(static) nowait
            for (Index i = 0; i < n; ++i) failure.run([&] { body(i, *local); });
        } else {
#pragma omp for schedule(dynamic, 1) nowait
            for (Index i = 0; i < n; ++i) failure.run([&] { body(i, *local); });
        }
    }
#else
    (void)schedule;
    auto local = make_local(0);
    for (Index i = 0; i < n; ++i) failure.run([&] { body(i, local); });
#endif
    failure.rethrow();
}

/// parallel_for without per-thread state: body(i).
template <class Body>
void parallel_for(int team, Index n, Schedule schedule, Body&& body) {
    parallel_for(team, n, schedule, [](int) { return 0; }, [&body](Index i, int) { body(i); });
}

/// Runs body(thread, team_size) once on each of `team` threads (a region that shares out its
/// own work, e.g. models by thread), with the same exception and Eigen rules as parallel_for.
/// The body must not wait for other threads (no barriers): one that threw is gone.
template <class Body>
void parallel_team(int team, Body&& body) {
    if (team <= 1) {
        const detail::ScopedThreads serial(1);
        body(0, 1);
        return;
    }
    ExceptionSlot failure;
#ifdef _OPENMP
#pragma omp parallel num_threads(team)
    {
        keep_eigen_serial();
        failure.run([&] { body(thread_index(), team_threads()); });
    }
#else
    failure.run([&] { body(0, 1); });
#endif
    failure.rethrow();
}

/// Runs f() with Eigen allowed at most `threads` threads for its own parallel products (the
/// blocked Householder updates inside eigen solvers and QR), without touching Eigen's global
/// setting.
template <class F>
void with_eigen_threads(int threads, F&& f) {
    const detail::ScopedThreads scoped(threads);
    f();
}

}  // namespace shelf
