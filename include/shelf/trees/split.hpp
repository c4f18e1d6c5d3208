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

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

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

/// Scans feature f's bins (hist points at its slots: bins, then missing) for the best split of
/// a node with sums `parent` and score `parent_score`, updating `best`.
template <class T>
void scan_feature(const HistBin* hist, const Cuts<T>& cuts, std::int32_t f, const GradStats& parent, T parent_score,
                  const SplitParams<T>& p, SplitCandidate<T>& best) {
    const auto bins = static_cast<std::int32_t>(cuts.bins(f));
    const T* cut = cuts.cuts(f);
    const auto mcw = static_cast<double>(p.min_child_weight);
    const auto consider = [&](const GradStats& left, const GradStats& right, std::int32_t bin, T threshold,
                              bool missing_left) {
        if (left.hess < mcw || right.hess < mcw) return;
        const T gain = static_cast<T>(node_score(p, left) + node_score(p, right)) - parent_score;
        if (best.improved_by(gain, f)) best = {gain, f, bin, threshold, missing_left, left, right};
    };
    GradStats below;  // missing values go right
    for (std::int32_t b = 0; b < bins; ++b) {
        below.add(hist[b]);
        consider(below, parent - below, b, cut[b], false);
    }
    const HistBin& missing = hist[bins];
    if (missing.grad == 0.0 && missing.hess == 0.0) return;
    GradStats above;  // missing values go left
    for (std::int32_t b = bins - 1; b >= 0; --b) {
        above.add(hist[b]);
        consider(parent - above, above, b - 1, b == 0 ? cuts.min_values[static_cast<std::size_t>(f)] : cut[b - 1], true);
    }
}

}  // namespace shelf::gbt::detail
