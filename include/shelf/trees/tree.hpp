// shelf/trees/tree.hpp: one regression tree, stored as XGBoost stores it.
//
// Nodes are numbered as XGBoost numbers them (root 0, children appended in the order nodes
// are split) and kept as parallel arrays with XGBoost's JSON field meanings, so a tree
// converts to and from XGBoost's model format field by field. Prediction does not walk this
// form: predict.hpp flattens trees into a cache-friendly layout.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace shelf::gbt {

template <class T>
struct Tree {
    std::vector<std::int32_t> left;     ///< left child, -1 at leaves
    std::vector<std::int32_t> right;    ///< right child, -1 at leaves
    std::vector<std::int32_t> parent;   ///< -1 at the root
    std::vector<std::int32_t> feature;  ///< split feature (0 at leaves)
    std::vector<T> value;               ///< split threshold (go left when x < value), or the leaf's output
    std::vector<std::uint8_t> default_left;  ///< where missing values go
    std::vector<T> base_weight;         ///< Newton weight of the node (leaves: their output when created)
    std::vector<T> loss_change;         ///< gain of the split (0 at leaves)
    std::vector<T> sum_hessian;         ///< cover: sum of the hessians of the node's rows

    /// A single leaf: the tree of a root that is never split.
    static Tree leaf(T output, T base_weight, T sum_hessian) {
        Tree t;
        t.add_node(-1, output, base_weight, sum_hessian);
        return t;
    }

    int size() const { return static_cast<int>(left.size()); }
    bool is_leaf(int node) const { return left[static_cast<std::size_t>(node)] < 0; }

    /// Turns leaf `node` into a split with two new leaves (XGBoost's RegTree::ExpandNode).
    void split(int node, int split_feature, T threshold, bool missing_left, T weight, T left_output, T right_output,
               T gain, T left_hessian, T right_hessian) {
        const auto n = static_cast<std::size_t>(node);
        const int l = add_node(node, left_output, left_output, left_hessian);
        const int r = add_node(node, right_output, right_output, right_hessian);
        left[n] = l;
        right[n] = r;
        feature[n] = split_feature;
        value[n] = threshold;
        default_left[n] = missing_left ? 1 : 0;
        base_weight[n] = weight;
        loss_change[n] = gain;
    }

    /// Depth of the deepest leaf (0 for a single leaf).
    int depth() const {
        std::vector<int> d(left.size(), 0);
        int deepest = 0;
        for (std::size_t i = 0; i < left.size(); ++i)  // parents come before children
            if (parent[i] >= 0) deepest = std::max(deepest, d[i] = d[static_cast<std::size_t>(parent[i])] + 1);
        return deepest;
    }

    /// Depth of the shallowest leaf (0 for a single leaf).
    int shallowest_leaf() const {
        std::vector<int> d(left.size(), 0);
        int shallowest = std::numeric_limits<int>::max();
        for (std::size_t i = 0; i < left.size(); ++i) {  // parents come before children
            if (parent[i] >= 0) d[i] = d[static_cast<std::size_t>(parent[i])] + 1;
            if (is_leaf(static_cast<int>(i))) shallowest = std::min(shallowest, d[i]);
        }
        return shallowest;
    }

    /// The leaf a row reaches; `row` has `width` features, and features past the width are missing.
    int leaf_of(const T* row, long width) const {
        int node = 0;
        while (!is_leaf(node)) {
            const auto n = static_cast<std::size_t>(node);
            const long f = feature[n];
            const T x = f < width ? row[f] : std::numeric_limits<T>::quiet_NaN();
            node = std::isnan(x) ? (default_left[n] ? left[n] : right[n]) : (x < value[n] ? left[n] : right[n]);
        }
        return node;
    }

    bool operator==(const Tree& o) const {
        return left == o.left && right == o.right && parent == o.parent && feature == o.feature && value == o.value &&
               default_left == o.default_left && base_weight == o.base_weight && loss_change == o.loss_change &&
               sum_hessian == o.sum_hessian;
    }
    bool operator!=(const Tree& o) const { return !(*this == o); }

private:
    int add_node(int parent_node, T output, T weight, T hessian) {
        left.push_back(-1);
        right.push_back(-1);
        parent.push_back(parent_node);
        feature.push_back(0);
        value.push_back(output);
        default_left.push_back(0);
        base_weight.push_back(weight);
        loss_change.push_back(T(0));
        sum_hessian.push_back(hessian);
        return size() - 1;
    }
};

}  // namespace shelf::gbt
