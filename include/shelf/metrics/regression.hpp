// shelf/metrics/regression.hpp: errors of real-valued predictions (MSE, RMSE,
// MAE, MAPE, R², sums of absolute and squared errors). Semantics follow
// scikit-learn 1.2 except where noted; conventions are in shelf/metrics.hpp.
#pragma once

#include <cmath>
#include <limits>

#include "shelf/core/types.hpp"
#include "shelf/metrics/detail/checks.hpp"
#include "shelf/metrics/detail/sum.hpp"

namespace shelf::metrics {

namespace detail {

template <class T>
void require_regression(const char* fn, const VectorView<T>& y_true, const VectorView<T>& y_pred,
                        const Vector<T>* w) {
    require_pair(fn, y_true, "y_true", y_pred, "y_pred");
    require_weights(fn, w, y_true.size());
}

template <class T>
double total_weight(const Vector<T>* w, Index n) {
    return weighted_sum(w, n, [](Index) { return 1.0; });
}

template <class T>
double squared_errors(const VectorView<T>& y_true, const VectorView<T>& y_pred, const Vector<T>* w) {
    return weighted_sum(w, y_true.size(), [&](Index i) {
        const double e = double(y_true[i]) - double(y_pred[i]);
        return e * e;
    });
}

template <class T>
double absolute_errors(const VectorView<T>& y_true, const VectorView<T>& y_pred, const Vector<T>* w = nullptr) {
    return weighted_sum(w, y_true.size(), [&](Index i) { return std::abs(double(y_true[i]) - double(y_pred[i])); });
}

}  // namespace detail

/// Sum of squared errors, Σ w (y - ŷ)².
template <class T>
double sum_squared_error(VectorView<T> y_true, VectorView<T> y_pred, const Vector<T>* sample_weight = nullptr) {
    detail::require_regression("sum_squared_error", y_true, y_pred, sample_weight);
    return detail::squared_errors(y_true, y_pred, sample_weight);
}

/// Sum of absolute errors, Σ w |y - ŷ|.
template <class T>
double sum_absolute_error(VectorView<T> y_true, VectorView<T> y_pred, const Vector<T>* sample_weight = nullptr) {
    detail::require_regression("sum_absolute_error", y_true, y_pred, sample_weight);
    return detail::absolute_errors(y_true, y_pred, sample_weight);
}

/// Mean squared error (weighted mean of squared errors).
template <class T>
double mse(VectorView<T> y_true, VectorView<T> y_pred, const Vector<T>* sample_weight = nullptr) {
    detail::require_regression("mse", y_true, y_pred, sample_weight);
    return detail::squared_errors(y_true, y_pred, sample_weight) /
           detail::total_weight(sample_weight, y_true.size());
}

/// Root mean squared error, sqrt(mse) (scikit-learn's squared=False).
template <class T>
double rmse(VectorView<T> y_true, VectorView<T> y_pred, const Vector<T>* sample_weight = nullptr) {
    detail::require_regression("rmse", y_true, y_pred, sample_weight);
    return std::sqrt(detail::squared_errors(y_true, y_pred, sample_weight) /
                     detail::total_weight(sample_weight, y_true.size()));
}

/// Mean absolute error.
template <class T>
double mae(VectorView<T> y_true, VectorView<T> y_pred, const Vector<T>* sample_weight = nullptr) {
    detail::require_regression("mae", y_true, y_pred, sample_weight);
    return detail::absolute_errors(y_true, y_pred, sample_weight) /
           detail::total_weight(sample_weight, y_true.size());
}

/// Mean absolute percentage error |y - ŷ| / |y| as a fraction (0.1 = 10 %),
/// over the samples whose target is nonzero: samples with y == 0 are skipped,
/// since their percentage error is infinite. This differs from scikit-learn,
/// which divides by max(|y|, machine epsilon) and so reports ~1e15 for them.
/// When every target is zero (or every nonzero target has zero weight) there
/// is nothing to average and the result is NaN, as numpy's mean of nothing.
template <class T>
double mape(VectorView<T> y_true, VectorView<T> y_pred, const Vector<T>* sample_weight = nullptr) {
    detail::require_regression("mape", y_true, y_pred, sample_weight);
    double total = 0, weights = 0;
    for (Index i = 0; i < y_true.size(); ++i) {
        const double y = double(y_true[i]);
        if (y == 0) continue;
        const double wi = detail::weight(sample_weight, i);
        total += wi * std::abs(y - double(y_pred[i])) / std::abs(y);
        weights += wi;
    }
    return weights == 0 ? std::numeric_limits<double>::quiet_NaN() : total / weights;
}

/// Coefficient of determination, 1 - SS_res / SS_tot (weighted), as
/// scikit-learn 1.2 with force_finite: a constant y_true scores 1.0 when the
/// prediction is perfect and 0.0 otherwise; fewer than two samples give NaN.
template <class T>
double r2(VectorView<T> y_true, VectorView<T> y_pred, const Vector<T>* sample_weight = nullptr) {
    detail::require_regression("r2", y_true, y_pred, sample_weight);
    const Index n = y_true.size();
    if (n < 2) return std::numeric_limits<double>::quiet_NaN();
    const double ss_res = detail::squared_errors(y_true, y_pred, sample_weight);
    if (ss_res == 0) return 1.0;
    // Decide "constant" exactly: SS_tot of a constant column computed through a
    // rounded mean can come out as a tiny positive number.
    bool constant = true, seen = false;
    T first = 0;
    for (Index i = 0; i < n && constant; ++i) {
        if (detail::weight(sample_weight, i) == 0) continue;
        if (!seen) {
            first = y_true[i];
            seen = true;
        }
        constant = y_true[i] == first;
    }
    if (constant) return 0.0;
    const double mean = detail::weighted_sum(sample_weight, n, [&](Index i) { return double(y_true[i]); }) /
                        detail::total_weight(sample_weight, n);
    const double ss_tot = detail::weighted_sum(sample_weight, n, [&](Index i) {
        const double d = double(y_true[i]) - mean;
        return d * d;
    });
    return ss_tot == 0 ? 0.0 : 1 - ss_res / ss_tot;
}

// ---------------------------------------------------------------------------
// Overloads that deduce T from plain Eigen arguments (see detail::scalar_of).

template <class A, class B, detail::if_dense<A, B> = 0>
double sum_squared_error(const A& y_true, const B& y_pred,
                         const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return sum_squared_error<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double sum_absolute_error(const A& y_true, const B& y_pred,
                          const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return sum_absolute_error<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double mse(const A& y_true, const B& y_pred, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return mse<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double rmse(const A& y_true, const B& y_pred, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return rmse<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double mae(const A& y_true, const B& y_pred, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return mae<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double mape(const A& y_true, const B& y_pred, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return mape<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double r2(const A& y_true, const B& y_pred, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return r2<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}

}  // namespace shelf::metrics
