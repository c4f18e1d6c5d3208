// shelf/core/series.hpp: a time series as the forecaster takes it and the JSON-lines reader
// gives it, so that the family need not include the reader (families never depend on io).
#pragma once

#include <vector>

#include "types.hpp"

namespace shelf {

/// A calendar timestamp as written in "start" (no time zone).
struct Timestamp {
    int year = 0, month = 0, day = 0;
    int hour = 0, minute = 0, second = 0;

    friend bool operator==(const Timestamp& a, const Timestamp& b) {
        return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour &&
               a.minute == b.minute && a.second == b.second;
    }
    friend bool operator!=(const Timestamp& a, const Timestamp& b) { return !(a == b); }
};

/// One forecasting series.
template <class T>
struct Series {
    Timestamp start;
    Vector<T> target;           ///< NaN where missing
    std::vector<int> cat;       ///< categorical features (empty if absent)
    RowMatrix<T> dynamic_feat;  ///< one row per dynamic feature (0 x 0 if absent)
};

}  // namespace shelf
