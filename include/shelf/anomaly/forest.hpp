// shelf/anomaly/forest.hpp: the trees of a random cut forest in index arrays, how one is built,
// and the collusive displacement of a point (Guha, Mishra, Roy & Schrijvers, ICML 2016).
//
// A tree over a sample of points: a node's cut picks a dimension with probability proportional
// to the span of the node's bounding box there, then a value uniformly inside that span; points
// with x[dim] <= cut go left. Leaves hold one distinct point and how many copies of it.
//
// The score of a point x is its collusive displacement (CoDisp) had it been inserted: the
// insertion walks down from the root drawing a cut on each node's box merged with x, and stops
// where that cut separates x from the box, x then becoming the node's sibling. Which dimension
// the separating cut is in does not matter to CoDisp, only whether it separates: with
// probability (how far x lies outside the box, summed over dimensions) / (the merged box's
// span), one uniform draw per node where x lies outside. CoDisp is the
// largest, over the subtrees C holding x on the way back up, of |sibling of C| / |C|: with the
// masses m of the nodes passed, max(m(stop), max over ancestors a with child c on the path of
// (m(a) − m(c)) / (m(c) + 1)). The walk changes nothing, so scoring is const and threads share
// the forest; its random draws come from a generator seeded by the point's bits, so a point
// scores the same alone, in a batch or on another thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "shelf/core/random.hpp"
#include "shelf/core/types.hpp"

namespace shelf::rcf {

namespace detail {

/// How far v lies outside [lo, hi].
template <class T>
double outside_by(T lo, T hi, T v) noexcept {
    const double l = static_cast<double>(lo), h = static_cast<double>(hi), x = static_cast<double>(v);
    return std::max(0.0, l - x) + std::max(0.0, x - h);
}

/// Sums over a box's dimensions are kept in sixteen lanes of T (a 64-byte register of floats),
/// dimension j in lane j mod 16, then folded pairwise (lane k takes lane k + 8, then k + 4, ...):
/// a fixed order of additions, so vectorized on any SIMD width and the same bits on every target.
template <class T>
using BoxLanes = Eigen::Array<T, 16, 1>;

template <class T>
double fold(BoxLanes<T>& part) noexcept {
    part.template head<8>() += part.template tail<8>();
    part.template head<4>() += part.template segment<4>(4);
    part.template head<2>() += part.template segment<2>(2);
    return static_cast<double>(part[0] + part[1]);
}

/// How far x lies outside the box [lo, hi], summed over d dimensions.
template <class T>
double outside_sum(const T* lo, const T* hi, const T* x, Index d) noexcept {
    using Lanes = Eigen::Map<const BoxLanes<T>>;
    BoxLanes<T> part = BoxLanes<T>::Zero();
    Index j = 0;
    for (; j + 16 <= d; j += 16) {
        const Lanes l(lo + j), h(hi + j), v(x + j);
        part += (l - v).max(T(0)) + (v - h).max(T(0));
    }
    for (Index k = 0; j < d; ++j, ++k) part[k] += std::max(T(0), lo[j] - x[j]) + std::max(T(0), x[j] - hi[j]);
    return fold(part);
}

/// The box [lo, hi]'s span, Σ (hi − lo) over d dimensions.
template <class T>
double span_sum(const T* lo, const T* hi, Index d) noexcept {
    using Lanes = Eigen::Map<const BoxLanes<T>>;
    BoxLanes<T> part = BoxLanes<T>::Zero();
    Index j = 0;
    for (; j + 16 <= d; j += 16) part += Lanes(hi + j) - Lanes(lo + j);
    for (Index k = 0; j < d; ++j, ++k) part[k] += hi[j] - lo[j];
    return fold(part);
}

}  // namespace detail

/// The nodes of every tree, in flat arrays indexed by node. Tree t holds nodes
/// [tree_first[t], tree_first[t + 1]), its root first; child indices are tree-local and always
/// greater than their parent's. A node is a leaf when dim < 0.
template <class T>
struct Forest {
    std::vector<std::int64_t> tree_first{0};
    std::vector<std::int32_t> left, right;  ///< children; −1 in a leaf
    std::vector<std::int32_t> dim;          ///< the cut's dimension; −1 in a leaf
    std::vector<T> cut;                     ///< x[dim] <= cut goes left
    std::vector<std::int32_t> mass;         ///< points at or below the node (a leaf: copies of its point)
    RowMatrix<T> lower, upper;              ///< bounding box of the node's points, a row per node
    std::vector<double> span;               ///< Σ (upper − lower) of each node: derived, not stored

    /// Fills `span` from the boxes (after building or loading).
    void measure() {
        span.assign(dim.size(), 0.0);
        for (Index i = 0; i < lower.rows(); ++i)
            span[static_cast<std::size_t>(i)] = detail::span_sum(lower.row(i).data(), upper.row(i).data(), lower.cols());
    }

    Index trees() const noexcept { return static_cast<Index>(tree_first.size()) - 1; }
    Index nodes() const noexcept { return static_cast<Index>(dim.size()); }
    Index dimension() const noexcept { return lower.cols(); }
};

namespace detail {

/// One tree built from the rows of P, in the Forest's layout (tree-local indices).
template <class T>
class TreeBuilder {
public:
    TreeBuilder(const RowMatrix<T>& P, Rng& rng) : P_(P), rng_(rng) {}

    Forest<T> build() {
        std::vector<Index> rows(static_cast<std::size_t>(P_.rows()));
        for (Index i = 0; i < P_.rows(); ++i) rows[static_cast<std::size_t>(i)] = i;
        Forest<T> tree;
        boxes_lower_.clear(), boxes_upper_.clear();
        grow(tree, rows.data(), rows.data() + rows.size());
        const Index n = tree.nodes(), d = P_.cols();
        tree.lower.resize(n, d), tree.upper.resize(n, d);
        for (Index i = 0; i < n; ++i)
            for (Index j = 0; j < d; ++j) {
                tree.lower(i, j) = boxes_lower_[static_cast<std::size_t>(i * d + j)];
                tree.upper(i, j) = boxes_upper_[static_cast<std::size_t>(i * d + j)];
            }
        tree.tree_first = {0, n};
        return tree;
    }

private:
    /// Adds the node of rows [begin, end) and its subtree; returns its index.
    std::int32_t grow(Forest<T>& tree, Index* begin, Index* end) {
        const Index d = P_.cols();
        const auto node = static_cast<std::int32_t>(tree.dim.size());
        tree.left.push_back(-1), tree.right.push_back(-1), tree.dim.push_back(-1), tree.cut.push_back(T(0));
        tree.mass.push_back(static_cast<std::int32_t>(end - begin));
        const std::size_t box = boxes_lower_.size();
        boxes_lower_.insert(boxes_lower_.end(), P_.row(*begin).data(), P_.row(*begin).data() + d);
        boxes_upper_.insert(boxes_upper_.end(), P_.row(*begin).data(), P_.row(*begin).data() + d);
        double span = 0;
        for (Index j = 0; j < d; ++j) {
            T& lo = boxes_lower_[box + static_cast<std::size_t>(j)];
            T& hi = boxes_upper_[box + static_cast<std::size_t>(j)];
            for (const Index* r = begin + 1; r < end; ++r) lo = std::min(lo, P_(*r, j)), hi = std::max(hi, P_(*r, j));
            span += static_cast<double>(hi) - static_cast<double>(lo);
        }
        if (span == 0) return node;  // one distinct point: a leaf
        Index q = 0;
        T c(0);
        Index* middle = begin;
        while (middle == begin || middle == end) {  // a cut rounded onto the box's edge is drawn again
            double r = rng_.uniform() * span;
            for (q = 0; q + 1 < d; ++q) {
                const double width = static_cast<double>(boxes_upper_[box + static_cast<std::size_t>(q)]) -
                                      static_cast<double>(boxes_lower_[box + static_cast<std::size_t>(q)]);
                if (r < width) break;
                r -= width;
            }
            c = static_cast<T>(static_cast<double>(boxes_lower_[box + static_cast<std::size_t>(q)]) + r);
            middle = std::partition(begin, end, [&](Index row) { return P_(row, q) <= c; });
        }
        tree.dim[static_cast<std::size_t>(node)] = static_cast<std::int32_t>(q);
        tree.cut[static_cast<std::size_t>(node)] = c;
        const std::int32_t l = grow(tree, begin, middle);
        const std::int32_t r = grow(tree, middle, end);
        tree.left[static_cast<std::size_t>(node)] = l, tree.right[static_cast<std::size_t>(node)] = r;
        return node;
    }

    const RowMatrix<T>& P_;
    Rng& rng_;
    std::vector<T> boxes_lower_, boxes_upper_;
};

/// The seed of x's draws (tree t draws from Rng::for_stream(key, t)): the model's seed and x's bits.
template <class T>
std::uint64_t point_key(std::uint64_t seed, const T* x, Index d) noexcept {
    std::uint64_t key = seed;
    for (Index j = 0; j < d; ++j) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, x + j, sizeof(T));
        key = Rng::for_stream(key, bits)();
    }
    return key;
}

}  // namespace detail

/// Where a walk of x down a tree stopped (see the top of this file).
struct Walk {
    double codisp = 0;       ///< x's CoDisp had it been inserted
    std::int64_t node = 0;   ///< the node whose box the separating cut parts x from, or the leaf x is a copy of
    bool copy = false;       ///< x is a copy of that leaf's point
    double cut_at = -1;      ///< where the cut fell in the outside part of the merged box, [0, outside); -1 at a leaf: not drawn
};

/// The walk of x down `tree` (root first), drawing a cut on each node's box merged with x. A Tree
/// gives, for a node: lower / upper (its box, d values), span, mass, leaf, and child (the child
/// x's coordinates lead to). `pass(node)` is called for every node x goes through without being
/// separated from it, after the node's draw. Shared by the trained forest and the streaming trees.
/// The draws come from `uniform.uniform()` in [0, 1): an Rng, or in a test a script of them.
template <class Tree, class T, class Uniform, class Pass>
Walk walk(const Tree& tree, typename Tree::Node node, const T* x, Index d, Uniform& uniform, Pass&& pass) {
    Walk result;
    for (;;) {
        const T* lo = tree.lower(node);
        const T* hi = tree.upper(node);
        const double m = tree.mass(node);
        const bool leaf = tree.leaf(node);
        // The merged box's span is the node's plus how far x lies outside it; a cut drawn
        // uniformly over the merged span separates x exactly when it falls in that outside part.
        const double outside = detail::outside_sum(lo, hi, x, d);
        if (outside == 0) {
            if (leaf) {  // x is this leaf's point
                result.node = static_cast<std::int64_t>(node), result.copy = true;
                return result;
            }
        } else if (leaf) {
            result.codisp = std::max(result.codisp, m), result.node = static_cast<std::int64_t>(node);
            return result;
        } else if (const double r = uniform.uniform() * (tree.span(node) + outside); r < outside) {
            result.codisp = std::max(result.codisp, m), result.node = static_cast<std::int64_t>(node), result.cut_at = r;
            return result;
        }
        pass(node);
        const auto child = tree.child(node, x);
        const double mc = tree.mass(child);
        result.codisp = std::max(result.codisp, (m - mc) / (mc + 1));
        node = child;
    }
}

namespace detail {

/// Tree t of a trained Forest, as walk() reads a tree.
template <class T>
struct ForestTree {
    using Node = std::int64_t;
    const Forest<T>& f;
    std::int64_t base;

    const T* lower(Node n) const { return f.lower.row(n).data(); }
    const T* upper(Node n) const { return f.upper.row(n).data(); }
    double span(Node n) const { return f.span[static_cast<std::size_t>(n)]; }
    double mass(Node n) const { return f.mass[static_cast<std::size_t>(n)]; }
    bool leaf(Node n) const { return f.dim[static_cast<std::size_t>(n)] < 0; }
    Node child(Node n, const T* x) const {
        const auto at = static_cast<std::size_t>(n);
        return base + (x[f.dim[at]] <= f.cut[at] ? f.left[at] : f.right[at]);
    }
};

}  // namespace detail

/// CoDisp of x (d values) in tree t, had x been inserted with `rng`'s draws (see the top of
/// this file). A copy of a point the tree holds scores as that leaf with one more copy.
template <class T>
double displacement(const Forest<T>& forest, Index t, const T* x, Rng& rng) {
    const std::int64_t base = forest.tree_first[static_cast<std::size_t>(t)];
    return walk(detail::ForestTree<T>{forest, base}, base, x, forest.dimension(), rng, [](std::int64_t) {}).codisp;
}

/// CoDisp of x averaged over the forest's trees, the draws seeded by `seed` and x's bits.
template <class T>
double mean_displacement(const Forest<T>& forest, std::uint64_t seed, const T* x) {
    const std::uint64_t key = detail::point_key(seed, x, forest.dimension());
    double sum = 0;
    for (Index t = 0; t < forest.trees(); ++t) {
        Rng rng = Rng::for_stream(key, static_cast<std::uint64_t>(t));
        sum += displacement(forest, t, x, rng);
    }
    return forest.trees() > 0 ? sum / static_cast<double>(forest.trees()) : 0.0;
}

}  // namespace shelf::rcf
