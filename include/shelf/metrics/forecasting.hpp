// shelf/metrics/forecasting.hpp: accuracy of point and quantile forecasts
// (pinball loss, weighted quantile loss, WAPE, MASE, coverage). RMSE and the
// other point errors live in regression.hpp, included here.
//
// Scale-free forecasting metrics divide by a data-dependent scale (Σ|y|, or
// the naive forecast's error for MASE). When that scale is zero the result is
// what IEEE division gives, as numpy would: +inf when the numerator is
// positive, NaN when it is zero too. No exception: a series that is all zero in
// the evaluation window is legitimate data, and the caller decides how to
// aggregate it.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "shelf/core/types.hpp"
#include "shelf/metrics/detail/checks.hpp"
#include "shelf/metrics/detail/rates.hpp"
#include "shelf/metrics/detail/sum.hpp"
#include "shelf/metrics/regression.hpp"

namespace shelf::metrics {

namespace detail {

/// Pinball loss of one prediction: tau (y - q) above the quantile, (1 - tau) (q - y) below.
inline double pinball(double y, double q, double tau) {
    const double diff = y - q;
    return diff >= 0 ? tau * diff : (tau - 1) * diff;
}

inline void require_tau(const char* fn, double tau) { require_probability_param(fn, "tau", tau); }

template <class T>
double abs_total(const VectorView<T>& y) {
    return sum_over(y.size(), [&](Index i) { return std::abs(double(y[i])); });
}

}  // namespace detail

/// Mean pinball loss of a forecast of the tau-quantile (scikit-learn's
/// mean_pinball_loss with alpha = tau). tau in [0, 1]; 0.5 gives half the MAE.
template <class T>
double quantile_loss(VectorView<T> y_true, VectorView<T> q_pred, double tau,
                     const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "quantile_loss";
    detail::require_tau(fn, tau);
    detail::require_pair(fn, y_true, "y_true", q_pred, "q_pred");
    detail::require_weights(fn, sample_weight, y_true.size());
    double total = 0, weights = 0;
    for (Index i = 0; i < y_true.size(); ++i) {
        const double wi = detail::weight(sample_weight, i);
        total += wi * detail::pinball(double(y_true[i]), double(q_pred[i]), tau);
        weights += wi;
    }
    return total / weights;
}

/// Weighted quantile loss, wQL[tau] = 2 Σ pinball(y, q, tau) / Σ |y| (the
/// GluonTS / Amazon Forecast definition; 2x so that wQL[0.5] equals WAPE).
/// Σ |y| = 0 gives +inf, or NaN for a perfect forecast.
template <class T>
double weighted_quantile_loss(VectorView<T> y_true, VectorView<T> q_pred, double tau) {
    constexpr const char* fn = "weighted_quantile_loss";
    detail::require_tau(fn, tau);
    detail::require_pair(fn, y_true, "y_true", q_pred, "q_pred");
    double loss = 0;
    for (Index i = 0; i < y_true.size(); ++i) loss += detail::pinball(double(y_true[i]), double(q_pred[i]), tau);
    return detail::ieee_ratio(2 * loss, detail::abs_total(y_true));
}

/// Mean of wQL over several quantiles: column j of q_pred forecasts the
/// taus[j]-quantile.
template <class T>
double mean_weighted_quantile_loss(VectorView<T> y_true, MatrixView<T> q_pred, const std::vector<double>& taus) {
    constexpr const char* fn = "mean_weighted_quantile_loss";
    if (taus.empty())
        throw invalid_argument(errc::out_of_range, std::string(fn) + ": taus is empty; expected at least one quantile");
    for (double tau : taus) detail::require_tau(fn, tau);
    if (q_pred.rows() != y_true.size() || q_pred.cols() != static_cast<Index>(taus.size()))
        throw data_error(errc::shape_mismatch,
                         std::string(fn) + ": q_pred is " + std::to_string(q_pred.rows()) + " x " +
                             std::to_string(q_pred.cols()) + " but y_true has " + std::to_string(y_true.size()) +
                             " entries and there are " + std::to_string(taus.size()) +
                             " taus; expected one row per sample and one column per tau");
    detail::require_not_empty(fn, "y_true", y_true.size());
    detail::require_finite(fn, "y_true", y_true);
    detail::require_finite(fn, "q_pred", q_pred);
    const double scale = detail::abs_total(y_true);
    double sum = 0;
    for (std::size_t j = 0; j < taus.size(); ++j) {
        double loss = 0;
        const auto col = static_cast<Index>(j);
        for (Index i = 0; i < y_true.size(); ++i)
            loss += detail::pinball(double(y_true[i]), double(q_pred(i, col)), taus[j]);
        sum += detail::ieee_ratio(2 * loss, scale);
    }
    return sum / static_cast<double>(taus.size());
}

/// Weighted absolute percentage error, Σ |y - ŷ| / Σ |y| (a fraction).
/// Σ |y| = 0 gives +inf, or NaN for a perfect forecast.
template <class T>
double wape(VectorView<T> y_true, VectorView<T> y_pred) {
    detail::require_pair("wape", y_true, "y_true", y_pred, "y_pred");
    return detail::ieee_ratio(detail::absolute_errors(y_true, y_pred),
                              detail::abs_total(y_true));
}

/// Mean absolute scaled error: MAE of the forecast divided by the in-sample
/// MAE of the seasonal naive forecast, mean |h_t - h_{t-m}| over the history h
/// (m = 1: the random walk). y_history must be longer than m. A history whose
/// naive error is zero (constant, or periodic with period m) gives +inf, or
/// NaN for a perfect forecast.
template <class T>
double mase(VectorView<T> y_true, VectorView<T> y_pred, VectorView<T> y_history, Index m = 1) {
    constexpr const char* fn = "mase";
    if (m < 1)
        throw invalid_argument(errc::out_of_range,
                               std::string(fn) + ": seasonal period m is " + std::to_string(m) + "; expected m >= 1");
    detail::require_pair(fn, y_true, "y_true", y_pred, "y_pred");
    if (y_history.size() <= m)
        throw data_error(errc::shape_mismatch, std::string(fn) + ": y_history has " +
                                                   std::to_string(y_history.size()) + " entries; a seasonal period of " +
                                                   std::to_string(m) + " needs at least " + std::to_string(m + 1));
    detail::require_finite(fn, "y_history", y_history);
    const Index h = y_history.size() - m;
    const double naive =
        detail::sum_over(h, [&](Index t) { return std::abs(double(y_history[t + m]) - double(y_history[t])); }) /
        static_cast<double>(h);
    const double error = detail::absolute_errors(y_true, y_pred) /
                         static_cast<double>(y_true.size());
    return detail::ieee_ratio(error, naive);
}

/// Fraction of observations at or below the predicted quantile; a calibrated
/// tau-quantile forecast covers about tau.
template <class T>
double coverage(VectorView<T> y_true, VectorView<T> q_pred) {
    detail::require_pair("coverage", y_true, "y_true", q_pred, "q_pred");
    const double covered = detail::sum_over(y_true.size(), [&](Index i) { return y_true[i] <= q_pred[i] ? 1.0 : 0.0; });
    return covered / static_cast<double>(y_true.size());
}

// ---------------------------------------------------------------------------
// Overloads that deduce T from plain Eigen arguments (see detail::scalar_of).

template <class A, class B, detail::if_dense<A, B> = 0>
double quantile_loss(const A& y_true, const B& q_pred, double tau,
                     const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return quantile_loss<detail::scalar_of<A>>(y_true, q_pred, tau, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double weighted_quantile_loss(const A& y_true, const B& q_pred, double tau) {
    detail::same_scalar<A, B>();
    return weighted_quantile_loss<detail::scalar_of<A>>(y_true, q_pred, tau);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double mean_weighted_quantile_loss(const A& y_true, const B& q_pred, const std::vector<double>& taus) {
    detail::same_scalar<A, B>();
    return mean_weighted_quantile_loss<detail::scalar_of<A>>(y_true, q_pred, taus);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double wape(const A& y_true, const B& y_pred) {
    detail::same_scalar<A, B>();
    return wape<detail::scalar_of<A>>(y_true, y_pred);
}
template <class A, class B, class C, detail::if_dense<A, B, C> = 0>
double mase(const A& y_true, const B& y_pred, const C& y_history, Index m = 1) {
    detail::same_scalar<A, B>();
    detail::same_scalar<A, C>();
    return mase<detail::scalar_of<A>>(y_true, y_pred, y_history, m);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double coverage(const A& y_true, const B& q_pred) {
    detail::same_scalar<A, B>();
    return coverage<detail::scalar_of<A>>(y_true, q_pred);
}

}  // namespace shelf::metrics
