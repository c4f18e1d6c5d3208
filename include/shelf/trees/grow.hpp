// shelf/trees/grow.hpp: growing one tree from binned data and gradient pairs.
//
// The growth loop is XGBoost 1.7's hist driver: candidate splits wait in a priority queue
// (depthwise: shallowest first, then lowest node id, a whole level at a time; lossguide:
// largest gain first); a candidate is applied when its gain exceeds 1e-6 and gamma, its
// depth is below max_depth and the leaf count below max_leaves. After a level's splits the
// rows are partitioned, the smaller child of each split gets a histogram, the larger child's
// is its parent's minus it, and both children are evaluated.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "shelf/core/parallel.hpp"
#include "shelf/core/random.hpp"
#include "binning.hpp"
#include "histogram.hpp"
#include "params.hpp"
#include "partition.hpp"
#include "split.hpp"
#include "tree.hpp"

namespace shelf::gbt::detail {

/// Features drawn per tree, per level and per node (XGBoost's colsample_by*): each draw keeps
/// max(1, ⌊fraction · n⌋) of the features of the enclosing set.
class ColumnSampler {
public:
    ColumnSampler(std::int32_t features, double bytree, double bylevel, double bynode, Rng rng)
        : bylevel_(bylevel), bynode_(bynode), rng_(rng) {
        std::vector<std::int32_t> all(static_cast<std::size_t>(features));
        for (std::int32_t f = 0; f < features; ++f) all[static_cast<std::size_t>(f)] = f;
        tree_ = draw(all, bytree);
    }

    const std::vector<std::int32_t>& level(int depth) {
        while (static_cast<int>(levels_.size()) <= depth) levels_.push_back(draw(tree_, bylevel_));
        return levels_[static_cast<std::size_t>(depth)];
    }
    std::vector<std::int32_t> node(int depth) { return draw(level(depth), bynode_); }

private:
    std::vector<std::int32_t> draw(const std::vector<std::int32_t>& from, double fraction) {
        if (fraction >= 1.0) return from;
        const auto keep = std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<float>(fraction) *
                                                                            static_cast<float>(from.size())));
        std::vector<std::int32_t> out = from;
        rng_.shuffle(out.begin(), out.end());
        out.resize(keep);
        std::sort(out.begin(), out.end());
        return out;
    }

    double bylevel_, bynode_;
    Rng rng_;
    std::vector<std::int32_t> tree_;
    std::vector<std::vector<std::int32_t>> levels_;
};

/// What growing a tree needs besides the data.
template <class T>
struct GrowParams {
    SplitParams<T> split;
    GrowPolicy policy = GrowPolicy::depthwise;
    int max_depth = 6;   ///< 0: unlimited
    int max_leaves = 0;  ///< 0: unlimited
    double colsample_bytree = 1, colsample_bylevel = 1, colsample_bynode = 1;
    int threads = 1;
};

template <class T, class B>
class TreeGrower {
public:
    struct Range {
        std::size_t begin = 0, end = 0;
    };

    TreeGrower(const Cuts<T>& cuts, const BinMatrix<B>& bins, bool dense, const GrowParams<T>& params)
        : cuts_(cuts), bins_(bins), dense_(dense), p_(params) {
        layout_.offset.push_back(0);
        for (Index f = 0; f < cuts.features(); ++f) layout_.offset.push_back(layout_.offset.back() + cuts.bins(f) + 1);
    }

    /// The root histograms (`outputs` of them, layout_size() apart) of trees that will all grow
    /// on `rows`, from each output's gradient pairs (gpair_stride apart), in one pass.
    void root_histograms(const GradientPair<T>* gpair, std::size_t gpair_stride, std::size_t outputs,
                         const std::vector<std::uint32_t>& rows, HistBin* out) {
        builder_.build_outputs(rows.data(), rows.size(), bins_.codes.data(), static_cast<std::size_t>(bins_.cols),
                               layout_, gpair, gpair_stride, outputs, out, p_.threads);
    }
    std::size_t layout_size() const { return layout_.size(); }

    /// Grows a tree on `rows` (ascending row ids; the vector is swapped with an internal buffer);
    /// then ranges() and rows() tell each node's rows. `root`, if given, is the root's histogram
    /// from root_histograms().
    Tree<T> grow(const GradientPair<T>* gpair, std::vector<std::uint32_t>& rows, Rng rng,
                 const HistBin* root = nullptr) {
        const int threads = p_.threads;
        ColumnSampler sampler(static_cast<std::int32_t>(cuts_.features()), p_.colsample_bytree, p_.colsample_bylevel,
                              p_.colsample_bynode, rng);
        partition_.reset(rows);
        nodes_.assign(1, Node{});
        nodes_[0].range = {0, partition_.size()};
        nodes_[0].hist = acquire();
        if (root)
            std::copy(root, root + layout_.size(), hist(0));
        else
            builder_.build(std::vector<HistRequest>{{partition_.rows(), partition_.size(), hist(0)}},
                           bins_.codes.data(), static_cast<std::size_t>(bins_.cols), layout_, gpair, threads);
        nodes_[0].stats = root_stats(gpair);
        nodes_[0].score = node_score(p_.split, nodes_[0].stats);
        const T weight = leaf_weight(p_.split, nodes_[0].stats);
        Tree<T> tree = Tree<T>::leaf(weight * p_.split.eta, weight, static_cast<T>(nodes_[0].stats.hess));

        Queue queue(p_.policy == GrowPolicy::depthwise ? Compare(depthwise_first) : Compare(lossguide_first));
        std::size_t leaves = 1;
        push(queue, evaluate({Entry{0, 0, {}}}, sampler, threads));

        for (;;) {
            // Pop what can be split now: one entry (lossguide) or a whole level (depthwise).
            std::vector<Entry> expand;
            const int level = queue.empty() ? 0 : queue.top().depth;
            while (!queue.empty() && queue.top().depth == level) {
                const Entry e = queue.top();
                queue.pop();
                const bool ok = valid(e, leaves);
                if (ok) {
                    ++leaves;
                    expand.push_back(e);
                } else {
                    release(nodes_[static_cast<std::size_t>(e.node)].hist);
                }
                if (p_.policy == GrowPolicy::lossguide) break;
            }
            if (expand.empty()) break;

            std::vector<PartitionJob> jobs;
            for (const Entry& e : expand) {
                const SplitCandidate<T>& s = e.split;
                GradStats parent = s.left;
                parent.add(s.right);
                const auto n = static_cast<std::size_t>(e.node);
                tree.split(e.node, s.feature, s.threshold, s.default_left, leaf_weight(p_.split, parent),
                           leaf_weight(p_.split, s.left) * p_.split.eta, leaf_weight(p_.split, s.right) * p_.split.eta,
                           s.loss_change, static_cast<T>(s.left.hess), static_cast<T>(s.right.hess));
                tree.sum_hessian[n] = static_cast<T>(parent.hess);
                nodes_.resize(static_cast<std::size_t>(tree.size()));
                for (const bool is_left : {true, false}) {
                    Node& child = nodes_[static_cast<std::size_t>(is_left ? tree.left[n] : tree.right[n])];
                    child.stats = is_left ? s.left : s.right;
                    child.score = node_score(p_.split, child.stats);
                }
                jobs.push_back({nodes_[n].range.begin, nodes_[n].range.end, s.feature, s.bin, cuts_.bins(s.feature),
                                s.default_left});
            }
            partition_.partition(jobs, bins_.columns.data(), static_cast<std::size_t>(bins_.rows), threads);

            std::vector<HistRequest> requests;
            std::vector<Entry> children;
            for (std::size_t j = 0; j < expand.size(); ++j) {
                const auto n = static_cast<std::size_t>(expand[j].node);
                Node& l = nodes_[static_cast<std::size_t>(tree.left[n])];
                Node& r = nodes_[static_cast<std::size_t>(tree.right[n])];
                l.range = {jobs[j].begin, jobs[j].begin + jobs[j].left_count};
                r.range = {l.range.end, jobs[j].end};
                if (!child_valid(expand[j], leaves)) {
                    release(nodes_[n].hist);
                    continue;
                }
                // The smaller child is summed; the larger takes the parent's buffer after subtraction.
                const bool left_small = l.range.end - l.range.begin < r.range.end - r.range.begin;
                Node& small = left_small ? l : r;
                Node& large = left_small ? r : l;
                small.hist = acquire();
                large.hist = nodes_[n].hist;
                nodes_[n].hist = -1;
                requests.push_back({partition_.rows() + small.range.begin, small.range.end - small.range.begin,
                                    hist(&small - nodes_.data())});
                for (const auto child : {tree.left[n], tree.right[n]}) children.push_back({child, expand[j].depth + 1, {}});
            }
            builder_.build(requests, bins_.codes.data(), static_cast<std::size_t>(bins_.cols), layout_, gpair, threads);
            std::vector<std::pair<HistBin*, const HistBin*>> pairs;  // (parent → large child, small child)
            for (std::size_t c = 0; c < children.size(); c += 2) {
                const auto l = static_cast<std::size_t>(children[c].node), r = l + 1;
                const bool left_small = nodes_[l].range.end - nodes_[l].range.begin <
                                        nodes_[r].range.end - nodes_[r].range.begin;
                const std::size_t small = left_small ? l : r, large = left_small ? r : l;
                pairs.emplace_back(hist(static_cast<std::ptrdiff_t>(large)), hist(static_cast<std::ptrdiff_t>(small)));
            }
            subtract(pairs, layout_.size(), threads);
            push(queue, evaluate(children, sampler, threads));
        }
        while (!queue.empty()) {
            release(nodes_[static_cast<std::size_t>(queue.top().node)].hist);
            queue.pop();
        }
        ranges_.resize(nodes_.size());
        for (std::size_t n = 0; n < nodes_.size(); ++n) ranges_[n] = nodes_[n].range;
        return tree;
    }

    /// Each node's rows in rows(), after grow().
    const std::vector<Range>& ranges() const { return ranges_; }
    const std::uint32_t* rows() const { return partition_.rows(); }

private:
    static constexpr float rt_eps = 1e-6f;  ///< gains at or below this are rounding noise

    struct Node {
        Range range;
        GradStats stats;
        T score = 0;
        int hist = -1;
    };
    struct Entry {
        int node;
        int depth;
        SplitCandidate<T> split;
    };
    using Compare = std::function<bool(const Entry&, const Entry&)>;
    using Queue = std::priority_queue<Entry, std::vector<Entry>, Compare>;

    static bool depthwise_first(const Entry& a, const Entry& b) {
        return a.depth == b.depth ? a.node > b.node : a.depth > b.depth;
    }
    static bool lossguide_first(const Entry& a, const Entry& b) {
        return a.split.loss_change == b.split.loss_change ? a.node > b.node : a.split.loss_change < b.split.loss_change;
    }

    bool valid(const Entry& e, std::size_t leaves) const {
        const SplitCandidate<T>& s = e.split;
        if (s.loss_change <= static_cast<T>(rt_eps) || s.left.hess == 0.0 || s.right.hess == 0.0) return false;
        if (s.loss_change < p_.split.gamma) return false;
        if (p_.max_depth > 0 && e.depth == p_.max_depth) return false;
        return !(p_.max_leaves > 0 && leaves == static_cast<std::size_t>(p_.max_leaves));
    }
    bool child_valid(const Entry& parent, std::size_t leaves) const {
        if (p_.max_depth > 0 && parent.depth + 1 >= p_.max_depth) return false;
        return !(p_.max_leaves > 0 && leaves >= static_cast<std::size_t>(p_.max_leaves));
    }

    void push(Queue& queue, const std::vector<Entry>& entries) {
        for (const Entry& e : entries) {
            if (e.split.loss_change > static_cast<T>(rt_eps))
                queue.push(e);
            else
                release(nodes_[static_cast<std::size_t>(e.node)].hist);
        }
    }

    /// Best splits of `entries`, over features sampled per node; work is cut into
    /// (node, feature range) tasks and merged in feature order.
    std::vector<Entry> evaluate(std::vector<Entry> entries, ColumnSampler& sampler, int threads) {
        if (entries.empty()) return entries;
        std::vector<std::vector<std::int32_t>> features;
        for (const Entry& e : entries) features.push_back(sampler.node(e.depth));
        const std::size_t parts =
            entries.size() >= static_cast<std::size_t>(threads) ? 1 : static_cast<std::size_t>(threads) * 2 / entries.size() + 1;
        std::vector<SplitCandidate<T>> found(entries.size() * parts);
        // A bin's scan (gain of both sides, both default directions) costs some 30 summed values.
        const int team = team_for(threads, 32.0 * static_cast<double>(entries.size() * layout_.size()));
        parallel_for(team, static_cast<Index>(found.size()), Schedule::dynamic, [&](Index task) {
            const std::size_t t = static_cast<std::size_t>(task), e = t / parts, part = t % parts;
            const Node& node = nodes_[static_cast<std::size_t>(entries[e].node)];
            const auto& fs = features[e];
            const HistBin* h = hist(entries[e].node);
            for (std::size_t i = fs.size() * part / parts; i < fs.size() * (part + 1) / parts; ++i) {
                const std::int32_t f = fs[i];
                scan_feature(h + layout_.offset[static_cast<std::size_t>(f)], cuts_, f, node.stats, node.score, p_.split,
                             found[t]);
            }
        });
        for (std::size_t e = 0; e < entries.size(); ++e)
            for (std::size_t part = 0; part < parts; ++part) entries[e].split.update(found[e * parts + part]);
        return entries;
    }

    /// The root's sums: over one feature's bins when no value is missing (as XGBoost), else over rows.
    GradStats root_stats(const GradientPair<T>* gpair) const {
        GradStats s;
        if (dense_ && cuts_.features() > 0) {
            const HistBin* h = hist(0);
            for (std::uint32_t b = 0; b < layout_.offset[1]; ++b) s.add(h[b]);
        } else {
            for (std::size_t i = 0; i < partition_.size(); ++i) {
                const auto& g = gpair[partition_.rows()[i]];
                s.add({static_cast<double>(g.grad), static_cast<double>(g.hess)});
            }
        }
        return s;
    }

    int acquire() {
        if (free_.empty()) {
            pool_.emplace_back(layout_.size());
            return static_cast<int>(pool_.size()) - 1;
        }
        const int h = free_.back();
        free_.pop_back();
        return h;
    }
    void release(int& h) {
        if (h >= 0) free_.push_back(h);
        h = -1;
    }
    HistBin* hist(std::ptrdiff_t node) { return pool_[static_cast<std::size_t>(nodes_[static_cast<std::size_t>(node)].hist)].data(); }
    const HistBin* hist(std::ptrdiff_t node) const {
        return pool_[static_cast<std::size_t>(nodes_[static_cast<std::size_t>(node)].hist)].data();
    }

    const Cuts<T>& cuts_;
    const BinMatrix<B>& bins_;
    bool dense_;
    GrowParams<T> p_;
    HistLayout layout_;
    HistogramBuilder builder_;
    RowPartition partition_;
    std::vector<Node> nodes_;
    std::vector<Range> ranges_;
    std::vector<std::vector<HistBin>> pool_;
    std::vector<int> free_;
};

}  // namespace shelf::gbt::detail
