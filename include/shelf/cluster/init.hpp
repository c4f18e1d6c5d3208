// shelf/cluster/init.hpp: initial centers — random rows, or greedy k-means++.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>
#include <vector>

#include <Eigen/Core>

#include "assign.hpp"
#include "params.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/random.hpp"

namespace shelf::kmeans::detail {

/// k distinct rows of the source (shifted), drawn uniformly, or by weight when the
/// rows are weighted (rows of weight 0 only once every weighted row is taken).
template <class T>
RowMatrix<T> init_random(const RowSource<T>& source, Index k, Rng& rng) {
    const Index n = source.count;
    std::vector<Index> chosen;
    chosen.reserve(static_cast<std::size_t>(k));
    if (!source.weights) {
        // Floyd's sampling: k distinct indices in k draws, whatever n is.
        std::unordered_set<Index> taken;
        for (Index j = n - k; j < n; ++j) {
            const auto t = static_cast<Index>(rng.uniform_index(static_cast<std::uint64_t>(j + 1)));
            const Index pick = taken.count(t) ? j : t;
            taken.insert(pick);
            chosen.push_back(pick);
        }
    } else {
        std::vector<double> weight(static_cast<std::size_t>(n));
        double total = 0;
        for (Index i = 0; i < n; ++i) total += weight[static_cast<std::size_t>(i)] = source.weight(i);
        std::vector<char> used(static_cast<std::size_t>(n), 0);
        for (Index c = 0; c < k; ++c) {
            Index pick = -1;
            if (total > 0) {
                const double target = rng.uniform() * total;
                double running = 0;
                for (Index i = 0; i < n; ++i) {
                    if (used[static_cast<std::size_t>(i)] || weight[static_cast<std::size_t>(i)] <= 0) continue;
                    pick = i;  // the last eligible row absorbs rounding at the top end
                    running += weight[static_cast<std::size_t>(i)];
                    if (running > target) break;
                }
            }
            if (pick < 0)
                for (Index i = 0; i < n && pick < 0; ++i)
                    if (!used[static_cast<std::size_t>(i)]) pick = i;
            used[static_cast<std::size_t>(pick)] = 1;
            total = std::max(0.0, total - weight[static_cast<std::size_t>(pick)]);
            chosen.push_back(pick);
        }
    }
    RowMatrix<T> centers(k, source.dim());
    for (Index c = 0; c < k; ++c) centers.row(c) = source.row_double(chosen[static_cast<std::size_t>(c)]).template cast<T>();
    return centers;
}

/// Greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's greedy step):
/// the first center is a row drawn by weight; each next one is the best of
/// 2 + ⌊ln k⌋ rows drawn with probability ∝ weight · D², where D is the distance
/// to the nearest center so far — best meaning the lowest total weight · D² after
/// adding it. Sums are kept per block and added in block order, so the choice
/// does not depend on the thread count.
template <class T>
RowMatrix<T> init_kmeans_plus_plus(const RowSource<T>& source, Index k, Rng& rng, int threads) {
    const Index n = source.count, d = source.dim();
    const Index trials = 2 + static_cast<Index>(std::log(static_cast<double>(k)));
    const Index block = simd::block_rows<T>(d, trials);
    const Index blocks = (n + block - 1) / block;
    const int team = team_size(threads, blocks, static_cast<double>(n) * static_cast<double>(d) * static_cast<double>(trials));

    Vector<T> closest(n);                    // squared distance to the nearest chosen center
    std::vector<double> block_potential;     // Σ weight · closest per block
    RowMatrix<T> candidate_closest;          // trials × n: closest if that candidate were added
    RowMatrix<double> candidate_potential;   // trials × blocks

    // Distances from `candidates` to every row; fills candidate_closest / candidate_potential.
    auto evaluate = [&](const RowMatrix<T>& candidates, bool first) {
        const Index m = candidates.rows();
        const Vector<T> cn = candidates.rowwise().squaredNorm();
        candidate_closest.resize(m, n);
        candidate_potential.setZero(m, blocks);
        struct Local {
            RowMatrix<T> rows, dist;
            Vector<T> norms;
        };
        parallel_for(team, blocks, Schedule::even, [](int) { return Local(); }, [&](Index b, Local& local) {
            const Index first_row = b * block, count = std::min(block, n - first_row);
            source.gather(first_row, count, local.rows, local.norms);
            simd::squared_distances<T>(candidates, cn, local.rows, local.norms, local.dist);
            for (Index t = 0; t < m; ++t) {
                double potential = 0;
                for (Index r = 0; r < count; ++r) {
                    const Index i = first_row + r;
                    const T v = first ? local.dist(t, r) : std::min(local.dist(t, r), closest[i]);
                    candidate_closest(t, i) = v;
                    potential += source.weight(i) * static_cast<double>(v);
                }
                candidate_potential(t, b) = potential;
            }
        });
    };
    // A row drawn with probability ∝ weight · closest (uniformly by weight when all are 0).
    auto draw = [&](double total) -> Index {
        const bool by_distance = total > 0;
        if (!by_distance)
            for (Index i = 0; i < n; ++i) total += source.weight(i);
        double target = rng.uniform() * total;
        Index last = n - 1;
        for (Index b = 0; b < blocks; ++b) {
            const Index first_row = b * block, count = std::min(block, n - first_row);
            double mass = 0;
            if (by_distance) {
                mass = block_potential[static_cast<std::size_t>(b)];
            } else {
                for (Index r = 0; r < count; ++r) mass += source.weight(first_row + r);
            }
            if (mass <= 0) continue;
            if (target >= mass) {
                target -= mass;
                last = first_row + count - 1;
                continue;
            }
            for (Index r = 0; r < count; ++r) {
                const Index i = first_row + r;
                const double m = source.weight(i) * (by_distance ? static_cast<double>(closest[i]) : 1.0);
                if (m <= 0) continue;
                last = i;
                if (target < m) return i;
                target -= m;
            }
        }
        return last;  // rounding left the target past the end: the last row with mass
    };

    RowMatrix<T> centers(k, d);
    RowMatrix<T> candidates(1, d);
    block_potential.assign(static_cast<std::size_t>(blocks), 0.0);
    Index pick = draw(0);
    centers.row(0) = source.row_double(pick).template cast<T>();
    candidates = centers.topRows(1);
    evaluate(candidates, true);
    closest = candidate_closest.row(0).transpose();
    for (Index b = 0; b < blocks; ++b) block_potential[static_cast<std::size_t>(b)] = candidate_potential(0, b);

    candidates.resize(trials, d);
    for (Index c = 1; c < k; ++c) {
        double total = 0;
        for (double p : block_potential) total += p;
        for (Index t = 0; t < trials; ++t) candidates.row(t) = source.row_double(draw(total)).template cast<T>();
        evaluate(candidates, false);
        Index best = 0;
        double best_potential = std::numeric_limits<double>::infinity();
        for (Index t = 0; t < trials; ++t) {
            double potential = 0;
            for (Index b = 0; b < blocks; ++b) potential += candidate_potential(t, b);
            if (potential < best_potential) best_potential = potential, best = t;
        }
        centers.row(c) = candidates.row(best);
        closest = candidate_closest.row(best).transpose();
        for (Index b = 0; b < blocks; ++b) block_potential[static_cast<std::size_t>(b)] = candidate_potential(best, b);
    }
    return centers;
}

/// Initial centers by `method`.
template <class T>
RowMatrix<T> initial_centers(Init method, const RowSource<T>& source, Index k, Rng& rng, int threads) {
    return method == Init::random ? init_random(source, k, rng) : init_kmeans_plus_plus(source, k, rng, threads);
}

}  // namespace shelf::kmeans::detail
