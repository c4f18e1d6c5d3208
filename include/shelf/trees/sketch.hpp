// shelf/trees/sketch.hpp: the weighted quantile sketch that places histogram cut points.
//
// This is the merge-and-prune summary of Chen & Guestrin (XGBoost paper, appendix), kept
// exactly as XGBoost 1.7's hist method runs it (src/common/quantile.h): values stream into a
// buffer of 2·limit entries; a full buffer becomes a summary (sorted values with rank bounds in
// weight units) that is merged up a ladder of levels, each pruned back to `limit` entries. The
// same stream, limits and float rank arithmetic give the same cut points as XGBoost, so models
// trained on the same data split at the same thresholds.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

namespace shelf::gbt::detail {

/// A value with bounds on its rank: rmin ≤ rank ≤ rmax, wmin = its own weight. Ranks are
/// float, as in XGBoost (exact up to 2^24 rows of unit weight).
template <class T>
struct SketchEntry {
    float rmin;
    float rmax;
    float wmin;
    T value;
    float rmin_next() const { return rmin + wmin; }  ///< rmin of a value just above this one
    float rmax_prev() const { return rmax - wmin; }  ///< rmax of a value just below this one
};

template <class T>
using Summary = std::vector<SketchEntry<T>>;

/// Sorts (value, weight) pairs by value. Floats go through a stable radix sort on their bits
/// mapped to an order-preserving unsigned key (NaN never reaches the sketch).
template <class T>
void sort_by_value(std::vector<std::pair<T, float>>& batch, std::size_t count,
                   std::vector<std::pair<T, float>>& scratch) {
    if constexpr (std::is_same_v<T, float>) {
        const auto key = [](float v) {
            std::uint32_t bits;
            std::memcpy(&bits, &v, sizeof bits);
            return bits ^ ((bits >> 31) ? 0xFFFFFFFFu : 0x80000000u);
        };
        scratch.resize(batch.size());
        std::uint32_t counts[4][256] = {};
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint32_t k = key(batch[i].first);
            for (int d = 0; d < 4; ++d) ++counts[d][(k >> (8 * d)) & 0xFFu];
        }
        auto* from = &batch;
        auto* to = &scratch;
        for (int d = 0; d < 4; ++d) {
            if (counts[d][(key((*from)[0].first) >> (8 * d)) & 0xFFu] == count) continue;  // one digit for all
            std::size_t at[256];
            std::size_t total = 0;
            for (int b = 0; b < 256; ++b) at[b] = total, total += counts[d][b];
            for (std::size_t i = 0; i < count; ++i) (*to)[at[(key((*from)[i].first) >> (8 * d)) & 0xFFu]++] = (*from)[i];
            std::swap(from, to);
        }
        if (from != &batch) std::copy(from->begin(), from->begin() + static_cast<std::ptrdiff_t>(count), batch.begin());
    } else {
        std::sort(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(count),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
    }
}

/// The exact summary of a batch: sorted distinct values with their accumulated weights.
template <class T>
void summarize(std::vector<std::pair<T, float>>& batch, std::size_t count, Summary<T>& out,
               std::vector<std::pair<T, float>>& scratch) {
    if (count == 0) {
        out.clear();
        return;
    }
    sort_by_value(batch, count, scratch);
    out.clear();
    float total = 0;
    for (std::size_t i = 0; i < count;) {
        float w = batch[i].second;
        std::size_t j = i + 1;
        for (; j < count && batch[j].first == batch[i].first; ++j) w += batch[j].second;
        out.push_back({total, total + w, w, batch[i].first});
        total += w;
        i = j;
    }
}

/// Keeps at most `maxsize` entries of `src`, picking those whose ranks sit closest to
/// evenly spaced targets (the first and last entries always stay).
template <class T>
void prune(const Summary<T>& src, std::size_t maxsize, Summary<T>& out) {
    if (src.size() <= maxsize) {
        out = src;
        return;
    }
    const float begin = src.front().rmax;
    const float range = src.back().rmin - src.front().rmax;
    const std::size_t n = maxsize - 1;
    out.clear();
    out.push_back(src.front());
    std::size_t i = 1, last = 0;
    for (std::size_t k = 1; k < n; ++k) {
        const float target2 = 2.0f * (static_cast<float>(k) * range / static_cast<float>(n) + begin);
        while (i < src.size() - 1 && target2 >= src[i + 1].rmax + src[i + 1].rmin) ++i;
        if (i == src.size() - 1) break;
        const std::size_t pick = target2 < src[i].rmin_next() + src[i + 1].rmax_prev() ? i : i + 1;
        if (pick != last) {
            out.push_back(src[pick]);
            last = pick;
        }
    }
    if (last != src.size() - 1) out.push_back(src.back());
}

/// The summary of the union of the streams summarised by `a` and `b`.
template <class T>
void combine(const Summary<T>& a, const Summary<T>& b, Summary<T>& out) {
    if (a.empty() || b.empty()) {
        out = a.empty() ? b : a;
        return;
    }
    out.clear();
    std::size_t i = 0, j = 0;
    float a_prev_rmin = 0, b_prev_rmin = 0;  // rmin just above the last entry taken from each side
    while (i < a.size() && j < b.size()) {
        if (a[i].value == b[j].value) {
            out.push_back({a[i].rmin + b[j].rmin, a[i].rmax + b[j].rmax, a[i].wmin + b[j].wmin, a[i].value});
            a_prev_rmin = a[i++].rmin_next();
            b_prev_rmin = b[j++].rmin_next();
        } else if (a[i].value < b[j].value) {
            out.push_back({a[i].rmin + b_prev_rmin, a[i].rmax + b[j].rmax_prev(), a[i].wmin, a[i].value});
            a_prev_rmin = a[i++].rmin_next();
        } else {
            out.push_back({b[j].rmin + a_prev_rmin, b[j].rmax + a[i].rmax_prev(), b[j].wmin, b[j].value});
            b_prev_rmin = b[j++].rmin_next();
        }
    }
    for (; i < a.size(); ++i) out.push_back({a[i].rmin + b_prev_rmin, a[i].rmax + b.back().rmax, a[i].wmin, a[i].value});
    for (; j < b.size(); ++j) out.push_back({b[j].rmin + a_prev_rmin, b[j].rmax + a.back().rmax, b[j].wmin, b[j].value});
    // Float rounding can break the rank invariants slightly; restore them.
    float prev_rmin = 0, prev_rmax = 0;
    for (auto& e : out) {
        if (e.rmin < prev_rmin)
            e.rmin = prev_rmin;
        else
            prev_rmin = e.rmin;
        if (e.rmax < prev_rmax) e.rmax = prev_rmax;
        if (e.rmax < e.rmin_next()) e.rmax = e.rmin_next();
        prev_rmax = e.rmax;
    }
}

/// The buffers a sketch needs only while it summarises a full buffer: sketches that one
/// thread feeds may share them, which spares memory (and, in a fresh process, its page faults).
template <class T>
struct SketchWorkspace {
    std::vector<std::pair<T, float>> sort;
    Summary<T> temp, scratch;
};

/// A streaming weighted quantile sketch of at most `maxn` values with rank error `eps`.
template <class T>
class QuantileSketch {
public:
    QuantileSketch(std::size_t maxn, double eps, SketchWorkspace<T>& work) : work_(&work) {
        // The fewest levels whose capacity 2^levels · limit covers maxn.
        for (std::size_t levels = 1;; ++levels) {
            limit_ = std::min(maxn, static_cast<std::size_t>(std::ceil(static_cast<double>(levels) / eps)) + 1);
            if ((std::size_t{1} << levels) * limit_ >= maxn) break;
        }
        buffer_.resize(2 * limit_);
    }

    void push(T value, float weight) {
        if (weight == 0.0f) return;
        if (tail_ == buffer_.size()) {
            summarize(buffer_, tail_, work_->temp, work_->sort);
            tail_ = 0;
            push_temp();
        }
        // Runs of one value merge before sorting (this also decides when the buffer fills).
        if (tail_ > 0 && buffer_[tail_ - 1].first == value)
            buffer_[tail_ - 1].second += weight;
        else
            buffer_[tail_++] = {value, weight};
    }

    /// The summary of everything pushed so far.
    Summary<T> summary() {
        Summary<T> out;
        summarize(buffer_, tail_, out, work_->sort);
        if (levels_.empty()) {
            if (out.size() > limit_) {
                prune(out, limit_, work_->scratch);
                out.swap(work_->scratch);
            }
            return out;
        }
        Summary<T> acc;
        prune(out, limit_, acc);
        for (std::size_t l = 1; l < levels_.size(); ++l) {
            if (levels_[l].empty()) continue;
            if (acc.empty()) {
                acc = levels_[l];
            } else {
                combine(acc, levels_[l], out);
                prune(out, limit_, acc);
            }
        }
        return acc;
    }

private:
    /// Carries the buffer's summary up the levels: an empty level takes it; a full one is
    /// merged with it, and the merge moves up while it exceeds `limit`.
    void push_temp() {
        for (std::size_t l = 1;; ++l) {
            if (levels_.size() < l + 1) levels_.resize(l + 1);
            Summary<T>& temp = work_->temp;
            if (levels_[l].empty()) {
                prune(temp, limit_, levels_[l]);
                return;
            }
            prune(temp, limit_, work_->scratch);
            combine(work_->scratch, levels_[l], temp);
            if (temp.size() <= limit_) {
                levels_[l] = temp;
                return;
            }
            levels_[l].clear();
        }
    }

    SketchWorkspace<T>* work_;
    std::size_t limit_ = 0;
    std::vector<std::pair<T, float>> buffer_;
    std::size_t tail_ = 0;
    std::vector<Summary<T>> levels_;  // levels_[0] unused, as in the paper's numbering
};

}  // namespace shelf::gbt::detail
