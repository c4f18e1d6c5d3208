// shelf/trees/predict.hpp: batch prediction over trees flattened into one array.
//
// Each tree is renumbered breadth-first so that a node's children are adjacent: a node is 12
// bytes (threshold or leaf output, left child, feature with the missing-goes-left flag in its
// top bit) and a step is `node = child + went_right`, without branches. Leaves point to
// themselves and read a column that is always NaN, so a row at a leaf may take more steps.
// Rows are copied in blocks of 64 into a buffer one column wider than the model (features the
// input lacks are NaN there); the block then walks every tree while it sits in L1: in lock-step
// down to the tree's shallowest leaf, then, in lopsided trees (multiclass ones, where most rows
// leave a class's tree early), only the rows not yet at a leaf.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "../core/types.hpp"
#include "tree.hpp"
#include "threads.hpp"

namespace shelf::gbt::detail {

template <class T>
struct FlatNode {
    T value;             ///< threshold (go left when x < value), or the leaf's output
    std::int32_t child;  ///< left child (right is child + 1); a leaf's own index
    std::uint32_t code;  ///< feature | (missing goes left) << 31; leaves read the NaN column
};

/// First offending row and column of an input with an infinite value (rows = none).
struct BadValue {
    Index row, col;
};

template <class T>
class Forest {
public:
    static constexpr Index block = 64;
    static constexpr std::uint32_t left_bit = 0x80000000u;

    Forest() = default;

    /// `groups[t]` is tree t's output column.
    Forest(const std::vector<Tree<T>>& trees, const std::vector<int>& groups, Index num_features)
        : features_(num_features), group_(groups) {
        for (const Tree<T>& tree : trees) add(tree);
    }

    /// Adds the outputs of trees [first, last) to `out` (rows × outputs, row-major). Returns the
    /// first infinite input value, if any (then `out` is incomplete).
    BadValue add_outputs(const MatrixView<T>& X, std::size_t first, std::size_t last, int outputs, T* out,
                         int threads) const {
        const Index n = X.rows(), width = features_ + 1, cols = std::min(X.cols(), features_);
        const Index blocks = (n + block - 1) / block;
        BadValue bad{n, 0};
        const bool big = static_cast<std::size_t>(n) * (last - first) > parallel_work / 16;
#pragma omp parallel num_threads(threads) if (big)
        {
            std::vector<T> buffer(static_cast<std::size_t>(block * width), std::numeric_limits<T>::quiet_NaN());
            std::int32_t at[block], active[block];
#pragma omp for schedule(static)
            for (Index b = 0; b < blocks; ++b) {
                const Index r0 = b * block, m = std::min(block, n - r0);
                for (Index j = 0; j < m; ++j)
                    for (Index f = 0; f < cols; ++f) {
                        const T x = X(r0 + j, f);
                        buffer[static_cast<std::size_t>(j * width + f)] = x;
                        if (std::isinf(x)) {
#pragma omp critical(shelf_gbt_bad_value)
                            if (r0 + j < bad.row || (r0 + j == bad.row && f < bad.col)) bad = {r0 + j, f};
                        }
                    }
                for (std::size_t t = first; t < last; ++t) {
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
                    T* o = out + r0 * outputs + group_[t];
                    for (Index j = 0; j < m; ++j) o[j * outputs] += nodes[at[j]].value;
                }
            }
        }
        return bad;
    }

    std::size_t trees() const { return begin_.size(); }

private:
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

    Index features_ = 0;
    std::vector<FlatNode<T>> nodes_;
    std::vector<std::uint32_t> begin_;
    std::vector<std::int32_t> depth_, shallowest_;
    std::vector<int> group_;
};

}  // namespace shelf::gbt::detail
