// shelf/cluster/lloyd.hpp: Lloyd's iterations, on data rows or on weighted stream centers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Core>

#include "assign.hpp"
#include "init.hpp"
#include "shelf/simd/distance.hpp"
#include "shelf/simd/kernels.hpp"
#include "shelf/simd/threads.hpp"
#include "shelf/core/random.hpp"

namespace shelf::kmeans::detail {

template <class T>
struct LloydRun {
    RowMatrix<T> centers;  ///< in the source's shifted frame
    std::vector<double> inertia;
    int iterations = 0;
    bool converged = false;
    bool stopped = false;
};

/// Called after each iteration with its number (from 1) and inertia; false stops the run.
using IterationCallback = std::function<bool(int iteration, double inertia)>;

/// Per-cluster sums over the rows assigned to it: Σ w·x, Σ w and Σ w·‖x‖², in double.
/// With them the inertia needs no pass over the data: Σ_j (Σw‖x‖² − 2 c_j·Σw·x + Σw ‖c_j‖²).
struct ClusterSums {
    RowMatrix<double> sums;
    Vector<double> weight, square;

    ClusterSums(Index k, Index d)
        : sums(RowMatrix<double>::Zero(k, d)), weight(Vector<double>::Zero(k)), square(Vector<double>::Zero(k)) {}
    void merge(const ClusterSums& other) {
        sums += other.sums;
        weight += other.weight;
        square += other.square;
    }
    void move(int from, int to, double w, const Eigen::RowVectorXd& x, double norm) {
        sums.row(from) -= w * x;
        sums.row(to) += w * x;
        weight[from] -= w, weight[to] += w;
        square[from] -= w * norm, square[to] += w * norm;
    }
    template <class T>
    double inertia(const RowMatrix<T>& centers) const {
        double total = 0;
        for (Index c = 0; c < centers.rows(); ++c) {
            const Eigen::RowVectorXd center = centers.row(c).template cast<double>();
            total += square[c] - 2.0 * center.dot(sums.row(c)) + weight[c] * center.squaredNorm();
        }
        return std::max(total, 0.0);
    }
};

/// Hamerly's bounds (SIAM SDM 2010) for each row: its cluster, an upper bound on the
/// distance to that cluster's center, a lower bound on the distance to every other
/// center, and ‖x − shift‖² in double.
struct RowBounds {
    Eigen::VectorXi label;
    Eigen::VectorXd upper, lower, norm;
    explicit RowBounds(Index n)
        : label(Eigen::VectorXi::Constant(n, -1)), upper(n), lower(n), norm(n) {}
};

/// How a pass treats the rows.
enum class Pass {
    rebuild,  ///< match every row, rebuild the sums (first pass, or after reseeding)
    every,    ///< match every row, update the sums by the rows that move (when the bounds skip few)
    bounded,  ///< skip the rows whose bounds prove their cluster unchanged
};

/// The rows matched in a pass, and those that changed cluster.
struct PassCount {
    Index matched = 0, changed = 0;
    Index spared = 0;  ///< rows the bounds skipped (bounded) or would have skipped (every)
};

/// One assignment pass of Lloyd's iteration. In a bounded pass a row is skipped when its
/// bounds prove its cluster cannot change — its upper bound is below max(lower bound, half
/// the distance from its center to the nearest other center), first as it stands, then
/// tightened to the exact distance. The rows left are matched in blocks by one GEMM each
/// (simd::nearest2), which also renews their bounds; `sums` follows the rows that move.
template <class T>
PassCount bounded_assign(const RowSource<T>& source, const RowMatrix<T>& centers, const Eigen::VectorXd& half_gap,
                         Pass pass, int threads, RowBounds& state, ClusterSums& sums) {
    const bool all = pass == Pass::rebuild;
    const Index n = source.count, d = source.dim(), k = centers.rows();
    const Vector<T> center_norms = centers.rowwise().squaredNorm();
    // GEMM distances are off by about √d ulps of ‖x‖² + ‖c‖²: the bounds are widened by more.
    const double rounding = (8 + 2 * std::sqrt(static_cast<double>(d))) * static_cast<double>(std::numeric_limits<T>::epsilon());
    const double largest_center = static_cast<double>(center_norms.maxCoeff());
    const Index block = simd::block_rows<T>(d, k);
    const Index blocks = (n + block - 1) / block;
    const int team = simd::team_size(
        threads, blocks,
        static_cast<double>(n) * static_cast<double>(d) * (pass == Pass::bounded ? 2.0 : static_cast<double>(k)));
    std::vector<ClusterSums> partial(static_cast<std::size_t>(team), ClusterSums(k, d));
    std::vector<PassCount> count_of(static_cast<std::size_t>(team));
    simd::ExceptionSlot failure;
#pragma omp parallel num_threads(team)
    {
        keep_eigen_serial();
        const auto t = static_cast<std::size_t>(thread_index());
        ClusterSums& mine = partial[t];
        RowMatrix<T> rows, scratch, one(1, d);
        Vector<T> norms;
        std::vector<Index> active;
        std::vector<T> best, second;
        std::vector<std::int32_t> nearest;
#pragma omp for schedule(static)
        for (Index b = 0; b < blocks; ++b)
            failure.run([&] {
                const Index first = b * block, count = std::min(block, n - first);
                active.clear();
                for (Index i = first; i < first + count; ++i) {
                    if (pass != Pass::rebuild) {
                        const int a = state.label[i];
                        const double bound = std::max(half_gap[a], state.lower[i]);
                        if (state.upper[i] <= bound) {
                            ++count_of[t].spared;
                            if (pass == Pass::bounded) continue;
                        }
                        if (pass == Pass::every) {
                            active.push_back(i);
                            continue;
                        }
                        simd::shifted_copy(source.X.row(source.row_index(i)).data(), source.shift, one.data(), d);
                        state.upper[i] = std::sqrt(static_cast<double>(simd::squared_l2(one.data(), centers.row(a).data(), d)));
                        if (state.upper[i] <= bound) {
                            ++count_of[t].spared;
                            continue;
                        }
                    }
                    active.push_back(i);
                }
                const Index m = static_cast<Index>(active.size());
                if (m == 0) return;
                count_of[t].matched += m;
                source.gather(active.data(), m, rows, norms);
                best.resize(static_cast<std::size_t>(m));
                second.resize(static_cast<std::size_t>(m));
                nearest.resize(static_cast<std::size_t>(m));
                simd::nearest2<T>(centers, center_norms, rows, norms, scratch, best.data(), second.data(), nearest.data());
                for (Index r = 0; r < m; ++r) {
                    const Index i = active[static_cast<std::size_t>(r)];
                    const int c = nearest[static_cast<std::size_t>(r)], old = state.label[i];
                    const double w = source.weight(i);
                    const auto ri = static_cast<std::size_t>(r);
                    // The expansion's distances are off by a few ulps of ‖x‖² + ‖c‖²: widen the bounds by that.
                    const double margin = rounding * (static_cast<double>(norms[r]) + largest_center);
                    state.upper[i] = std::sqrt(static_cast<double>(best[ri]) + margin);
                    state.lower[i] = std::sqrt(std::max(0.0, static_cast<double>(second[ri]) - margin));
                    state.label[i] = c;
                    if (all) {
                        state.norm[i] = rows.row(r).template cast<double>().squaredNorm();
                        mine.sums.row(c) += w * rows.row(r).template cast<double>();
                        mine.weight[c] += w;
                        mine.square[c] += w * state.norm[i];
                        if (old != c) ++count_of[t].changed;
                    } else if (old != c) {
                        mine.move(old, c, w, rows.row(r).template cast<double>(), state.norm[i]);
                        ++count_of[t].changed;
                    }
                }
            });
    }
    failure.rethrow();
    if (all) sums = ClusterSums(k, d);
    PassCount total;
    for (int t = 0; t < team; ++t) {
        sums.merge(partial[static_cast<std::size_t>(t)]);
        total.matched += count_of[static_cast<std::size_t>(t)].matched;
        total.changed += count_of[static_cast<std::size_t>(t)].changed;
        total.spared += count_of[static_cast<std::size_t>(t)].spared;
    }
    return total;
}

/// Half the distance from each center to the nearest other one (+inf for a single center).
template <class T>
Eigen::VectorXd half_gaps(const RowMatrix<T>& centers, int threads) {
    const Index k = centers.rows();
    Eigen::VectorXd gap = Eigen::VectorXd::Constant(k, std::numeric_limits<double>::infinity());
    if (k < 2) return gap;
    const Vector<T> norms = centers.rowwise().squaredNorm();
    RowMatrix<T> dist;
    simd::with_eigen_threads(threads, [&] { simd::squared_distances<T>(centers, norms, centers, norms, dist); });
    const double rounding = (8 + 2 * std::sqrt(static_cast<double>(centers.cols()))) *
                            static_cast<double>(std::numeric_limits<T>::epsilon()) * 2 * static_cast<double>(norms.maxCoeff());
    for (Index a = 0; a < k; ++a)
        for (Index b = 0; b < k; ++b)
            if (a != b) gap[a] = std::min(gap[a], 0.5 * std::sqrt(std::max(0.0, static_cast<double>(dist(a, b)) - rounding)));
    return gap;
}

/// Gives every center that no row chose the row farthest from its own center (the
/// farthest first, the lowest index on ties, weighted rows before rows of weight 0),
/// moving that row's weight out of its old cluster as scikit-learn does.
template <class T>
void reseed_empty(const RowSource<T>& source, const RowMatrix<T>& centers, ClusterSums& sums, RowMatrix<T>& next,
                  RowBounds& state, int threads) {
    std::vector<Index> empty;
    for (Index c = 0; c < sums.weight.size(); ++c)
        if (!(sums.weight[c] > 0)) empty.push_back(c);
    const Index n = source.count, d = source.dim();
    // Exact distances to the current centers: the bounds are only bounds.
    Vector<T> sqdist(n);
#pragma omp parallel num_threads(simd::team_size(threads, n, static_cast<double>(n) * static_cast<double>(d)))
    {
        RowMatrix<T> one(1, d);
#pragma omp for schedule(static)
        for (Index i = 0; i < n; ++i) {
            simd::shifted_copy(source.X.row(source.row_index(i)).data(), source.shift, one.data(), d);
            sqdist[i] = simd::squared_l2(one.data(), centers.row(state.label[i]).data(), d);
        }
    }
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    const auto picks = std::min<std::size_t>(empty.size(), order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(picks), order.end(),
                      [&](Index a, Index b) {
                          const bool wa = source.weight(a) > 0, wb = source.weight(b) > 0;
                          if (wa != wb) return wa;
                          if (sqdist[a] != sqdist[b]) return sqdist[a] > sqdist[b];
                          return a < b;
                      });
    for (std::size_t e = 0; e < picks; ++e) {
        const Index row = order[e], to = empty[e];
        const Eigen::RowVectorXd x = source.row_double(row);
        sums.move(state.label[row], static_cast<int>(to), source.weight(row), x, state.norm[row]);
        next.row(to) = x.template cast<T>();
        state.label[row] = static_cast<int>(to);
    }
}

/// Lloyd's iterations from `centers` (shifted like the source): assign every row,
/// move each center to the weighted mean of its rows. Stops when no row changes
/// cluster, when the inertia falls by less than `tol` of itself, or after max_iter.
/// The assignments are Lloyd's; Hamerly's bounds only spare the distances they make
/// unnecessary, so later iterations cost a fraction of the first.
template <class T>
LloydRun<T> lloyd_run(const RowSource<T>& source, RowMatrix<T> centers, int max_iter, double tol, int threads,
                      const IterationCallback& on_iteration) {
    LloydRun<T> run;
    const Index n = source.count, k = centers.rows(), d = centers.cols();
    RowBounds state(n);
    ClusterSums sums(k, d);
    Eigen::VectorXd gap = half_gaps(centers, threads);
    Pass pass = Pass::rebuild;
    for (int it = 0; it < max_iter; ++it) {
        const PassCount count = bounded_assign(source, centers, gap, pass, threads, state, sums);
        const Index changed = count.changed;
        const double inertia = sums.inertia(centers);
        RowMatrix<T> next = centers;
        const bool reseeded = (sums.weight.array() <= 0).any();
        if (reseeded) reseed_empty(source, centers, sums, next, state, threads);
        for (Index c = 0; c < k; ++c)
            if (sums.weight[c] > 0) next.row(c) = (sums.sums.row(c) / sums.weight[c]).template cast<T>();
        // Move the bounds with the centers: the upper by its center's shift, the lower by the
        // largest shift of any other center.
        Eigen::VectorXd shift(k);
        for (Index c = 0; c < k; ++c)
            shift[c] = (next.row(c).template cast<double>() - centers.row(c).template cast<double>()).norm();
        Index largest = 0;
        shift.maxCoeff(&largest);
        double runner_up = 0;
        for (Index c = 0; c < k; ++c)
            if (c != largest) runner_up = std::max(runner_up, shift[c]);
        for (Index i = 0; i < n; ++i) {
            const int a = state.label[i];
            state.upper[i] += shift[a];
            state.lower[i] -= a == largest ? runner_up : shift[largest];
        }
        centers.swap(next);
        gap = half_gaps(centers, threads);
        // Reseeding moves rows without bounds: match everything again. While the bounds spare
        // (or, in an `every` pass, would have spared) fewer than one row in eight, checking them
        // costs more than it saves; after a rebuild they are tried.
        pass = reseeded                   ? Pass::rebuild
               : pass == Pass::rebuild    ? Pass::bounded
               : 8 * count.spared < n     ? Pass::every
                                          : Pass::bounded;
        run.inertia.push_back(inertia);
        ++run.iterations;
        const std::size_t m = run.inertia.size();
        const bool settled = !reseeded && (changed == 0 || (m > 1 && run.inertia[m - 2] - run.inertia[m - 1] <=
                                                                         tol * run.inertia[m - 2]));
        if (settled) run.converged = true;
        if (on_iteration && !on_iteration(run.iterations, inertia) && !settled) run.stopped = true;
        if (run.converged || run.stopped) break;
    }
    run.centers = std::move(centers);
    return run;
}

/// `trials` Lloyd runs from `init` centers drawn with random streams first_stream,
/// first_stream + 1, ... of `seed`; the run with the lowest final inertia is kept
/// (the earlier one on ties). trial_inertia receives every run's final inertia.
template <class T>
LloydRun<T> best_lloyd(const RowSource<T>& source, Index k, Init init, int trials, int max_iter, double tol,
                       std::int64_t seed, std::uint64_t first_stream, int threads,
                       const std::function<bool(int trial, int iteration, double inertia)>& on_iteration,
                       std::vector<double>& trial_inertia) {
    LloydRun<T> best;
    double best_inertia = std::numeric_limits<double>::infinity();
    for (int t = 0; t < trials; ++t) {
        Rng rng = Rng::for_stream(static_cast<std::uint64_t>(seed), first_stream + static_cast<std::uint64_t>(t));
        RowMatrix<T> start = initial_centers(init, source, k, rng, threads);
        IterationCallback callback;
        if (on_iteration) callback = [&](int iteration, double inertia) { return on_iteration(t, iteration, inertia); };
        LloydRun<T> run = lloyd_run(source, std::move(start), max_iter, tol, threads, callback);
        const double final_inertia = run.inertia.empty() ? std::numeric_limits<double>::infinity() : run.inertia.back();
        trial_inertia.push_back(final_inertia);
        const bool stopped = run.stopped;
        if (t == 0 || final_inertia < best_inertia) best_inertia = final_inertia, best = std::move(run);
        if (stopped) {
            best.stopped = true;
            break;
        }
    }
    return best;
}

}  // namespace shelf::kmeans::detail
