// shelf/forecast/window.hpp: a batch of series windows as the network reads them — each row's
// scaled history (for the lags), its targets, its covariates per step and its categories.
#pragma once

#include <vector>

#include "likelihood.hpp"
#include "shelf/core/types.hpp"

namespace shelf::deepar::detail {

/// `rows` windows of `steps` steps. Step j of row r is the series' point a_r + j (a_r may be
/// negative: a window may start before its series, whose points there are unobserved).
template <class T>
struct Window {
    Index rows = 0, steps = 0, max_lag = 0;
    Index known = 0;      ///< steps whose targets are given; the rest are forecast by sampling
    Index loss_from = 0;  ///< first step whose observed targets count in the loss
    Index shared = 0;     ///< leading steps identical in every row (one series' sample paths): run once
    /// rows × (max_lag + steps): point a_r + j − max_lag + column in the network's units (the
    /// row's map); 0 where the series has no point or, before the steps, misses it; NaN inside
    /// the steps where the point is missing (the network fills it).
    RowMatrix<T> history;
    RowMatrix<T> target;      ///< rows × steps, in the target's units; NaN = unobserved
    RowMatrix<T> covariates;  ///< (steps · rows) × covariates, step-major: calendar, age, dynamic, location, log scale
    std::vector<int> cats;    ///< rows × cat features, row-major
    std::vector<Affine> map;  ///< each row's map between the target's units and the network's

    void resize(Index rows_, Index steps_, Index max_lag_, Index covariate_count, Index cat_count) {
        rows = rows_, steps = steps_, max_lag = max_lag_;
        shared = 0;
        history.resize(rows, max_lag + steps);
        target.resize(rows, steps);
        covariates.resize(steps * rows, covariate_count);
        cats.assign(static_cast<std::size_t>(rows * cat_count), 0);
        map.assign(static_cast<std::size_t>(rows), Affine{});
    }
};

}  // namespace shelf::deepar::detail
