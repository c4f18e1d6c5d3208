// shelf/anomaly/stream_tree.hpp: one tree of a streaming random cut forest — insertion and
// deletion in O(depth) (Guha et al., section 3), over a time-decayed reservoir sample.
//
// Storage is index arrays of fixed capacity: internal nodes 0 … capacity − 2 with their cut,
// mass, parent and bounding box; leaves 0 … capacity − 1 with their point (an id in the
// PointStore), number of copies and parent. A child reference c >= 0 is internal node c, c < 0
// leaf ~c. Freed slots go on free lists, so a tree never allocates after construction.
//
// The reservoir (Efraimidis & Spirakis, with exponential time weights): the point arriving at
// step s gets priority log(−log u) − time_decay · s for a uniform u; the tree keeps the
// `capacity` smallest, a max-heap giving the one to evict. time_decay 0 keeps a uniform sample
// of everything seen; larger values favour recent points (about 1 / time_decay steps back).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "forest.hpp"
#include "point_store.hpp"

namespace shelf::rcf {

template <class T>
class StreamTree {
public:
    using Node = std::int32_t;

    StreamTree() = default;
    StreamTree(Index capacity, Index dimension) : capacity_(capacity), d_(dimension) {
        const auto internal = static_cast<std::size_t>(std::max<Index>(capacity - 1, 1));
        left_.assign(internal, 0), right_.assign(internal, 0), parent_.assign(internal, -1), dim_.assign(internal, 0);
        cut_.assign(internal, T(0)), mass_.assign(internal, 0);
        lower_.assign(internal * static_cast<std::size_t>(d_), T(0)), upper_.assign(internal * static_cast<std::size_t>(d_), T(0));
        leaf_point_.assign(static_cast<std::size_t>(capacity), -1), leaf_mass_.assign(static_cast<std::size_t>(capacity), 0);
        leaf_parent_.assign(static_cast<std::size_t>(capacity), -1);
        for (Node i = static_cast<Node>(internal); i-- > 0;) free_internal_.push_back(i);
        for (Node i = static_cast<Node>(capacity); i-- > 0;) free_leaves_.push_back(i);
        measure();
    }

    /// Points in the sample (copies counted).
    Index size() const noexcept { return static_cast<Index>(heap_leaf_.size()); }
    bool full() const noexcept { return size() >= capacity_; }
    /// A point of this priority enters the sample.
    bool takes(double priority) const noexcept { return !full() || priority < heap_priority_.front(); }

    /// The walk of x (dimension values) down the tree as it stands; an empty tree displaces nothing.
    Walk score(const PointStore<T>& points, const T* x, Rng& rng) const {
        if (heap_leaf_.empty()) return {};
        return walk(View{*this, points}, root_, x, d_, rng, [](Node) {});
    }

    /// Adds w's CoDisp (a walk of x by score()) to the dimensions that drove it, in proportion to
    /// how far x lies above (`high`) or below (`low`) the box the cut parted it from; a copy of a
    /// leaf's point spreads it evenly. The parts add up to the CoDisp.
    void attribute(const PointStore<T>& points, const Walk& w, const T* x, double* high, double* low) const {
        if (w.codisp == 0) return;
        if (w.copy) {
            const double share = w.codisp / static_cast<double>(2 * d_);
            for (Index j = 0; j < d_; ++j) high[j] += share, low[j] += share;
            return;
        }
        const View v{*this, points};
        const auto node = static_cast<Node>(w.node);
        const T* lo = v.lower(node);
        const T* hi = v.upper(node);
        double outside = 0;
        for (Index j = 0; j < d_; ++j) outside += detail::outside_by(lo[j], hi[j], x[j]);
        const double per_unit = w.codisp / outside;
        for (Index j = 0; j < d_; ++j) {
            high[j] += per_unit * std::max(0.0, static_cast<double>(x[j]) - static_cast<double>(hi[j]));
            low[j] += per_unit * std::max(0.0, static_cast<double>(lo[j]) - static_cast<double>(x[j]));
        }
    }

    /// Drops the sample's highest priority point; `released` gets the point of a freed leaf.
    void evict(const PointStore<T>& points, std::vector<std::int32_t>& released) {
        const Node leaf = heap_leaf_.front();
        heap_priority_.front() = heap_priority_.back(), heap_leaf_.front() = heap_leaf_.back();
        heap_priority_.pop_back(), heap_leaf_.pop_back();
        sift_down(0);
        remove(points, leaf, released);
    }

    /// Inserts point `id` of `points` with `priority`, its cuts drawn from rng (the tree must not
    /// be full); `held` gets the point when it takes a new leaf (not when it copies a leaf's point).
    void insert(const PointStore<T>& points, std::int32_t id, double priority, Rng& rng, std::vector<std::int32_t>& held) {
        const T* x = points.point(id);
        Node leaf;
        if (heap_leaf_.empty()) {
            leaf = new_leaf(id, -1);
            root_ = ~leaf;
            held.push_back(id);
        } else {
            // Every node passed takes x into its mass and box; where the walk stops, x either
            // joins a leaf as a copy or becomes the sibling of the node the cut separates it from.
            const Walk w = walk(View{*this, points}, root_, x, d_, rng, [&](Node n) {
                ++mass_[static_cast<std::size_t>(n)];
                extend(n, x);
            });
            const auto stop = static_cast<Node>(w.node);
            if (w.copy) {
                leaf = ~stop;
                ++leaf_mass_[static_cast<std::size_t>(leaf)];
            } else {
                leaf = split(points, stop, x, id, w.cut_at, rng);
                held.push_back(id);
            }
        }
        heap_priority_.push_back(priority), heap_leaf_.push_back(leaf);
        sift_up(heap_leaf_.size() - 1);
    }

    /// Adds one to counts[p] for each leaf holding point p (ids in range, as restore() checked).
    void count_leaf_points(std::vector<std::int32_t>& counts) const {
        for (std::size_t l = 0; l < leaf_mass_.size(); ++l)
            if (leaf_mass_[l] > 0) ++counts[static_cast<std::size_t>(leaf_point_[l])];
    }

    /// Bytes held by the tree.
    std::size_t memory() const noexcept {
        return (left_.capacity() + right_.capacity() + parent_.capacity() + dim_.capacity() + mass_.capacity() +
                leaf_point_.capacity() + leaf_mass_.capacity() + leaf_parent_.capacity() + free_internal_.capacity() +
                free_leaves_.capacity()) * sizeof(Node) +
               (cut_.capacity() + lower_.capacity() + upper_.capacity()) * sizeof(T) + span_.capacity() * sizeof(double) +
               heap_priority_.capacity() * sizeof(double) + heap_leaf_.capacity() * sizeof(Node);
    }

    /// Every tree's arrays end to end, as a model file holds them (fixed-size arrays at capacity;
    /// the free lists and the sample with their lengths per tree).
    struct Flat {
        std::vector<Node> left, right, parent, dim, leaf_point, leaf_parent, free_internal, free_leaves, heap_leaf, root;
        std::vector<std::int32_t> mass, leaf_mass;
        std::vector<T> cut, lower, upper;
        std::vector<double> heap_priority;
        std::vector<std::int64_t> free_internal_count, free_leaves_count, heap_count;

        template <class Self, class Fields>
        static void fields(Self& t, Fields& f) {
            f("trees.left", t.left), f("trees.right", t.right), f("trees.parent", t.parent), f("trees.dim", t.dim);
            f("trees.cut", t.cut), f("trees.mass", t.mass), f("trees.lower", t.lower), f("trees.upper", t.upper);
            f("trees.leaf_point", t.leaf_point), f("trees.leaf_mass", t.leaf_mass), f("trees.leaf_parent", t.leaf_parent);
            f("trees.free_internal", t.free_internal), f("trees.free_internal_count", t.free_internal_count);
            f("trees.free_leaves", t.free_leaves), f("trees.free_leaves_count", t.free_leaves_count);
            f("trees.heap_priority", t.heap_priority), f("trees.heap_leaf", t.heap_leaf), f("trees.heap_count", t.heap_count);
            f("trees.root", t.root);
        }
    };

    void append_to(Flat& flat) const {
        auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
        append(flat.left, left_), append(flat.right, right_), append(flat.parent, parent_), append(flat.dim, dim_);
        append(flat.cut, cut_), append(flat.mass, mass_), append(flat.lower, lower_), append(flat.upper, upper_);
        append(flat.leaf_point, leaf_point_), append(flat.leaf_mass, leaf_mass_), append(flat.leaf_parent, leaf_parent_);
        append(flat.free_internal, free_internal_), append(flat.free_leaves, free_leaves_);
        append(flat.heap_priority, heap_priority_), append(flat.heap_leaf, heap_leaf_);
        flat.free_internal_count.push_back(static_cast<std::int64_t>(free_internal_.size()));
        flat.free_leaves_count.push_back(static_cast<std::int64_t>(free_leaves_.size()));
        flat.heap_count.push_back(static_cast<std::int64_t>(heap_leaf_.size()));
        flat.root.push_back(root_);
    }

    /// Where tree `tree`'s variable-length parts start in a Flat (sums over the trees before it).
    struct FlatCursor {
        std::size_t free_internal = 0, free_leaves = 0, heap = 0;
    };

    /// Reads tree `tree` of `flat` (capacity and dimension given), advancing `at` past its
    /// variable-length parts; false if the arrays are too short or a length is negative.
    bool read_from(const Flat& flat, std::size_t tree, FlatCursor& at, Index capacity, Index dimension) {
        capacity_ = capacity, d_ = dimension;
        const auto internal = static_cast<std::size_t>(std::max<Index>(capacity - 1, 1));
        const auto leaves = static_cast<std::size_t>(capacity), d = static_cast<std::size_t>(dimension);
        bool ok = tree < flat.root.size() && tree < flat.heap_count.size() && tree < flat.free_internal_count.size() &&
                  tree < flat.free_leaves_count.size();
        auto take = [&](auto& to, const auto& from, std::size_t first, std::int64_t count) {
            if (!ok || count < 0 || first > from.size() || static_cast<std::size_t>(count) > from.size() - first) return void(ok = false);
            to.assign(from.begin() + static_cast<std::ptrdiff_t>(first), from.begin() + static_cast<std::ptrdiff_t>(first) + count);
        };
        const auto n = [](std::size_t v) { return static_cast<std::int64_t>(v); };
        take(left_, flat.left, tree * internal, n(internal)), take(right_, flat.right, tree * internal, n(internal));
        take(parent_, flat.parent, tree * internal, n(internal)), take(dim_, flat.dim, tree * internal, n(internal));
        take(cut_, flat.cut, tree * internal, n(internal)), take(mass_, flat.mass, tree * internal, n(internal));
        take(lower_, flat.lower, tree * internal * d, n(internal * d)), take(upper_, flat.upper, tree * internal * d, n(internal * d));
        take(leaf_point_, flat.leaf_point, tree * leaves, n(leaves)), take(leaf_mass_, flat.leaf_mass, tree * leaves, n(leaves));
        take(leaf_parent_, flat.leaf_parent, tree * leaves, n(leaves));
        if (!ok) return false;
        take(free_internal_, flat.free_internal, at.free_internal, flat.free_internal_count[tree]);
        take(free_leaves_, flat.free_leaves, at.free_leaves, flat.free_leaves_count[tree]);
        take(heap_priority_, flat.heap_priority, at.heap, flat.heap_count[tree]);
        take(heap_leaf_, flat.heap_leaf, at.heap, flat.heap_count[tree]);
        if (!ok) return false;
        at.free_internal += free_internal_.size(), at.free_leaves += free_leaves_.size(), at.heap += heap_leaf_.size();
        root_ = flat.root[tree];
        return true;
    }

    /// After read_from(): derives the spans and checks that every index is in range and the
    /// nodes form one tree whose masses add up, so that no walk can leave the arrays or loop.
    /// False if not.
    bool restore(const PointStore<T>& points) {
        const Index capacity = capacity_;
        const auto internal = static_cast<std::size_t>(std::max<Index>(capacity - 1, 1));
        const auto leaves = static_cast<std::size_t>(capacity);
        if (left_.size() != internal || right_.size() != internal || parent_.size() != internal || dim_.size() != internal ||
            cut_.size() != internal || mass_.size() != internal || lower_.size() != internal * static_cast<std::size_t>(d_) ||
            upper_.size() != lower_.size() || leaf_point_.size() != leaves || leaf_mass_.size() != leaves ||
            leaf_parent_.size() != leaves || heap_priority_.size() != heap_leaf_.size() || heap_leaf_.size() > leaves)
            return false;
        for (std::size_t i = 0; i < internal; ++i)
            if (!std::isfinite(static_cast<double>(cut_[i]))) return false;
        for (std::size_t i = 0; i < lower_.size(); ++i)
            if (!std::isfinite(static_cast<double>(lower_[i])) || !std::isfinite(static_cast<double>(upper_[i]))) return false;
        std::vector<std::int32_t> copies(leaves, 0);
        for (std::size_t i = 0; i < heap_leaf_.size(); ++i) {
            const Node leaf = heap_leaf_[i];
            if (leaf < 0 || static_cast<std::size_t>(leaf) >= leaves || !std::isfinite(heap_priority_[i])) return false;
            ++copies[static_cast<std::size_t>(leaf)];
            if (i > 0 && before((i - 1) / 2, i)) return false;  // a max-heap: no entry above its parent
        }
        // One pass from the root: each node reached once, from its parent, masses summing up.
        std::vector<char> seen_internal(internal, 0), seen_leaf(leaves, 0);
        std::size_t used_internal = 0, used_leaves = 0;
        std::vector<std::pair<Node, Node>> todo;  // (node, its parent)
        if (!heap_leaf_.empty()) todo.push_back({root_, -1});
        while (!todo.empty()) {
            const auto [n, parent] = todo.back();
            todo.pop_back();
            if (n < 0) {
                const auto l = static_cast<std::size_t>(~n);
                if (l >= leaves || seen_leaf[l] || leaf_parent_[l] != parent || leaf_mass_[l] != copies[l] || copies[l] < 1 ||
                    !points.holds(leaf_point_[l]))
                    return false;
                seen_leaf[l] = 1, ++used_leaves;
                continue;
            }
            const auto i = static_cast<std::size_t>(n);
            if (i >= internal || seen_internal[i] || parent_[i] != parent || dim_[i] < 0 || dim_[i] >= d_) return false;
            seen_internal[i] = 1, ++used_internal;
            if (mass_[i] != mass_of(left_[i]) + mass_of(right_[i])) return false;
            todo.push_back({left_[i], n}), todo.push_back({right_[i], n});
        }
        if (used_leaves != static_cast<std::size_t>(std::count_if(copies.begin(), copies.end(), [](auto c) { return c > 0; })) ||
            free_leaves_.size() + used_leaves != leaves || free_internal_.size() + used_internal != internal)
            return false;
        for (const Node f : free_leaves_)
            if (f < 0 || static_cast<std::size_t>(f) >= leaves || seen_leaf[static_cast<std::size_t>(f)]) return false;
        for (const Node f : free_internal_)
            if (f < 0 || static_cast<std::size_t>(f) >= internal || seen_internal[static_cast<std::size_t>(f)]) return false;
        measure();
        return true;
    }

private:
    /// Heap order: entry a sits below entry b (lower priority, ties by leaf).
    bool before(std::size_t a, std::size_t b) const noexcept {
        return heap_priority_[a] < heap_priority_[b] || (heap_priority_[a] == heap_priority_[b] && heap_leaf_[a] < heap_leaf_[b]);
    }
    void swap_entries(std::size_t a, std::size_t b) noexcept {
        std::swap(heap_priority_[a], heap_priority_[b]), std::swap(heap_leaf_[a], heap_leaf_[b]);
    }
    void sift_up(std::size_t i) noexcept {
        for (; i > 0 && before((i - 1) / 2, i); i = (i - 1) / 2) swap_entries(i, (i - 1) / 2);
    }
    void sift_down(std::size_t i) noexcept {
        for (;;) {
            std::size_t top = i;
            const std::size_t l = 2 * i + 1, r = l + 1;
            if (l < heap_leaf_.size() && before(top, l)) top = l;
            if (r < heap_leaf_.size() && before(top, r)) top = r;
            if (top == i) return;
            swap_entries(i, top), i = top;
        }
    }

    /// The tree as walk() reads it; leaves' boxes are their points.
    struct View {
        using Node = StreamTree::Node;
        const StreamTree& t;
        const PointStore<T>& points;
        const T* lower(Node n) const { return n >= 0 ? t.box(t.lower_, n) : points.point(t.leaf_point_[static_cast<std::size_t>(~n)]); }
        const T* upper(Node n) const { return n >= 0 ? t.box(t.upper_, n) : points.point(t.leaf_point_[static_cast<std::size_t>(~n)]); }
        double span(Node n) const { return n >= 0 ? t.span_[static_cast<std::size_t>(n)] : 0.0; }
        double mass(Node n) const { return t.mass_of(n); }
        bool leaf(Node n) const { return n < 0; }
        Node child(Node n, const T* x) const {
            const auto i = static_cast<std::size_t>(n);
            return x[t.dim_[i]] <= t.cut_[i] ? t.left_[i] : t.right_[i];
        }
    };

    const T* box(const std::vector<T>& side, Node n) const noexcept { return side.data() + static_cast<std::size_t>(n) * static_cast<std::size_t>(d_); }
    T* box(std::vector<T>& side, Node n) noexcept { return side.data() + static_cast<std::size_t>(n) * static_cast<std::size_t>(d_); }
    std::int32_t mass_of(Node n) const noexcept {
        return n >= 0 ? mass_[static_cast<std::size_t>(n)] : leaf_mass_[static_cast<std::size_t>(~n)];
    }
    Node& parent_of(Node n) noexcept { return n >= 0 ? parent_[static_cast<std::size_t>(n)] : leaf_parent_[static_cast<std::size_t>(~n)]; }

    Node new_leaf(std::int32_t id, Node parent) {
        const Node leaf = free_leaves_.back();
        free_leaves_.pop_back();
        const auto l = static_cast<std::size_t>(leaf);
        leaf_point_[l] = id, leaf_mass_[l] = 1, leaf_parent_[l] = parent;
        return leaf;
    }

    /// Grows internal node n's box to take in x.
    void extend(Node n, const T* x) {
        T* lo = box(lower_, n);
        T* hi = box(upper_, n);
        for (Index j = 0; j < d_; ++j) lo[j] = std::min(lo[j], x[j]), hi[j] = std::max(hi[j], x[j]);
        span_[static_cast<std::size_t>(n)] = detail::span_sum(lo, hi, d_);
    }

    /// Sets internal node n's box to the union of its children's; false if that left it unchanged.
    bool refit(Node n, const PointStore<T>& points) {
        const View v{*this, points};
        const auto i = static_cast<std::size_t>(n);
        const T *llo = v.lower(left_[i]), *lhi = v.upper(left_[i]), *rlo = v.lower(right_[i]), *rhi = v.upper(right_[i]);
        T* lo = box(lower_, n);
        T* hi = box(upper_, n);
        int changed = 0;  // summed without branching, so the loop vectorizes
        for (Index j = 0; j < d_; ++j) {
            const T a = std::min(llo[j], rlo[j]), b = std::max(lhi[j], rhi[j]);
            changed |= static_cast<int>(a != lo[j]) | static_cast<int>(b != hi[j]);
            lo[j] = a, hi[j] = b;
        }
        span_[i] = detail::span_sum(lo, hi, d_);
        return changed != 0;
    }

    /// x's new leaf and `node` become the children of a new internal node in node's place, the cut
    /// falling `cut_at` into the outside part of node's box merged with x (drawn here at a leaf).
    Node split(const PointStore<T>& points, Node node, const T* x, std::int32_t id, double cut_at, Rng& rng) {
        const View v{*this, points};
        const T* lo = v.lower(node);
        const T* hi = v.upper(node);
        if (cut_at < 0) {
            cut_at = rng.uniform() * detail::outside_sum(lo, hi, x, d_);
        }
        // The outside part laid out dimension by dimension, below the box then above it.
        Index q = -1;
        T cut(0);
        for (Index j = 0; j < d_ && q < 0; ++j) {
            const double below = std::max(0.0, static_cast<double>(lo[j]) - static_cast<double>(x[j]));
            const double above = std::max(0.0, static_cast<double>(x[j]) - static_cast<double>(hi[j]));
            if (below > 0 && (cut_at < below || last_outside(lo, hi, x, j))) {
                q = j, cut = static_cast<T>(static_cast<double>(x[j]) + std::min(cut_at, below));
                if (!(cut < lo[j])) cut = std::nextafter(lo[j], x[j]);  // rounded onto the box: x <= cut < box
            } else if (above > 0 && (cut_at < below + above || last_outside(lo, hi, x, j))) {
                q = j, cut = static_cast<T>(static_cast<double>(hi[j]) + std::max(0.0, std::min(cut_at - below, above)));
                if (!(cut < x[j])) cut = std::nextafter(x[j], hi[j]);  // box <= cut < x
            }
            cut_at -= below + above;
        }
        const Node branch = free_internal_.back();
        free_internal_.pop_back();
        const auto b = static_cast<std::size_t>(branch);
        const Node parent = parent_of(node);
        const Node leaf = new_leaf(id, branch);
        const bool x_left = x[q] <= cut;
        left_[b] = x_left ? ~leaf : node, right_[b] = x_left ? node : ~leaf;
        dim_[b] = static_cast<std::int32_t>(q), cut_[b] = cut, mass_[b] = mass_of(node) + 1, parent_[b] = parent;
        std::copy(lo, lo + d_, box(lower_, branch)), std::copy(hi, hi + d_, box(upper_, branch));
        extend(branch, x);
        parent_of(node) = branch;
        replace_child(parent, node, branch);
        return leaf;
    }

    /// Dimension j is the last one x lies outside the box in (the outside part ends there).
    bool last_outside(const T* lo, const T* hi, const T* x, Index j) const noexcept {
        for (Index k = j + 1; k < d_; ++k)
            if (detail::outside_by(lo[k], hi[k], x[k]) > 0) return false;
        return true;
    }

    void replace_child(Node parent, Node old_child, Node new_child) {
        if (parent < 0) {
            root_ = new_child;
            return;
        }
        const auto p = static_cast<std::size_t>(parent);
        (left_[p] == old_child ? left_[p] : right_[p]) = new_child;
    }

    /// Takes one copy out of `leaf`; a leaf left empty goes, its sibling taking its parent's place.
    void remove(const PointStore<T>& points, Node leaf, std::vector<std::int32_t>& released) {
        const auto l = static_cast<std::size_t>(leaf);
        Node above = leaf_parent_[l];
        if (--leaf_mass_[l] == 0) {
            released.push_back(leaf_point_[l]);
            leaf_point_[l] = -1, leaf_parent_[l] = -1;
            free_leaves_.push_back(leaf);
            if (above < 0) return;  // the tree is now empty
            const auto p = static_cast<std::size_t>(above);
            const Node sibling = left_[p] == ~leaf ? right_[p] : left_[p];
            const Node grandparent = parent_[p];
            parent_of(sibling) = grandparent;
            replace_child(grandparent, above, sibling);
            clear(above);
            free_internal_.push_back(above);
            above = grandparent;
            // The boxes above may shrink: refit them until one stays the same; masses all the way.
            bool refitting = true;
            for (; above >= 0; above = parent_[static_cast<std::size_t>(above)]) {
                --mass_[static_cast<std::size_t>(above)];
                if (refitting) refitting = refit(above, points);
            }
            return;
        }
        for (; above >= 0; above = parent_[static_cast<std::size_t>(above)]) --mass_[static_cast<std::size_t>(above)];
    }

    /// A freed internal node as a new tree has it, so that a tree's arrays depend only on its nodes.
    void clear(Node n) {
        const auto i = static_cast<std::size_t>(n);
        left_[i] = right_[i] = dim_[i] = mass_[i] = 0, parent_[i] = -1, cut_[i] = T(0), span_[i] = 0;
        std::fill(box(lower_, n), box(lower_, n) + d_, T(0)), std::fill(box(upper_, n), box(upper_, n) + d_, T(0));
    }

    void measure() {
        span_.assign(left_.size(), 0.0);
        for (std::size_t i = 0; i < left_.size(); ++i) {
            const auto n = static_cast<Node>(i);
            span_[i] = detail::span_sum(box(lower_, n), box(upper_, n), d_);
        }
    }

    Index capacity_ = 0, d_ = 0;
    std::vector<Node> left_, right_, parent_, dim_;
    std::vector<T> cut_;
    std::vector<std::int32_t> mass_;
    std::vector<T> lower_, upper_;  ///< internal nodes' boxes, d values each
    std::vector<double> span_;      ///< Σ (upper − lower) per internal node: derived, not stored
    std::vector<std::int32_t> leaf_point_, leaf_mass_;
    std::vector<Node> leaf_parent_;
    std::vector<Node> free_internal_, free_leaves_;
    std::vector<double> heap_priority_;  ///< the sample: a max-heap of priorities, with each one's leaf
    std::vector<Node> heap_leaf_;
    Node root_ = 0;
};

}  // namespace shelf::rcf
