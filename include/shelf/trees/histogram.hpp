// shelf/trees/histogram.hpp: gradient/hessian histograms of tree nodes.
//
// A node's histogram holds, for every feature, the sums of gradient and hessian of its rows
// in each bin plus one slot for rows where the feature is missing. Sums are double, as in
// XGBoost. Work is cut into tasks by rows and by features, chosen from the shape:
//  - a node with many rows is cut into row groups, each summed into its own buffer and the
//    buffers added in group order afterwards; the group count depends only on the node's row
//    count, so the sums (and the model) are the same whatever the number of threads;
//  - features are cut into blocks when the histogram is too large for cache or there are
//    too few tasks for the threads; blocks do not change any sum.
// Only the smaller child of a split is built; its sibling is the parent minus it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "../core/types.hpp"
#include "objective.hpp"
#include "threads.hpp"

namespace shelf::gbt::detail {

/// Sums of gradients and hessians.
struct GradStats {
    double grad = 0.0;
    double hess = 0.0;
    void add(const GradStats& o) { grad += o.grad, hess += o.hess; }
    GradStats operator-(const GradStats& o) const { return {grad - o.grad, hess - o.hess}; }
};

using HistBin = GradStats;

/// Where each feature's slots start in a histogram: feature f has bins(f) + 1 slots.
struct HistLayout {
    std::vector<std::uint32_t> offset;  ///< d + 1 entries; offset[d] is the histogram's size
    std::size_t size() const { return offset.back(); }
};

/// One histogram to build: `count` rows listed at `rows`, into `out`.
struct HistRequest {
    const std::uint32_t* rows;
    std::size_t count;
    HistBin* out;
};

/// Adds rows [first, last) of `rows` to features [f0, f1) of `hist`.
template <class B, class T>
void accumulate(HistBin* hist, const B* codes, std::size_t stride, const std::uint32_t* offset,
                const GradientPair<T>* gpair, const std::uint32_t* rows, std::size_t first, std::size_t last,
                std::size_t f0, std::size_t f1) {
    constexpr std::size_t ahead = 16;  // rows go up in steps of unknown size: prefetch their codes
    for (std::size_t i = first; i < last; ++i) {
        const std::size_t r = rows[i];
#if defined(__GNUC__)
        if (i + ahead < last) {
            __builtin_prefetch(codes + static_cast<std::size_t>(rows[i + ahead]) * stride + f0);
            __builtin_prefetch(gpair + rows[i + ahead]);
        }
#endif
        const auto g = static_cast<double>(gpair[r].grad), h = static_cast<double>(gpair[r].hess);
        const B* code = codes + r * stride;
        for (std::size_t f = f0; f < f1; ++f) {
            HistBin& bin = hist[offset[f] + code[f]];
            bin.grad += g;
            bin.hess += h;
        }
    }
}

/// Builds node histograms with the row-group / feature-block scheme above.
class HistogramBuilder {
public:
    static constexpr std::size_t group_rows = 32768;  ///< rows per group of a large node
    static constexpr std::size_t max_groups = 16;
    static constexpr std::size_t cache_bins = 16384;  ///< bins of a feature block that stay in L2

    static std::size_t groups_of(std::size_t count) {
        return std::clamp<std::size_t>(count / group_rows, 1, max_groups);
    }

    template <class B, class T>
    void build(const std::vector<HistRequest>& requests, const B* codes, std::size_t stride, const HistLayout& layout,
               const GradientPair<T>* gpair, int threads) {
        const std::size_t d = layout.offset.size() - 1;
        if (requests.empty() || d == 0) return;
        std::size_t tasks = 0, extra = 0;
        for (const auto& q : requests) tasks += groups_of(q.count), extra += groups_of(q.count) - 1;
        // Enough tasks for the threads to balance nodes of unequal sizes, but blocks of at least
        // 4 features, so that reading a row's index and gradient stays a small part of a task.
        const auto wanted = 4 * static_cast<std::size_t>(threads);
        std::size_t blocks = (layout.size() + cache_bins - 1) / cache_bins;
        if (tasks * blocks < wanted) blocks = std::max(blocks, (wanted + tasks - 1) / tasks);
        blocks = std::clamp<std::size_t>(blocks, 1, std::max<std::size_t>(1, d / 4));
        if (scratch_.size() < extra) scratch_.resize(extra);
        for (std::size_t s = 0; s < extra; ++s) scratch_[s].resize(layout.size());

        struct Task {
            std::size_t request, group, block;
            HistBin* out;
        };
        std::vector<Task> list;
        std::size_t next_scratch = 0;
        for (std::size_t q = 0; q < requests.size(); ++q)
            for (std::size_t g = 0; g < groups_of(requests[q].count); ++g) {
                HistBin* out = g == 0 ? requests[q].out : scratch_[next_scratch++].data();
                for (std::size_t b = 0; b < blocks; ++b) list.push_back({q, g, b, out});
            }
        // Largest first, for the dynamic schedule (the order does not change any sum).
        std::stable_sort(list.begin(), list.end(), [&](const Task& a, const Task& b) {
            return requests[a.request].count / groups_of(requests[a.request].count) >
                   requests[b.request].count / groups_of(requests[b.request].count);
        });

        std::size_t work = 0;
        for (const auto& q : requests) work += q.count * d;
        const bool big = list.size() > 1 && work > parallel_work;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (big)
        for (std::size_t t = 0; t < list.size(); ++t) {
            const Task& task = list[t];
            const HistRequest& q = requests[task.request];
            const std::size_t groups = groups_of(q.count);
            const std::size_t f0 = d * task.block / blocks, f1 = d * (task.block + 1) / blocks;
            std::fill(task.out + layout.offset[f0], task.out + layout.offset[f1], HistBin{});
            accumulate(task.out, codes, stride, layout.offset.data(), gpair, q.rows, q.count * task.group / groups,
                       q.count * (task.group + 1) / groups, f0, f1);
        }

        // Add each node's groups into its first, in group order, in chunks of bins.
        struct Sum {
            HistBin* out;
            std::size_t scratch_first, groups, begin, end;
        };
        std::vector<Sum> sums;
        next_scratch = 0;
        constexpr std::size_t chunk = 4096;
        for (const auto& q : requests) {
            const std::size_t groups = groups_of(q.count);
            if (groups > 1)
                for (std::size_t b = 0; b < layout.size(); b += chunk)
                    sums.push_back({q.out, next_scratch, groups, b, std::min(b + chunk, layout.size())});
            next_scratch += groups - 1;
        }
#pragma omp parallel for num_threads(threads) schedule(static) if (sums.size() > 1 && big)
        for (std::size_t s = 0; s < sums.size(); ++s) {
            const Sum& sum = sums[s];
            for (std::size_t g = 1; g < sum.groups; ++g) {
                const HistBin* part = scratch_[sum.scratch_first + g - 1].data();
                for (std::size_t i = sum.begin; i < sum.end; ++i) sum.out[i].add(part[i]);
            }
        }
    }

private:
    std::vector<std::vector<HistBin>> scratch_;
};

/// parent := parent − child for each (parent, child) pair, turning parents' histograms into
/// the siblings' of the children.
inline void subtract(const std::vector<std::pair<HistBin*, const HistBin*>>& pairs, std::size_t size, int threads) {
    constexpr std::size_t chunk = 4096;
    const std::size_t chunks = (size + chunk - 1) / chunk, tasks = pairs.size() * chunks;
#pragma omp parallel for num_threads(threads) schedule(static) if (pairs.size() * size > parallel_work)
    for (std::size_t t = 0; t < tasks; ++t) {
        HistBin* parent = pairs[t / chunks].first;
        const HistBin* child = pairs[t / chunks].second;
        for (std::size_t i = (t % chunks) * chunk; i < std::min(size, (t % chunks + 1) * chunk); ++i)
            parent[i] = parent[i] - child[i];
    }
}

}  // namespace shelf::gbt::detail
