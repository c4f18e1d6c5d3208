// shelf/anomaly/point_store.hpp: the points a streaming forest's leaves refer to, shingles
// stored without copying their overlap.
//
// Rows of `input_dim` values arrive one at a time; with shingling a point is the last
// `shingle_size` rows end to end. The rows are appended to one buffer, so a point is an offset
// into it and consecutive points share all but their last row. A point lives while some tree's
// leaf holds it (a count per point); the buffer is compacted when dead stretches make up half of
// it, overlapping live points staying shared, so memory follows the live points, not the stream.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "shelf/core/types.hpp"

namespace shelf::rcf {

template <class T>
class PointStore {
public:
    PointStore() = default;
    PointStore(Index input_dim, Index shingle_size) { shape(input_dim, shingle_size); }

    /// Rows of input_dim values, points of shingle_size rows (set again after loading).
    void shape(Index input_dim, Index shingle_size) noexcept { input_dim_ = input_dim, dimension_ = input_dim * shingle_size; }

    Index dimension() const noexcept { return dimension_; }
    Index input_dim() const noexcept { return input_dim_; }
    /// Rows seen; a point exists once dimension / input_dim of them have.
    std::int64_t rows() const noexcept { return rows_; }
    /// The current shingle is complete: add() has a point to give.
    bool ready() const noexcept { return rows_ * input_dim_ >= dimension_; }

    /// Appends a row; returns the id of the point ending with it, or -1 while the first shingle fills.
    std::int32_t add(const T* row) {
        values_.insert(values_.end(), row, row + input_dim_);
        ++rows_;
        if (!ready()) return -1;
        std::int32_t id;
        if (!free_.empty()) {
            id = free_.back();
            free_.pop_back();
        } else {
            id = static_cast<std::int32_t>(offset_.size());
            offset_.push_back(0), holders_.push_back(0);
        }
        offset_[static_cast<std::size_t>(id)] = static_cast<std::int64_t>(values_.size()) - dimension_;
        return id;
    }

    const T* point(std::int32_t id) const noexcept { return values_.data() + offset_[static_cast<std::size_t>(id)]; }
    /// The newest point (after add() returned an id).
    const T* newest() const noexcept { return values_.data() + (static_cast<Index>(values_.size()) - dimension_); }

    /// `id` is a point some leaf holds.
    bool holds(std::int32_t id) const noexcept {
        return id >= 0 && static_cast<std::size_t>(id) < holders_.size() && holders_[static_cast<std::size_t>(id)] > 0;
    }
    /// Leaves holding each point id.
    const std::vector<std::int32_t>& holders() const noexcept { return holders_; }
    void hold(std::int32_t id) noexcept { ++holders_[static_cast<std::size_t>(id)]; }
    void release(std::int32_t id) { --holders_[static_cast<std::size_t>(id)]; }
    /// Frees `id` if no leaf holds it (a point no tree took, or one evicted from its last tree).
    void free_if_unheld(std::int32_t id) {
        if (holders_[static_cast<std::size_t>(id)] == 0) free_.push_back(id);
    }

    /// Compacts the buffer when it has grown to twice its size after the last compaction.
    void maybe_compact() {
        if (static_cast<Index>(values_.size()) < 2 * compacted_ + 64 * dimension_) return;
        // Live points by offset; each run of overlapping points is copied once, and the tail
        // the next point will extend (its first dimension - input_dim values) last.
        std::vector<std::int32_t> live;
        for (std::size_t id = 0; id < holders_.size(); ++id)
            if (holders_[id] > 0) live.push_back(static_cast<std::int32_t>(id));
        std::sort(live.begin(), live.end(),
                  [&](std::int32_t a, std::int32_t b) { return offset_[static_cast<std::size_t>(a)] < offset_[static_cast<std::size_t>(b)]; });
        std::vector<T> kept;
        kept.reserve(values_.size() / 2);
        std::int64_t copied_to = -1;  // old offset one past the last value copied
        auto copy_up_to = [&](std::int64_t begin, std::int64_t end) {  // old [begin, end), sharing what is copied
            const std::int64_t from = std::max(begin, copied_to);
            kept.insert(kept.end(), values_.begin() + from, values_.begin() + end);
            copied_to = end;
        };
        for (const std::int32_t id : live) {
            const std::int64_t begin = offset_[static_cast<std::size_t>(id)], end = begin + dimension_;
            if (begin >= copied_to) copied_to = begin;
            const std::int64_t new_begin = static_cast<std::int64_t>(kept.size()) - (copied_to - begin);
            copy_up_to(begin, end);
            offset_[static_cast<std::size_t>(id)] = new_begin;
        }
        const std::int64_t tail = static_cast<std::int64_t>(values_.size()) - (dimension_ - input_dim_);
        if (tail >= copied_to) copied_to = tail;
        copy_up_to(tail, static_cast<std::int64_t>(values_.size()));
        values_ = std::move(kept);
        compacted_ = static_cast<Index>(values_.size());
    }

    /// Bytes held (values and per-point bookkeeping).
    std::size_t memory() const noexcept {
        return values_.capacity() * sizeof(T) + offset_.capacity() * sizeof(std::int64_t) +
               (holders_.capacity() + free_.capacity()) * sizeof(std::int32_t);
    }

    template <class Self, class Fields>
    static void fields(Self& s, Fields& f) {
        f("points.values", s.values_);
        f("points.offset", s.offset_);
        f("points.holders", s.holders_);
        f("points.free", s.free_);
        f("points.rows", s.rows_);
        f("points.compacted", s.compacted_);
    }

    /// Every offset within the buffer and every free id unheld: a loaded store cannot read outside it.
    bool consistent() const {
        if (offset_.size() != holders_.size() || rows_ < 0 || compacted_ < 0) return false;
        for (const T v : values_)
            if (!std::isfinite(static_cast<double>(v))) return false;
        for (std::size_t id = 0; id < offset_.size(); ++id)
            if (holders_[id] < 0 || offset_[id] < 0 || offset_[id] + dimension_ > static_cast<std::int64_t>(values_.size()))
                return false;
        for (const std::int32_t id : free_)
            if (id < 0 || static_cast<std::size_t>(id) >= holders_.size() || holders_[static_cast<std::size_t>(id)] != 0)
                return false;
        // The next add() completes a shingle from the tail the buffer keeps.
        return static_cast<std::int64_t>(values_.size()) >= std::min<std::int64_t>(rows_ * input_dim_, dimension_ - input_dim_);
    }

private:
    Index input_dim_ = 0, dimension_ = 0;
    std::vector<T> values_;
    std::vector<std::int64_t> offset_;   ///< where each point starts in values_
    std::vector<std::int32_t> holders_;  ///< leaves holding each point
    std::vector<std::int32_t> free_;     ///< ids to reuse
    std::int64_t rows_ = 0;
    Index compacted_ = 0;                ///< values_ size after the last compaction
};

}  // namespace shelf::rcf
