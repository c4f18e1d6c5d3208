// shelf/trees/partition.hpp: the rows of each tree node, kept as ranges of one index array.
//
// Splitting a node partitions its range stably (left rows first, each side in row order), so
// histograms sum rows in the same order whatever the thread count. Large nodes are cut into
// blocks: each block separates its rows into a scratch array, then the blocks' left and right
// parts are copied to their final places.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"

namespace shelf::gbt::detail {

/// One node to split: rows [begin, end) of the index array go left when their code of
/// `feature` is ≤ `bin`, or when it is `missing_code` and `default_left`.
struct PartitionJob {
    std::size_t begin, end;
    std::int32_t feature;
    std::int32_t bin;
    std::uint32_t missing_code;
    bool default_left;
    std::size_t left_count = 0;  ///< set by partition()
};

class RowPartition {
public:
    static constexpr std::size_t block_rows = 8192;

    /// Starts over with `rows` as the root's rows (the buffers keep their memory between trees).
    void reset(std::vector<std::uint32_t>& rows) {
        rows_.swap(rows);
        scratch_.resize(rows_.size());
    }

    std::uint32_t* rows() { return rows_.data(); }
    const std::uint32_t* rows() const { return rows_.data(); }
    std::size_t size() const { return rows_.size(); }

    /// Partitions each job's rows; `columns` holds every feature's codes for all rows, column-major.
    template <class B>
    void partition(std::vector<PartitionJob>& jobs, const B* columns, std::size_t rows, int threads) {
        struct Block {
            std::size_t job, begin, end, left = 0;
            bool whole = false;  ///< the job's only block: partitioned in place
        };
        std::vector<Block> blocks;
        std::size_t work = 0;
        for (std::size_t j = 0; j < jobs.size(); ++j) {
            for (std::size_t b = jobs[j].begin; b < jobs[j].end; b += block_rows)
                blocks.push_back({j, b, std::min(b + block_rows, jobs[j].end)});
            if (jobs[j].end > jobs[j].begin) blocks.back().whole = blocks.back().begin == jobs[j].begin;
            work += jobs[j].end - jobs[j].begin;
        }
        const int team = team_for(threads, 4.0 * static_cast<double>(work));

        // Each row is written to both destinations and only the matching cursor advances: no
        // branch. A whole job keeps its left rows in place (the write position never passes the
        // read position) and copies its right rows back after them; a block of a larger job
        // fills scratch from its start (left) and from its end (right, reversed).
        parallel_for(team, static_cast<Index>(blocks.size()), Schedule::dynamic, [&](Index k) {
            Block& blk = blocks[static_cast<std::size_t>(k)];
            const PartitionJob& job = jobs[blk.job];
            const B* column = columns + static_cast<std::size_t>(job.feature) * rows;
            const std::int64_t bin = job.bin;  // locals: the row stores below may not alias them
            const std::uint32_t missing = job.missing_code;
            const std::size_t default_left = job.default_left ? 1 : 0;
            // 1 for left, 0 for right, with no branch to mispredict: the missing code lies above
            // every bin, so a row goes left when its code is ≤ bin, or is missing and default_left.
            const auto goes_left = [=](std::uint32_t r) -> std::size_t {
                const std::uint32_t code = column[r];
                return static_cast<std::size_t>(static_cast<std::int64_t>(code) <= bin) |
                       (static_cast<std::size_t>(code == missing) & default_left);
            };
            if (blk.whole) {
                std::size_t left = blk.begin, right = blk.begin;
                for (std::size_t i = blk.begin; i < blk.end; ++i) {
                    const std::uint32_t r = rows_[i];
                    const std::size_t go = goes_left(r);
                    rows_[left] = r;
                    scratch_[right] = r;
                    left += go;
                    right += 1 - go;
                }
                std::copy(scratch_.begin() + static_cast<std::ptrdiff_t>(blk.begin),
                          scratch_.begin() + static_cast<std::ptrdiff_t>(right),
                          rows_.begin() + static_cast<std::ptrdiff_t>(left));
                blk.left = left - blk.begin;
            } else {
                std::size_t left = blk.begin, right = blk.end;
                for (std::size_t i = blk.begin; i < blk.end; ++i) {
                    const std::uint32_t r = rows_[i];
                    const std::size_t go = goes_left(r);
                    scratch_[left] = r;
                    scratch_[right - 1] = r;
                    left += go;
                    right -= 1 - go;
                }
                blk.left = left - blk.begin;
            }
        });

        for (auto& job : jobs) job.left_count = 0;
        for (const auto& blk : blocks) jobs[blk.job].left_count += blk.left;
        if (std::all_of(blocks.begin(), blocks.end(), [](const Block& b) { return b.whole; })) return;

        // Where each split block's parts go: left parts in block order, then right parts.
        std::vector<std::size_t> left_at(blocks.size()), right_at(blocks.size());
        std::vector<std::size_t> left_next(jobs.size()), right_next(jobs.size());
        for (std::size_t j = 0; j < jobs.size(); ++j) {
            left_next[j] = jobs[j].begin;
            right_next[j] = jobs[j].begin + jobs[j].left_count;
        }
        for (std::size_t k = 0; k < blocks.size(); ++k) {
            left_at[k] = left_next[blocks[k].job];
            left_next[blocks[k].job] += blocks[k].left;
            right_at[k] = right_next[blocks[k].job];
            right_next[blocks[k].job] += blocks[k].end - blocks[k].begin - blocks[k].left;
        }

        parallel_for(team, static_cast<Index>(blocks.size()), Schedule::dynamic, [&](Index b) {
            const auto k = static_cast<std::size_t>(b);
            const Block& blk = blocks[k];
            if (blk.whole) return;
            std::copy(scratch_.begin() + static_cast<std::ptrdiff_t>(blk.begin),
                      scratch_.begin() + static_cast<std::ptrdiff_t>(blk.begin + blk.left),
                      rows_.begin() + static_cast<std::ptrdiff_t>(left_at[k]));
            std::reverse_copy(scratch_.begin() + static_cast<std::ptrdiff_t>(blk.begin + blk.left),
                              scratch_.begin() + static_cast<std::ptrdiff_t>(blk.end),
                              rows_.begin() + static_cast<std::ptrdiff_t>(right_at[k]));
        });
    }

private:
    std::vector<std::uint32_t> rows_;
    std::vector<std::uint32_t> scratch_;
};

}  // namespace shelf::gbt::detail
