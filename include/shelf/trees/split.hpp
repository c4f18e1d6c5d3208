// shelf/trees/split.hpp: second-order leaf weights, gains, and the best split of a node.
//
// With G, H the sums of gradients and hessians of a node's rows, the leaf weight is
// w = −T_α(G) / (H + λ) (T_α: soft threshold by α), clipped to ±max_delta_step, and the
// node's score is T_α(G)² / (H + λ) (or −(2Gw + (H + λ)w²) when the weight is clipped).
// A split's gain is score(left) + score(right) − score(parent). Bins are scanned upwards with
// missing values on the right, and, when the node has missing values, downwards with them on
// the left: the better direction becomes the split's default. Arithmetic types follow XGBoost
// 1.7's hist evaluator (scores in the model's scalar, sums in double), so ties break alike.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "binning.hpp"
#include "histogram.hpp"

namespace shelf::gbt::detail {

/// The regularisation a tree is grown with, in the model's scalar type (XGBoost keeps float).
template <class T>
struct SplitParams {
    T lambda = 1;
    T alpha = 0;
    T gamma = 0;
    T min_child_weight = 1;
    T max_delta_step = 0;
    T eta = T(0.3);
};

inline double soft_threshold(double g, double alpha) {
    if (g > alpha) return g - alpha;
    if (g < -alpha) return g + alpha;
    return 0.0;
}

/// Leaf weight of a node with sums `s`.
template <class T>
T leaf_weight(const SplitParams<T>& p, const GradStats& s) {
    if (s.hess < static_cast<double>(p.min_child_weight) || s.hess <= 0.0) return T(0);
    double w = -soft_threshold(s.grad, static_cast<double>(p.alpha)) / (s.hess + static_cast<double>(p.lambda));
    if (p.max_delta_step != T(0) && std::abs(w) > static_cast<double>(p.max_delta_step))
        w = std::copysign(static_cast<double>(p.max_delta_step), w);
    return static_cast<T>(w);
}

/// The node's score: the loss reduction its weight achieves.
template <class T>
T node_score(const SplitParams<T>& p, const GradStats& s) {
    if (s.hess <= 0.0) return T(0);
    if (p.max_delta_step == T(0)) {
        const double g = soft_threshold(s.grad, static_cast<double>(p.alpha));
        return static_cast<T>(g * g / (s.hess + static_cast<double>(p.lambda)));
    }
    const auto w = static_cast<double>(leaf_weight(p, s));
    return static_cast<T>(-(2.0 * s.grad * w + (s.hess + static_cast<double>(p.lambda)) * w * w));
}

/// A candidate split. `bin`: rows whose code is ≤ bin go left (−1: none do); missing rows go
/// left when `default_left`.
template <class T>
struct SplitCandidate {
    T loss_change = 0;
    std::int32_t feature = 0;
    std::int32_t bin = -1;
    T threshold = 0;
    bool default_left = false;
    GradStats left, right;

    /// XGBoost's SplitEntry::NeedReplace: a larger gain wins; on a tie the lower feature does.
    bool improved_by(T gain, std::int32_t f) const {
        if (std::isinf(gain) || std::isnan(gain)) return false;
        return feature <= f ? gain > loss_change : !(loss_change > gain);
    }
    void update(const SplitCandidate& c) {
        if (improved_by(c.loss_change, c.feature)) *this = c;
    }
};

/// node_score() of `count` nodes with sums (grad[i], hess[i]), into `out` (to be rounded to T
/// by the caller): the scan's two divisions per bin, in SIMD. count is a multiple of the batch
/// size and the arrays are aligned to it.
template <class T>
void node_scores(const double* grad, const double* hess, std::size_t count, const SplitParams<T>& p, double* out) {
    if (p.max_delta_step != T(0)) {  // clipped weights: rare, and node_score's own arithmetic
        for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<double>(node_score(p, GradStats{grad[i], hess[i]}));
        return;
    }
    using Batch = xsimd::batch<double>;
    const Batch alpha(static_cast<double>(p.alpha)), lambda(static_cast<double>(p.lambda)), zero(0.0);
    for (std::size_t i = 0; i < count; i += Batch::size) {
        const Batch g = Batch::load_aligned(grad + i), h = Batch::load_aligned(hess + i);
        const Batch t = xsimd::select(g > alpha, g - alpha, xsimd::select(g < -alpha, g + alpha, zero));
        xsimd::select(h <= zero, zero, t * t / (h + lambda)).store_aligned(out + i);
    }
}

/// Scans feature f's bins (hist points at its slots: bins, then missing) for the best split of
/// a node with sums `parent` and score `parent_score`, updating `best`. Bins are taken in chunks:
/// the running sums of a chunk first, then both sides' scores in SIMD, then the candidates in
/// bin order, so the winner and its ties are the one-bin-at-a-time scan's.
template <class T>
void scan_feature(const HistBin* hist, const Cuts<T>& cuts, std::int32_t f, const GradStats& parent, T parent_score,
                  const SplitParams<T>& p, SplitCandidate<T>& best) {
    constexpr std::int32_t chunk = 64;
    constexpr std::size_t lanes = xsimd::batch<double>::size;
    static_assert(chunk % lanes == 0, "a chunk is whole batches");
    alignas(64) double grad[2][chunk], hess[2][chunk], score[2][chunk];  // [0]: left side, [1]: right
    const auto bins = static_cast<std::int32_t>(cuts.bins(f));
    const T* cut = cuts.cuts(f);
    const auto mcw = static_cast<double>(p.min_child_weight);
    // Bins first ... first + count - 1 in scan order (upwards, or downwards when missing_left):
    // the side sums were stored in grad/hess by the caller.
    const auto consider = [&](std::int32_t first, std::int32_t count, bool missing_left) {
        const std::size_t padded = (static_cast<std::size_t>(count) + lanes - 1) / lanes * lanes;
        for (int side = 0; side < 2; ++side) {
            std::fill(grad[side] + count, grad[side] + padded, 0.0);
            std::fill(hess[side] + count, hess[side] + padded, 0.0);
            node_scores(grad[side], hess[side], padded, p, score[side]);
        }
        for (std::int32_t i = 0; i < count; ++i) {
            if (hess[0][i] < mcw || hess[1][i] < mcw) continue;
            const T gain = static_cast<T>(static_cast<T>(score[0][i]) + static_cast<T>(score[1][i])) - parent_score;
            if (!best.improved_by(gain, f)) continue;
            const std::int32_t b = missing_left ? first - i : first + i;  // the scanned bin
            const GradStats left{grad[0][i], hess[0][i]}, right{grad[1][i], hess[1][i]};
            if (missing_left)
                best = {gain, f, b - 1, b == 0 ? cuts.min_values[static_cast<std::size_t>(f)] : cut[b - 1], true, left, right};
            else
                best = {gain, f, b, cut[b], false, left, right};
        }
    };
    GradStats below;  // missing values go right
    for (std::int32_t first = 0; first < bins; first += chunk) {
        const std::int32_t count = std::min<std::int32_t>(chunk, bins - first);
        for (std::int32_t i = 0; i < count; ++i) {
            below.add(hist[first + i]);
            const GradStats right = parent - below;
            grad[0][i] = below.grad, hess[0][i] = below.hess, grad[1][i] = right.grad, hess[1][i] = right.hess;
        }
        consider(first, count, false);
    }
    const HistBin& missing = hist[bins];
    if (missing.grad == 0.0 && missing.hess == 0.0) return;
    GradStats above;  // missing values go left
    for (std::int32_t first = bins - 1; first >= 0; first -= chunk) {
        const std::int32_t count = std::min<std::int32_t>(chunk, first + 1);
        for (std::int32_t i = 0; i < count; ++i) {
            above.add(hist[first - i]);
            const GradStats left = parent - above;
            grad[0][i] = left.grad, hess[0][i] = left.hess, grad[1][i] = above.grad, hess[1][i] = above.hess;
        }
        consider(first, count, true);
    }
}

}  // namespace shelf::gbt::detail
