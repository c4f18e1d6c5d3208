// shelf/factorization/by_feature.hpp: rows' entries grouped by feature (a counting sort), the
// column view that a mini-batch's gradient and the coordinate-wise solvers walk.
#pragma once

#include <utility>
#include <vector>

#include "shelf/core/types.hpp"

namespace shelf::fm::detail {

/// The entries of some rows, by feature: touched feature t (features[t]) holds entries
/// start[t] .. start[t + 1), each (row, value) with `row` the place in the given row list, in row
/// order. Building costs two passes over the entries and touches nothing of size feature_dim
/// besides `slot_`, which it leaves as it found it.
template <class T>
class ByFeature {
public:
    explicit ByFeature(Index feature_dim) : slot_(static_cast<std::size_t>(feature_dim), -1) {}

    /// Groups rows list[0 .. m) of `rows`; `features` receives the touched features in order of
    /// first occurrence.
    template <class Rows>
    void build(const Rows& rows, const Index* list, Index m, std::vector<Index>& features) {
        features.clear();
        start.clear();
        for (Index r = 0; r < m; ++r)
            rows.for_each(list[r], [&](Index j, T) {
                Index& slot = slot_[static_cast<std::size_t>(j)];
                if (slot < 0) {
                    slot = static_cast<Index>(features.size());
                    features.push_back(j);
                    start.push_back(0);
                }
                ++start[static_cast<std::size_t>(slot)];
            });
        Index total = 0;
        for (Index& count : start) total += std::exchange(count, total);
        start.push_back(total);
        row.resize(static_cast<std::size_t>(total));
        value.resize(static_cast<std::size_t>(total));
        fill_ = start;
        for (Index r = 0; r < m; ++r)
            rows.for_each(list[r], [&](Index j, T x) {
                const auto slot = static_cast<std::size_t>(slot_[static_cast<std::size_t>(j)]);
                const auto at = static_cast<std::size_t>(fill_[slot]++);
                row[at] = r;
                value[at] = x;
            });
        for (const Index j : features) slot_[static_cast<std::size_t>(j)] = -1;
    }

    std::vector<Index> start;  ///< per touched feature, its first entry; then the entry count
    std::vector<Index> row;    ///< per entry: its row's place in the list
    std::vector<T> value;      ///< per entry: x

private:
    std::vector<Index> slot_;  ///< per feature: its place among the touched ones, −1 when untouched
    std::vector<Index> fill_;
};

}  // namespace shelf::fm::detail
