// shelf/trees/histogram.hpp: gradient/hessian histograms of tree nodes.
//
// A node's histogram holds, for every feature, the sums of gradient and hessian of its rows
// in each bin plus one slot for rows where the feature is missing. Sums are double, as in
// XGBoost. Work is cut into tasks by rows and by features, chosen from the shape:
//  - a node with many rows is cut into row groups, each summed into its own buffer and the
//    buffers added in group order afterwards; the group count depends only on the node's row
//    count and the histogram's shape, so the sums (and the model) are the same whatever the
//    number of threads;
//  - features are cut into blocks when the histogram is too large for cache or there are
//    too few tasks for the threads; blocks do not change any sum.
// Only the smaller child of a split is built; its sibling is the parent minus it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "objective.hpp"

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

/// accumulate() for `Wide` outputs at once, into `wide`, whose slots hold each output's
/// gradient and hessian side by side: one pass over the codes serves all of them, and a slot's
/// update is one vector add. Output w's gradient pairs are gpair[w].
template <std::size_t Wide, class B, class T>
void accumulate_wide(double* wide, const B* codes, std::size_t stride, const std::uint32_t* offset,
                     const GradientPair<T>* const* gpair, const std::uint32_t* rows, std::size_t first,
                     std::size_t last, std::size_t f0, std::size_t f1) {
    using Batch = xsimd::batch<double>;
    static_assert(2 * Wide % Batch::size == 0, "a slot is a whole number of SIMD registers");
    constexpr std::size_t ahead = 16, parts = 2 * Wide / Batch::size;
    for (std::size_t i = first; i < last; ++i) {
        const std::size_t r = rows[i];
#if defined(__GNUC__)
        if (i + ahead < last) __builtin_prefetch(codes + static_cast<std::size_t>(rows[i + ahead]) * stride + f0);
#endif
        alignas(64) double pair[2 * Wide];
        for (std::size_t w = 0; w < Wide; ++w) {
            pair[2 * w] = static_cast<double>(gpair[w][r].grad);
            pair[2 * w + 1] = static_cast<double>(gpair[w][r].hess);
        }
        Batch add[parts];
        for (std::size_t p = 0; p < parts; ++p) add[p] = Batch::load_aligned(pair + p * Batch::size);
        const B* code = codes + r * stride;
        for (std::size_t f = f0; f < f1; ++f) {
            double* slot = wide + (offset[f] + code[f]) * 2 * Wide;
            for (std::size_t p = 0; p < parts; ++p)
                (Batch::load_unaligned(slot + p * Batch::size) + add[p]).store_unaligned(slot + p * Batch::size);
        }
    }
}

/// Builds node histograms with the row-group / feature-block scheme above.
class HistogramBuilder {
public:
    static constexpr std::size_t min_group_rows = 2048;
    static constexpr std::size_t max_groups = 16;
    static constexpr std::size_t cache_bins = 16384;  ///< bins of a feature block that stay in L2

    /// Row groups of a node of `count` rows. Groups, not only feature blocks, give the threads
    /// tasks of a size they can balance: a few features cut into blocks of at least four leave
    /// three or fewer tasks per node. A group costs a histogram to clear and to add, so it gets at
    /// least 16 times as many code reads as the histogram has slots.
    static std::size_t groups_of(std::size_t count, const HistLayout& layout) {
        const std::size_t d = layout.offset.size() - 1;
        const std::size_t rows = std::max(min_group_rows, 16 * layout.size() / std::max<std::size_t>(d, 1));
        return std::clamp<std::size_t>(count / rows, 1, max_groups);
    }

    template <class B, class T>
    void build(const std::vector<HistRequest>& requests, const B* codes, std::size_t stride, const HistLayout& layout,
               const GradientPair<T>* gpair, int threads) {
        const std::size_t d = layout.offset.size() - 1;
        if (requests.empty() || d == 0) return;
        std::vector<std::size_t> groups(requests.size());  // row groups of each request
        std::size_t tasks = 0, extra = 0;
        for (std::size_t q = 0; q < requests.size(); ++q) {
            groups[q] = groups_of(requests[q].count, layout);
            tasks += groups[q], extra += groups[q] - 1;
        }
        const std::size_t blocks = feature_blocks(tasks, layout.size(), d, threads);
        if (scratch_.size() < extra) scratch_.resize(extra);
        for (std::size_t s = 0; s < extra; ++s) scratch_[s].resize(layout.size());

        struct Task {
            std::size_t request, group, block;
            HistBin* out;
        };
        std::vector<Task> list;
        std::size_t next_scratch = 0;
        for (std::size_t q = 0; q < requests.size(); ++q)
            for (std::size_t g = 0; g < groups[q]; ++g) {
                HistBin* out = g == 0 ? requests[q].out : scratch_[next_scratch++].data();
                for (std::size_t b = 0; b < blocks; ++b) list.push_back({q, g, b, out});
            }
        // Largest first, for the dynamic schedule (the order does not change any sum).
        std::stable_sort(list.begin(), list.end(), [&](const Task& a, const Task& b) {
            return requests[a.request].count / groups[a.request] > requests[b.request].count / groups[b.request];
        });

        std::size_t work = 0;
        for (const auto& q : requests) work += q.count * d;
        const int team = team_for(threads, 4.0 * static_cast<double>(work));  // a region above 16,384 code reads
        parallel_for(team, static_cast<Index>(list.size()), Schedule::dynamic, [&](Index t) {
            const Task& task = list[static_cast<std::size_t>(t)];
            const HistRequest& q = requests[task.request];
            const std::size_t parts = groups[task.request];
            const std::size_t f0 = d * task.block / blocks, f1 = d * (task.block + 1) / blocks;
            std::fill(task.out + layout.offset[f0], task.out + layout.offset[f1], HistBin{});
            accumulate(task.out, codes, stride, layout.offset.data(), gpair, q.rows, q.count * task.group / parts,
                       q.count * (task.group + 1) / parts, f0, f1);
        });

        // Add each node's groups into its first, in group order, in chunks of bins.
        struct Sum {
            HistBin* out;
            std::size_t scratch_first, groups, begin, end;
        };
        std::vector<Sum> sums;
        next_scratch = 0;
        constexpr std::size_t chunk = 4096;
        for (std::size_t q = 0; q < requests.size(); ++q) {
            if (groups[q] > 1)
                for (std::size_t b = 0; b < layout.size(); b += chunk)
                    sums.push_back({requests[q].out, next_scratch, groups[q], b, std::min(b + chunk, layout.size())});
            next_scratch += groups[q] - 1;
        }
        parallel_for(team, static_cast<Index>(sums.size()), Schedule::even, [&](Index s) {
            const Sum& sum = sums[static_cast<std::size_t>(s)];
            for (std::size_t g = 1; g < sum.groups; ++g) {
                const HistBin* part = scratch_[sum.scratch_first + g - 1].data();
                for (std::size_t i = sum.begin; i < sum.end; ++i) sum.out[i].add(part[i]);
            }
        });
    }

    /// The histograms of one node (`count` rows at `rows`) for `outputs` outputs, as build()
    /// makes them one by one, sums and their order included: output k's gradient pairs start
    /// at gpair + k · gpair_stride and its histogram at out + k · layout.size(). The outputs
    /// are taken eight at a time, so the node's codes are read an eighth as often.
    template <class B, class T>
    void build_outputs(const std::uint32_t* rows, std::size_t count, const B* codes, std::size_t stride,
                       const HistLayout& layout, const GradientPair<T>* gpair, std::size_t gpair_stride,
                       std::size_t outputs, HistBin* out, int threads) {
        constexpr std::size_t wide = 8;
        const std::size_t d = layout.offset.size() - 1, size = layout.size(), groups = groups_of(count, layout);
        if (d == 0 || outputs == 0) return;
        const std::size_t blocks = feature_blocks(groups, size * wide, d, threads);
        wide_.resize(groups * size * 2 * wide);
        const int team = team_for(threads, static_cast<double>(count * d));
        for (std::size_t first = 0; first < outputs; first += wide) {
            const std::size_t used = std::min(wide, outputs - first);
            const GradientPair<T>* pairs[wide];  // a chunk short of outputs repeats its last one
            for (std::size_t w = 0; w < wide; ++w) pairs[w] = gpair + (first + std::min(w, used - 1)) * gpair_stride;
            parallel_for(team, static_cast<Index>(groups * blocks), Schedule::dynamic, [&](Index task) {
                const std::size_t t = static_cast<std::size_t>(task), g = t / blocks, b = t % blocks;
                const std::size_t f0 = d * b / blocks, f1 = d * (b + 1) / blocks;
                double* group = wide_.data() + g * size * 2 * wide;
                std::fill(group + layout.offset[f0] * 2 * wide, group + layout.offset[f1] * 2 * wide, 0.0);
                accumulate_wide<wide>(group, codes, stride, layout.offset.data(), pairs, rows, count * g / groups,
                                      count * (g + 1) / groups, f0, f1);
            });
            // Each output's histogram: its first group, then the others added in group order.
            constexpr std::size_t chunk = 4096;
            // A single task (one group in one block) stays on this thread, as the summing above does.
            const Index chunks = static_cast<Index>((size + chunk - 1) / chunk);
            parallel_for(groups * blocks > 1 ? team : 1, chunks, Schedule::even, [&](Index c) {
                const std::size_t begin = static_cast<std::size_t>(c) * chunk, end = std::min(size, begin + chunk);
                for (std::size_t w = 0; w < used; ++w) {
                    HistBin* h = out + (first + w) * size;
                    for (std::size_t g = 0; g < groups; ++g) {
                        const double* part = wide_.data() + g * size * 2 * wide + w * 2;
                        for (std::size_t i = begin; i < end; ++i) {
                            const HistBin sum{part[i * 2 * wide], part[i * 2 * wide + 1]};
                            if (g == 0)
                                h[i] = sum;
                            else
                                h[i].add(sum);
                        }
                    }
                }
            });
        }
    }

private:
    /// Feature blocks for `tasks` row tasks over a histogram of `bins` slots: enough for the
    /// threads to balance nodes of unequal sizes and for a block to stay in cache, but blocks of
    /// at least 4 features, so that reading a row's index and gradient stays a small part of a task.
    static std::size_t feature_blocks(std::size_t tasks, std::size_t bins, std::size_t d, int threads) {
        const auto wanted = 4 * static_cast<std::size_t>(threads);
        std::size_t blocks = (bins + cache_bins - 1) / cache_bins;
        if (tasks * blocks < wanted) blocks = std::max(blocks, (wanted + tasks - 1) / tasks);
        return std::clamp<std::size_t>(blocks, 1, std::max<std::size_t>(1, d / 4));
    }

    std::vector<std::vector<HistBin>> scratch_;
    std::vector<double> wide_;
};

/// parent := parent − child for each (parent, child) pair, turning parents' histograms into
/// the siblings' of the children.
inline void subtract(const std::vector<std::pair<HistBin*, const HistBin*>>& pairs, std::size_t size, int threads) {
    constexpr std::size_t chunk = 4096;
    const std::size_t chunks = (size + chunk - 1) / chunk, tasks = pairs.size() * chunks;
    const int team = team_for(threads, static_cast<double>(pairs.size() * size));
    parallel_for(team, static_cast<Index>(tasks), Schedule::even, [&](Index task) {
        const auto t = static_cast<std::size_t>(task);
        HistBin* parent = pairs[t / chunks].first;
        const HistBin* child = pairs[t / chunks].second;
        for (std::size_t i = (t % chunks) * chunk; i < std::min(size, (t % chunks + 1) * chunk); ++i)
            parent[i] = parent[i] - child[i];
    });
}

}  // namespace shelf::gbt::detail
