// shelf/trees/predict.hpp: batch prediction over trees flattened into one array.
//
// Each tree is renumbered breadth-first so that a node's children are adjacent: a node is 12
// bytes (threshold or leaf output, left child, feature with the missing-goes-left flag in its
// top bit) and a step is `node = child + went_right`, without branches. Leaves point to
// themselves and read a column that is always NaN, so a row at a leaf may take more steps.
// Rows are copied in blocks of 64 into a buffer one column wider than the model (the extra
// column, always NaN, is the one leaves read); the block then walks every tree while it sits in L1: in lock-step
// down to the tree's shallowest leaf, then, in lopsided trees (multiclass ones, where most rows
// leave a class's tree early), only the rows not yet at a leaf.
//
// With AVX-512, float trees no deeper than 6 (XGBoost's default max_depth) are also kept padded
// to complete binary trees: a leaf above the last level becomes a split that sends every row
// left. A level then has at most 32 nodes, which fit in two vector registers, so 16 rows step
// at once with register permutes instead of loads of their nodes, and only the feature values
// are gathered.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/tree_walk.hpp"
#include "tree.hpp"

namespace shelf::gbt::detail {

template <class T>
struct FlatNode {
    T value;             ///< threshold (go left when x < value), or the leaf's output
    std::int32_t child;  ///< left child (right is child + 1); a leaf's own index
    std::uint32_t code;  ///< feature | (missing goes left) << 31; leaves read the NaN column
};

template <class T>
class Forest {
public:
    static constexpr Index block = simd::padded_tree_rows;
    static constexpr std::uint32_t left_bit = simd::missing_left_bit;

    Forest() = default;

    /// `groups[t]` is tree t's output column.
    Forest(const std::vector<Tree<T>>& trees, const std::vector<int>& groups, Index num_features)
        : features_(num_features), group_(groups) {
        for (const Tree<T>& tree : trees) add(tree);
    }

    /// Adds the outputs of trees [first, last) to `out` (rows × outputs, row-major); X has the
    /// model's features. Returns the first row of the first block of `block` rows that holds an
    /// infinite value (then `out` is incomplete), or X.rows() when there is none.
    Index add_outputs(const MatrixView<T>& X, std::size_t first, std::size_t last, int outputs, T* out,
                      int threads) const {
        const Index n = X.rows(), width = features_ + 1, cols = std::min(X.cols(), features_);
        const Index blocks = (n + block - 1) / block;
        std::vector<char> bad(static_cast<std::size_t>(blocks), 0);  // written by the block's own thread
        // A thread's row buffer (NaN beyond the features), sums and walk positions.
        struct Scratch {
            std::vector<T> buffer, sums;
            std::int32_t at[block], active[block];
        };
        const auto make_scratch = [&](int) {
            return Scratch{std::vector<T>(static_cast<std::size_t>(block * width), std::numeric_limits<T>::quiet_NaN()),
                           std::vector<T>(static_cast<std::size_t>(block * outputs)), {}, {}};
        };
        const int team = team_for(threads, 16.0 * static_cast<double>(static_cast<std::size_t>(n) * (last - first)));
        parallel_for(team, blocks, Schedule::even, make_scratch, [&](Index b, Scratch& scratch) {
            std::vector<T>& buffer = scratch.buffer;
            std::vector<T>& sums = scratch.sums;
            std::int32_t* at = scratch.at;
            std::int32_t* active = scratch.active;
            const Index r0 = b * block, m = std::min(block, n - r0);
            bool infinite = false;
            for (Index j = 0; j < m; ++j)
                for (Index f = 0; f < cols; ++f) {
                    const T x = X(r0 + j, f);
                    buffer[static_cast<std::size_t>(j * width + f)] = x;
                    infinite |= std::isinf(x);
                }
            if (infinite) {
                bad[static_cast<std::size_t>(b)] = 1;
                return;
            }
            // The block's outputs, one run of 64 per output, added to in tree order as before.
            for (Index j = 0; j < m; ++j)
                for (int g = 0; g < outputs; ++g) sums[static_cast<std::size_t>(g * block + j)] = out[(r0 + j) * outputs + g];
            for (std::size_t t = first; t < last; ++t) {
                T* s = sums.data() + group_[t] * block;
                if (add_complete(t, buffer.data(), width, s)) continue;
                const FlatNode<T>* nodes = nodes_.data() + begin_[t];
                std::fill(at, at + m, 0);
                // Every row is still inside the tree above its shallowest leaf: lock-step.
                std::int32_t level = 0;
                for (; level < shallowest_[t]; ++level)
                    for (Index j = 0; j < m; ++j) at[j] = step(nodes, at[j], buffer.data() + j * width);
                // Below it, when enough rows have reached a leaf, only the others go on; they
                // are listed again after each level, apart from the steps so that the steps stay
                // independent. Otherwise (most rows end at the deepest level) lock-step goes on.
                Index open = 0;
                for (Index j = 0; j < m && level < depth_[t]; ++j) {
                    active[open] = static_cast<std::int32_t>(j);
                    open += nodes[at[j]].child != at[j];
                }
                if (8 * open > 7 * m)
                    for (; level < depth_[t]; ++level)
                        for (Index j = 0; j < m; ++j) at[j] = step(nodes, at[j], buffer.data() + j * width);
                for (; level < depth_[t] && open > 0; ++level) {
                    for (Index q = 0; q < open; ++q) {
                        const std::int32_t j = active[q];
                        at[j] = step(nodes, at[j], buffer.data() + j * width);
                    }
                    Index kept = 0;
                    for (Index q = 0; q < open; ++q) {
                        const std::int32_t j = active[q];
                        active[kept] = j;
                        kept += nodes[at[j]].child != at[j];
                    }
                    open = kept;
                }
                for (Index j = 0; j < m; ++j) s[j] += nodes[at[j]].value;
            }
            for (Index j = 0; j < m; ++j)
                for (int g = 0; g < outputs; ++g) out[(r0 + j) * outputs + g] = sums[static_cast<std::size_t>(g * block + j)];
        });
        const auto first_bad = std::find(bad.begin(), bad.end(), 1);
        return first_bad == bad.end() ? n : static_cast<Index>(first_bad - bad.begin()) * block;
    }

    std::size_t trees() const { return begin_.size(); }

private:
    /// Where tree t's padded copy lies: its splits level by level (level l's 2^l nodes start at
    /// `splits` + 2^l − 1), then its 2^depth leaves; depth < 0 when it has none.
    struct Complete {
        std::uint32_t splits = 0, leaves = 0;
        std::int32_t depth = -1;
    };
    static constexpr int complete_depth = simd::padded_tree_max_depth;

    /// Adds tree t's outputs for the 64 rows of `rows` to `sums` through its padded copy, if it
    /// has one (simd/tree_walk.hpp); rows past the block's end are walked too (they hold stale
    /// values) and ignored.
    bool add_complete([[maybe_unused]] std::size_t t, [[maybe_unused]] const T* rows, [[maybe_unused]] Index width,
                      [[maybe_unused]] T* sums) const noexcept {
#if defined(__AVX512F__)
        if constexpr (std::is_same_v<T, float>) {
            const Complete& tree = complete_[t];
            if (tree.depth < 0) return false;
            simd::padded_tree_walk(split_value_.data() + tree.splits, split_code_.data() + tree.splits,
                                   leaf_value_.data() + tree.leaves, tree.depth, rows, width, sums);
            return true;
        }
#endif
        return false;
    }

    /// One step down from node `at` for the row `x` (a leaf steps to itself).
    static std::int32_t step(const FlatNode<T>* nodes, std::int32_t at, const T* x) noexcept {
        const FlatNode<T>& node = nodes[at];
        const T v = x[node.code & ~left_bit];
        // NaN fails `v < value`, so it goes right unless the flag sends it left.
        const bool missing_left = (v != v) & ((node.code & left_bit) != 0);
        return node.child + static_cast<std::int32_t>(!(v < node.value) & !missing_left);
    }

    void add(const Tree<T>& tree) {
        begin_.push_back(static_cast<std::uint32_t>(nodes_.size()));
        depth_.push_back(tree.depth());
        shallowest_.push_back(tree.shallowest_leaf());
        add_complete_copy(tree);
        // Breadth-first: `order` lists source nodes in their new order; children are placed in pairs.
        std::vector<int> order{0};
        for (std::size_t i = 0; i < order.size(); ++i) {
            const int src = order[i];
            const auto s = static_cast<std::size_t>(src);
            const auto self = static_cast<std::int32_t>(i);
            if (tree.is_leaf(src)) {
                nodes_.push_back({tree.value[s], self, static_cast<std::uint32_t>(features_) | left_bit});
            } else {
                const auto child = static_cast<std::int32_t>(order.size());
                order.push_back(tree.left[s]);
                order.push_back(tree.right[s]);
                nodes_.push_back({tree.value[s], child,
                                  static_cast<std::uint32_t>(tree.feature[s]) | (tree.default_left[s] ? left_bit : 0u)});
            }
        }
    }

    /// The padded copy add_complete() walks (only where it can).
    void add_complete_copy([[maybe_unused]] const Tree<T>& tree) {
        Complete copy;
#if defined(__AVX512F__)
        if (std::is_same_v<T, float> && depth_.back() <= complete_depth) {
            copy = {static_cast<std::uint32_t>(split_value_.size()), static_cast<std::uint32_t>(leaf_value_.size()),
                    depth_.back()};
            // Source node at each position of the current level; a leaf fills every position below it.
            std::vector<int> level{0}, next;
            for (int l = 0; l < copy.depth; ++l) {
                next.clear();
                for (const int node : level) {
                    const auto n = static_cast<std::size_t>(node);
                    if (tree.is_leaf(node)) {
                        split_value_.push_back(std::numeric_limits<float>::infinity());
                        split_code_.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(features_) | left_bit));
                        next.insert(next.end(), {node, node});
                    } else {
                        split_value_.push_back(static_cast<float>(tree.value[n]));
                        split_code_.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(tree.feature[n]) |
                                                                        (tree.default_left[n] ? left_bit : 0u)));
                        next.insert(next.end(), {tree.left[n], tree.right[n]});
                    }
                }
                level.swap(next);
            }
            for (const int node : level) leaf_value_.push_back(static_cast<float>(tree.value[static_cast<std::size_t>(node)]));
        }
#endif
        complete_.push_back(copy);
    }

    Index features_ = 0;
    std::vector<FlatNode<T>> nodes_;
    std::vector<std::uint32_t> begin_;
    std::vector<std::int32_t> depth_, shallowest_;
    std::vector<int> group_;
    std::vector<Complete> complete_;
    std::vector<float> split_value_, leaf_value_;
    std::vector<std::int32_t> split_code_;
};

}  // namespace shelf::gbt::detail
