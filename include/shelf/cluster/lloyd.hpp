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
#include "shelf/core/parallel.hpp"
#include "shelf/core/random.hpp"
#include "shelf/simd/distance.hpp"
#include "shelf/simd/kernels.hpp"

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

/// What each thread of a pass gathers: its sums and counts, folded together in thread
/// order after the pass so that a thread count gives one answer.
struct PassPartial {
    ClusterSums sums;
    PassCount count;
};

/// One PassPartial per thread of a team of `team`.
inline std::vector<PassPartial> pass_partials(int team, Index k, Index d) {
    return std::vector<PassPartial>(static_cast<std::size_t>(team), PassPartial{ClusterSums(k, d), PassCount{}});
}

/// Adds the threads' sums into `total` (replacing it after a rebuild), in thread order,
/// and returns their counts added up.
inline PassCount finish_pass(const std::vector<PassPartial>& partial, bool rebuild, ClusterSums& total) {
    if (rebuild) total = ClusterSums(total.sums.rows(), total.sums.cols());
    PassCount count;
    for (const PassPartial& p : partial) {
        total.merge(p.sums);
        count.matched += p.count.matched;
        count.changed += p.count.changed;
        count.spared += p.count.spared;
    }
    return count;
}

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
    const int team = team_size(
        threads, blocks,
        static_cast<double>(n) * static_cast<double>(d) * (pass == Pass::bounded ? 2.0 : static_cast<double>(k)));
    std::vector<PassPartial> partial = pass_partials(team, k, d);
    struct Local {
        PassPartial* part = nullptr;
        RowMatrix<T> rows, scratch, one;
        Vector<T> norms;
        std::vector<Index> active;
        std::vector<T> best, second;
        std::vector<std::int32_t> nearest;
    };
    auto make_local = [&](int t) {
        Local local;
        local.part = &partial[static_cast<std::size_t>(t)];
        local.one.resize(1, d);
        return local;
    };
    parallel_for(team, blocks, Schedule::even, make_local, [&](Index b, Local& local) {
        ClusterSums& mine = local.part->sums;
        PassCount& count = local.part->count;
        RowMatrix<T>& rows = local.rows;
        RowMatrix<T>& one = local.one;
        Vector<T>& norms = local.norms;
        std::vector<Index>& active = local.active;
        std::vector<T>& best = local.best;
        std::vector<T>& second = local.second;
        std::vector<std::int32_t>& nearest = local.nearest;
        const Index first = b * block, size = std::min(block, n - first);
        active.clear();
        for (Index i = first; i < first + size; ++i) {
            if (pass != Pass::rebuild) {
                const int a = state.label[i];
                const double bound = std::max(half_gap[a], state.lower[i]);
                if (state.upper[i] <= bound) {
                    ++count.spared;
                    if (pass == Pass::bounded) continue;
                }
                if (pass == Pass::every) {
                    active.push_back(i);
                    continue;
                }
                simd::shifted_copy(source.X.row(source.row_index(i)).data(), source.shift, one.data(), d);
                state.upper[i] = std::sqrt(static_cast<double>(simd::squared_l2(one.data(), centers.row(a).data(), d)));
                if (state.upper[i] <= bound) {
                    ++count.spared;
                    continue;
                }
            }
            active.push_back(i);
        }
        const Index m = static_cast<Index>(active.size());
        if (m == 0) return;
        count.matched += m;
        source.gather(active.data(), m, rows, norms);
        best.resize(static_cast<std::size_t>(m));
        second.resize(static_cast<std::size_t>(m));
        nearest.resize(static_cast<std::size_t>(m));
        simd::nearest2<T>(centers, center_norms, rows, norms, local.scratch, best.data(), second.data(), nearest.data());
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
                if (old != c) ++count.changed;
            } else if (old != c) {
                mine.move(old, c, w, rows.row(r).template cast<double>(), state.norm[i]);
                ++count.changed;
            }
        }
    });
    return finish_pass(partial, all, sums);
}

/// Elkan's bounds (ICML 2003): a lower bound on the distance from each row to each
/// center, n × k floats. Tighter than Hamerly's single lower bound, so where distances are
/// dear (many dimensions) they spare most of the row–center pairs that Hamerly's cannot.
using CenterBounds = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Elkan's bounds pay where a distance costs much more than the k bound checks of a row
/// (many dimensions), as long as they take no more memory than the data.
template <class T>
bool use_center_bounds(Index k, Index d) noexcept {
    return k >= 2 && d >= 128 && k * static_cast<Index>(sizeof(float)) <= d * static_cast<Index>(sizeof(T));
}

/// One assignment pass with Elkan's bounds. A rebuild pass matches every row by GEMM and
/// sets all its bounds. Otherwise each row first lowers its bounds by how far the centers
/// moved (`moved`), then skips every center that the bounds (or half the distance between
/// the two centers) prove no nearer than its own; the pairs left are measured directly,
/// one SIMD difference-and-square each, which also makes their bounds exact.
template <class T>
PassCount elkan_assign(const RowSource<T>& source, const RowMatrix<T>& centers, const Eigen::MatrixXd& half,
                       const Eigen::VectorXd& moved, bool rebuild, int threads, RowBounds& state, CenterBounds& lower,
                       ClusterSums& sums) {
    const Index n = source.count, d = source.dim(), k = centers.rows();
    // A sum of d squares computed in T is within this much of itself; bounds are widened by it.
    const double rounding = (8 + 2 * std::sqrt(static_cast<double>(d))) * static_cast<double>(std::numeric_limits<T>::epsilon());
    const Vector<T> center_norms = centers.rowwise().squaredNorm();
    const double largest_center = static_cast<double>(center_norms.maxCoeff());
    const Eigen::RowVectorXf moved_f = (moved.transpose() * (1 + 1e-6)).cast<float>();  // rounded up
    // Half distances in float, rounded down; the centers in the data's frame.
    const RowMatrix<float> half_f = (half * (1 - 1e-6)).cast<float>();
    RowMatrix<T> placed = centers;
    if (source.shift) placed.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(source.shift, d);
    const Index block = rebuild ? simd::block_rows<T>(d, k) : 64;
    const Index blocks = (n + block - 1) / block;
    const int team = team_size(threads, blocks, static_cast<double>(n) * static_cast<double>(d) * (rebuild ? static_cast<double>(k) : 2.0));
    std::vector<PassPartial> partial = pass_partials(team, k, d);
    // Round-robin blocks, thread t of `stride` taking blocks t, t + stride, ...: rows differ in
    // how many pairs they need, and the order (hence the sums) must not depend on timing.
    parallel_team(team, [&](int t, int stride) {
        ClusterSums& mine = partial[static_cast<std::size_t>(t)].sums;
        PassCount& count = partial[static_cast<std::size_t>(t)].count;
        RowMatrix<T> rows, dist, block_sums = RowMatrix<T>::Zero(rebuild ? k : 0, d);
        Vector<T> norms;
        std::vector<char> touched(static_cast<std::size_t>(k), 0);
        std::vector<std::int32_t> candidates(static_cast<std::size_t>(k));
        for (Index b = t; b < blocks; b += stride) {
            const Index first = b * block, size = std::min(block, n - first);
            if (rebuild) {
                source.gather(first, size, rows, norms);
                simd::inner_products<T>(rows, centers, dist);
                for (Index r = 0; r < size; ++r) {
                    const Index i = first + r;
                    auto squared = dist.row(r).array();
                    squared = (center_norms.transpose().array() + norms[r] - T(2) * squared).max(T(0));
                    Index c = 0;
                    squared.minCoeff(&c);
                    const double margin = rounding * (static_cast<double>(norms[r]) + largest_center);
                    lower.row(i) = ((squared - static_cast<T>(margin)).max(T(0)).sqrt() * T(1 - 1e-6)).template cast<float>();
                    state.upper[i] = std::sqrt(static_cast<double>(squared[c]) + margin);
                    state.norm[i] = static_cast<double>(norms[r]);
                    const double w = source.weight(i);
                    // Summed in T over the block, in double across blocks (as assign() does).
                    block_sums.row(c) += static_cast<T>(w) * rows.row(r);
                    touched[static_cast<std::size_t>(c)] = 1;
                    mine.weight[c] += w;
                    mine.square[c] += w * state.norm[i];
                    if (state.label[i] != static_cast<int>(c)) ++count.changed;
                    state.label[i] = static_cast<int>(c);
                }
                for (Index c = 0; c < k; ++c)
                    if (touched[static_cast<std::size_t>(c)]) {
                        mine.sums.row(c) += block_sums.row(c).template cast<double>();
                        block_sums.row(c).setZero();
                        touched[static_cast<std::size_t>(c)] = 0;
                    }
                count.matched += size;
                continue;
            }
            for (Index i = first; i < first + size; ++i) {
                auto bounds = lower.row(i);
                bounds = (bounds - moved_f).cwiseMax(0.0f);
                const int old = state.label[i];
                // The centers the bounds cannot rule out, by the distance bound as it stands.
                const float reach = static_cast<float>(state.upper[i] * (1 + 1e-6));
                const float* own = half_f.row(old).data();
                Index open = 0;
                for (Index c = 0; c < k; ++c) {
                    candidates[static_cast<std::size_t>(open)] = static_cast<std::int32_t>(c);
                    open += reach > std::max(bounds[c], own[c]);
                }
                if (open == 0) {
                    ++count.spared;
                    continue;
                }
                ++count.matched;
                // Rows are read in place: the centers are moved to the data's frame instead.
                const T* x = source.X.row(source.row_index(i)).data();
                int a = old;
                double best = static_cast<double>(simd::squared_l2(x, placed.row(a).data(), d));
                double u = std::sqrt(best * (1 + rounding));
                bounds[a] = static_cast<float>(std::sqrt(best * (1 - rounding)));
                for (Index j = 0; j < open; ++j) {
                    const Index c = candidates[static_cast<std::size_t>(j)];
                    if (u <= std::max(static_cast<double>(bounds[c]), static_cast<double>(half_f(a, c)))) continue;
                    const double distance = static_cast<double>(simd::squared_l2(x, placed.row(c).data(), d));
                    bounds[c] = static_cast<float>(std::sqrt(distance * (1 - rounding)));
                    if (distance < best) {
                        a = static_cast<int>(c);
                        best = distance;
                        u = std::sqrt(best * (1 + rounding));
                    }
                }
                state.upper[i] = u;
                if (a != old) {
                    mine.move(old, a, source.weight(i), source.row_double(i), state.norm[i]);
                    state.label[i] = a;
                    ++count.changed;
                }
            }
        }
    });
    return finish_pass(partial, rebuild, sums);
}

/// Half the distance between every two centers (+inf on the diagonal), rounded down by
/// the GEMM expansion's error so that it stays a bound.
template <class T>
Eigen::MatrixXd half_distances(const RowMatrix<T>& centers, int threads) {
    const Index k = centers.rows();
    const Vector<T> norms = centers.rowwise().squaredNorm();
    RowMatrix<T> dist;
    // Small products run on this thread alone: a second one would contend with the pass's
    // workers, still spinning after their region, and cost milliseconds.
    const double work = static_cast<double>(k) * static_cast<double>(k) * static_cast<double>(centers.cols());
    with_eigen_threads(team_size(threads, k, work), [&] { simd::squared_distances<T>(centers, norms, centers, norms, dist); });
    const double rounding = (8 + 2 * std::sqrt(static_cast<double>(centers.cols()))) *
                            static_cast<double>(std::numeric_limits<T>::epsilon()) * 2 * static_cast<double>(norms.maxCoeff());
    Eigen::MatrixXd half(k, k);
    for (Index a = 0; a < k; ++a)
        for (Index b = 0; b < k; ++b)
            half(a, b) = a == b ? std::numeric_limits<double>::infinity()
                                : 0.5 * std::sqrt(std::max(0.0, static_cast<double>(dist(a, b)) - rounding));
    return half;
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
    parallel_for(
        team_size(threads, n, static_cast<double>(n) * static_cast<double>(d)), n, Schedule::even,
        [&](int) { return RowMatrix<T>(1, d); },
        [&](Index i, RowMatrix<T>& one) {
            simd::shifted_copy(source.X.row(source.row_index(i)).data(), source.shift, one.data(), d);
            sqdist[i] = simd::squared_l2(one.data(), centers.row(state.label[i]).data(), d);
        });
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
/// The assignments are Lloyd's; the bounds (Elkan's where use_center_bounds says so,
/// else Hamerly's) only spare the distances they make unnecessary, so later iterations
/// cost a fraction of the first.
template <class T>
LloydRun<T> lloyd_run(const RowSource<T>& source, RowMatrix<T> centers, int max_iter, double tol, int threads,
                      const IterationCallback& on_iteration) {
    LloydRun<T> run;
    const Index n = source.count, k = centers.rows(), d = centers.cols();
    RowBounds state(n);
    ClusterSums sums(k, d);
    const bool per_center = use_center_bounds<T>(k, d);
    CenterBounds lower(per_center ? n : 0, per_center ? k : 0);
    Eigen::MatrixXd half = half_distances(centers, threads);
    Eigen::VectorXd shift = Eigen::VectorXd::Zero(k);
    Pass pass = Pass::rebuild;
    for (int it = 0; it < max_iter; ++it) {
        const PassCount count =
            per_center ? elkan_assign(source, centers, half, shift, pass == Pass::rebuild, threads, state, lower, sums)
                       : bounded_assign(source, centers, half.rowwise().minCoeff(), pass, threads, state, sums);
        const Index changed = count.changed;
        const double inertia = sums.inertia(centers);
        RowMatrix<T> next = centers;
        const bool reseeded = (sums.weight.array() <= 0).any();
        if (reseeded) reseed_empty(source, centers, sums, next, state, threads);
        for (Index c = 0; c < k; ++c)
            if (sums.weight[c] > 0) next.row(c) = (sums.sums.row(c) / sums.weight[c]).template cast<T>();
        // Move the bounds with the centers: the upper by its center's shift, the lower by the
        // largest shift of any other center.
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
        half = half_distances(centers, threads);
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
