// shelf/trees/objective.hpp: the learning objectives, each a small plug-in, and their registry.
//
// An objective turns a row's margin(s) and label into a gradient and hessian, maps margins
// to outputs (transform), maps base_score to a margin, and names its default metric. The
// arithmetic follows XGBoost 1.7 (src/objective/regression_loss.h, multiclass_obj.cu, ...)
// operation by operation, in the model's scalar type, so float models train like XGBoost's.
// Every objective is listed once, in AnyObjective below; tests/trees/test_objective.cpp runs
// each entry against finite differences.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <Eigen/Core>

#include "shelf/core/error.hpp"
#include "shelf/core/registry.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/math.hpp"

namespace shelf::gbt {

/// First and second derivative of the loss with respect to the margin, times the row weight.
template <class T>
struct GradientPair {
    T grad{};
    T hess{};
};

/// The labels an objective accepts.
enum class LabelRule { any, unit_interval, binary, nonnegative, positive, class_index };

/// The base_score values that map to a finite margin.
enum class ScoreDomain { any, open_unit, positive };

/// What the trainer, the metrics and the parameter checks need to know about an objective.
struct ObjectiveInfo {
    const char* name;
    const char* default_metric;
    LabelRule labels;
    ScoreDomain base_score;
    bool multiclass;
};

/// The hyperparameters objectives read (already resolved).
struct ObjectiveSettings {
    double scale_pos_weight = 1.0;
    double poisson_max_delta_step = 0.7;  ///< max_delta_step as count:poisson resolves it
    double tweedie_variance_power = 1.5;
    double huber_slope = 1.0;
    int num_class = 0;
};

namespace detail {

/// Quantile with linear interpolation between order statistics (NIST method, as
/// XGBoost's common::Quantile); `values` is reordered.
template <class T>
T quantile(double alpha, std::vector<T>& values) {
    const auto n = static_cast<double>(values.size());
    if (values.empty()) return std::numeric_limits<T>::quiet_NaN();
    std::sort(values.begin(), values.end());
    if (alpha <= 1.0 / (n + 1.0)) return values.front();
    if (alpha >= n / (n + 1.0)) return values.back();
    const double x = alpha * (n + 1.0);
    const double k = std::floor(x) - 1.0;
    const double d = (x - 1.0) - k;
    const T v0 = values[static_cast<std::size_t>(k)];
    const T v1 = values[static_cast<std::size_t>(k) + 1];
    return static_cast<T>(v0 + d * (v1 - v0));
}

/// Weighted quantile as a step function: the first value whose cumulative weight reaches
/// alpha of the total (XGBoost's common::WeightedQuantile; no interpolation).
template <class T>
T weighted_quantile(double alpha, const std::vector<T>& values, const std::vector<T>& weights) {
    if (values.empty()) return std::numeric_limits<T>::quiet_NaN();
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<T> cdf(values.size());
    T total = 0;
    for (std::size_t i = 0; i < order.size(); ++i) cdf[i] = total += weights[order[i]];
    const auto threshold = static_cast<T>(total * alpha);
    std::size_t at = static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), threshold) - cdf.begin());
    return values[order[std::min(at, values.size() - 1)]];
}

}  // namespace detail

namespace objectives {

/// reg:squarederror (alias reg:linear): ½(m − y)².
struct SquaredError {
    static constexpr ObjectiveInfo info{"reg:squarederror", "rmse", LabelRule::any, ScoreDomain::any, false};
    explicit SquaredError(const ObjectiveSettings&) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        *out = {(margin[0] - label) * weight, weight};
    }
    template <class T>
    void transform(T*) const {}
    template <class T>
    T margin_of(T base_score) const { return base_score; }
};

/// The logistic loss shared by reg:logistic, binary:logistic and binary:logitraw.
struct LogisticBase {
    double scale_pos_weight;
    explicit LogisticBase(const ObjectiveSettings& s) : scale_pos_weight(s.scale_pos_weight) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        gradients(margin, &label, &weight, 1, out);
    }
    /// gradient() of `count` rows of one output each (weight may be null: all 1), exp(−m) by
    /// simd::exp.
    template <class T>
    void gradients(const T* margin, const T* label, const T* weight, std::size_t count, GradientPair<T>* out) const {
        constexpr Index chunk = 256;
        using Chunk = Eigen::Array<T, Eigen::Dynamic, 1, 0, chunk, 1>;
        using Span = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
        for (std::size_t i = 0; i < count; i += chunk) {
            const Index m = std::min(chunk, static_cast<Index>(count - i));
            Chunk e = -Span(margin + i, m);
            simd::exp(e.data(), static_cast<std::size_t>(m), e.data());
            const Span y(label + i, m);
            const Chunk p = (T(1) + e).inverse();
            Chunk w = weight ? Chunk(Span(weight + i, m)) : Chunk::Ones(m);
            w = (y == T(1)).select(w * static_cast<T>(scale_pos_weight), w);
            const Chunk grad = (p - y) * w, hess = (p * (T(1) - p)).max(T(1e-16f)) * w;
            for (Index j = 0; j < m; ++j) out[i + static_cast<std::size_t>(j)] = {grad[j], hess[j]};
        }
    }

    template <class T>
    T margin_of(T base_score) const { return -std::log(T(1) / base_score - T(1)); }
};

/// reg:logistic: logistic loss for labels in [0, 1], output a probability.
struct LogisticRegression : LogisticBase {
    static constexpr ObjectiveInfo info{"reg:logistic", "rmse", LabelRule::unit_interval, ScoreDomain::open_unit, false};
    using LogisticBase::LogisticBase;
    template <class T>
    void transform(T* v, std::size_t count = 1) const { simd::sigmoid(v, count, v); }
};

/// binary:logistic: logistic loss for 0/1 labels, output the probability of 1.
struct BinaryLogistic : LogisticBase {
    static constexpr ObjectiveInfo info{"binary:logistic", "logloss", LabelRule::binary, ScoreDomain::open_unit, false};
    using LogisticBase::LogisticBase;
    template <class T>
    void transform(T* v, std::size_t count = 1) const { simd::sigmoid(v, count, v); }
};

/// binary:logitraw: logistic loss, output the margin; base_score is a margin here (XGBoost 1.7).
struct LogitRaw : LogisticBase {
    static constexpr ObjectiveInfo info{"binary:logitraw", "logloss", LabelRule::binary, ScoreDomain::any, false};
    using LogisticBase::LogisticBase;
    template <class T>
    void transform(T*) const {}
    template <class T>
    T margin_of(T base_score) const { return base_score; }
};

/// binary:hinge: hinge loss, output 0 or 1.
struct Hinge {
    static constexpr ObjectiveInfo info{"binary:hinge", "error", LabelRule::binary, ScoreDomain::any, false};
    explicit Hinge(const ObjectiveSettings&) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        const T y = label * T(2) - T(1);
        if (margin[0] * y < T(1))
            *out = {-y * weight, weight};
        else  // XGBoost keeps the hessian positive so that the row still counts
            *out = {T(0), static_cast<T>(std::numeric_limits<float>::min())};
    }
    template <class T>
    void transform(T* v) const { v[0] = v[0] > T(0) ? T(1) : T(0); }
    template <class T>
    T margin_of(T base_score) const { return base_score; }
};

/// The softmax cross-entropy shared by multi:softmax and multi:softprob.
struct SoftmaxBase {
    int num_class;
    explicit SoftmaxBase(const ObjectiveSettings& s) : num_class(s.num_class) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        T top = margin[0];
        for (int k = 1; k < num_class; ++k) top = std::max(top, margin[k]);
        double sum = 0;
        for (int k = 0; k < num_class; ++k) {
            out[k].grad = std::exp(margin[k] - top);  // kept for the second pass: exp dominates the cost
            sum += out[k].grad;
        }
        const auto y = static_cast<int>(label);
        for (int k = 0; k < num_class; ++k) {
            T p = out[k].grad / static_cast<T>(sum);
            const T h = std::max(T(2) * p * (T(1) - p) * weight, T(1e-16f));
            if (k == y) p -= T(1);
            out[k] = {p * weight, h};
        }
    }
    /// The class probabilities of `rows` rows of num_class margins each, in place.
    template <class T>
    void softmax(T* v, std::size_t rows = 1) const { simd::softmax(v, rows, static_cast<std::size_t>(num_class)); }
    template <class T>
    T margin_of(T base_score) const { return base_score; }
};

/// multi:softprob: output one probability per class.
struct Softprob : SoftmaxBase {
    static constexpr ObjectiveInfo info{"multi:softprob", "mlogloss", LabelRule::class_index, ScoreDomain::any, true};
    using SoftmaxBase::SoftmaxBase;
    template <class T>
    void transform(T* v) const { softmax(v); }
};

/// multi:softmax: output the most probable class (its index, in the first of the row's values).
struct Softmax : SoftmaxBase {
    static constexpr ObjectiveInfo info{"multi:softmax", "mlogloss", LabelRule::class_index, ScoreDomain::any, true};
    using SoftmaxBase::SoftmaxBase;
    template <class T>
    void transform(T* v) const {
        int best = 0;
        for (int k = 1; k < num_class; ++k)
            if (v[k] > v[best]) best = k;
        v[0] = static_cast<T>(best);
    }
};

/// The log link shared by count:poisson, reg:gamma and reg:tweedie: outputs exp(margin).
struct LogLink {
    template <class T>
    void transform(T* v, std::size_t count = 1) const { simd::exp(v, count, v); }
    template <class T>
    T margin_of(T base_score) const { return std::log(base_score); }
};

/// count:poisson: Poisson log-likelihood with a log link; the hessian is inflated by
/// exp(max_delta_step) to keep early steps small, as in XGBoost (where max_delta_step
/// defaults to 0.7 under this objective, for the trees too).
struct Poisson : LogLink {
    static constexpr ObjectiveInfo info{"count:poisson", "poisson-nloglik", LabelRule::nonnegative, ScoreDomain::positive, false};
    double max_delta_step;
    explicit Poisson(const ObjectiveSettings& s) : max_delta_step(s.poisson_max_delta_step) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        *out = {(std::exp(margin[0]) - label) * weight,
                std::exp(margin[0] + static_cast<T>(max_delta_step)) * weight};
    }
};

/// reg:gamma: gamma deviance with a log link.
struct Gamma : LogLink {
    static constexpr ObjectiveInfo info{"reg:gamma", "gamma-nloglik", LabelRule::positive, ScoreDomain::positive, false};
    explicit Gamma(const ObjectiveSettings&) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        const T e = std::exp(margin[0]);
        *out = {(T(1) - label / e) * weight, label / e * weight};
    }
};

/// reg:tweedie: Tweedie deviance with variance power rho in [1, 2), log link.
struct Tweedie : LogLink {
    static constexpr ObjectiveInfo info{"reg:tweedie", "tweedie-nloglik", LabelRule::nonnegative, ScoreDomain::positive, false};
    double rho;
    explicit Tweedie(const ObjectiveSettings& s) : rho(s.tweedie_variance_power) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        const auto r = static_cast<T>(rho);
        const T a = std::exp((T(1) - r) * margin[0]);
        const T b = std::exp((T(2) - r) * margin[0]);
        *out = {(-label * a + b) * weight, (-label * (T(1) - r) * a + (T(2) - r) * b) * weight};
    }
};

/// reg:absoluteerror: |m − y|. After each tree, leaves are set to the (weighted) median of
/// their rows' residuals (adaptive leaves), and base_score is estimated as the labels' median.
struct AbsoluteError {
    static constexpr ObjectiveInfo info{"reg:absoluteerror", "mae", LabelRule::any, ScoreDomain::any, false};
    explicit AbsoluteError(const ObjectiveSettings&) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        const T d = margin[0] - label;
        *out = {static_cast<T>((d > T(0)) - (d < T(0))) * weight, weight};
    }
    template <class T>
    void transform(T*) const {}
    template <class T>
    T margin_of(T base_score) const { return base_score; }
};

/// reg:pseudohubererror: δ²(√(1 + (z/δ)²) − 1) with z = m − y and δ = huber_slope.
struct PseudoHuber {
    static constexpr ObjectiveInfo info{"reg:pseudohubererror", "mphe", LabelRule::any, ScoreDomain::any, false};
    double slope;
    explicit PseudoHuber(const ObjectiveSettings& s) : slope(s.huber_slope) {}
    template <class T>
    void gradient(const T* margin, T label, T weight, GradientPair<T>* out) const {
        const auto s2 = static_cast<T>(slope) * static_cast<T>(slope);
        const T z = margin[0] - label;
        const T scale_sqrt = std::sqrt(T(1) + z * z / s2);
        *out = {z / scale_sqrt * weight, s2 / ((s2 + z * z) * scale_sqrt) * weight};
    }
    template <class T>
    void transform(T*) const {}
    template <class T>
    T margin_of(T base_score) const { return base_score; }
};

}  // namespace objectives

/// The gradient pairs of `count` rows of a one-output objective: its own batched gradients()
/// where it has one, else gradient() row by row.
template <class Objective, class T>
void gradients_of(const Objective& objective, const T* margin, const T* label, const T* weight, std::size_t count,
                  GradientPair<T>* out) {
    if constexpr (std::is_base_of_v<objectives::LogisticBase, Objective>) {
        objective.gradients(margin, label, weight, count, out);
    } else {
        for (std::size_t i = 0; i < count; ++i) objective.gradient(margin + i, label[i], weight ? weight[i] : T(1), out + i);
    }
}

/// transform() of `rows` rows of `outputs` values each, in place: softmax objectives take the
/// rows together (their exps in SIMD), the others row by row.
template <class Objective, class T>
void transform_rows(const Objective& objective, T* v, std::size_t rows, std::size_t outputs) {
    if constexpr (std::is_same_v<Objective, objectives::Softprob>) {
        objective.softmax(v, rows);
    } else if constexpr (std::is_base_of_v<objectives::LogisticBase, Objective> &&
                         !std::is_same_v<Objective, objectives::LogitRaw>) {
        objective.transform(v, rows);  // one output per row: the block at once, in SIMD
    } else if constexpr (std::is_base_of_v<objectives::LogLink, Objective>) {
        objective.transform(v, rows);
    } else {
        for (std::size_t r = 0; r < rows; ++r) objective.transform(v + r * outputs);
    }
}

/// Every objective, listed once.
using AnyObjective =
    std::variant<objectives::SquaredError, objectives::LogisticRegression, objectives::BinaryLogistic,
                 objectives::LogitRaw, objectives::Hinge, objectives::Softmax, objectives::Softprob,
                 objectives::Poisson, objectives::Gamma, objectives::Tweedie, objectives::AbsoluteError,
                 objectives::PseudoHuber>;

namespace detail {

template <std::size_t... I>
constexpr auto objective_infos(std::index_sequence<I...>) {
    return std::array<ObjectiveInfo, sizeof...(I)>{std::variant_alternative_t<I, AnyObjective>::info...};
}

/// XGBoost's deprecated name for reg:squarederror.
inline std::string canonical_objective(const std::string& name) {
    return name == "reg:linear" ? "reg:squarederror" : name;
}

template <std::size_t I>
AnyObjective make_one(const ObjectiveSettings& settings) {
    return AnyObjective(std::in_place_index<I>, settings);
}

template <std::size_t... I>
AnyObjective make_objective(std::size_t index, const ObjectiveSettings& settings, std::index_sequence<I...>) {
    using Factory = AnyObjective (*)(const ObjectiveSettings&);
    static constexpr Factory factories[] = {&make_one<I>...};
    return factories[index](settings);
}

}  // namespace detail

/// The registry's entries, in AnyObjective's order.
inline const auto& objective_infos() {
    static constexpr auto infos = detail::objective_infos(std::make_index_sequence<std::variant_size_v<AnyObjective>>{});
    return infos;
}

/// The objective called `name` (reg:linear is read as reg:squarederror); unknown names list the valid ones.
inline const ObjectiveInfo& find_objective(const std::string& name) {
    return find_named(objective_infos(), detail::canonical_objective(name), "xgboost: unknown objective");
}

/// The objective called `name`, configured by `settings`.
inline AnyObjective make_objective(const std::string& name, const ObjectiveSettings& settings) {
    const ObjectiveInfo& info = find_objective(name);
    const auto index = static_cast<std::size_t>(&info - objective_infos().data());
    return detail::make_objective(index, settings, std::make_index_sequence<std::variant_size_v<AnyObjective>>{});
}

/// Throws unless base_score maps to a finite margin under this objective.
inline void check_base_score(const ObjectiveInfo& info, double base_score) {
    const bool ok = info.base_score == ScoreDomain::open_unit  ? base_score > 0.0 && base_score < 1.0
                    : info.base_score == ScoreDomain::positive ? base_score > 0.0
                                                               : std::isfinite(base_score);
    if (!ok)
        throw invalid_argument(errc::out_of_range,
                               std::string("xgboost: hyperparameter base_score = ") + std::to_string(base_score) +
                                   " is out of range for " + info.name + "; expected " +
                                   (info.base_score == ScoreDomain::open_unit ? "a number in (0, 1)"
                                    : info.base_score == ScoreDomain::positive ? "a number > 0"
                                                                               : "a finite number"));
}

/// What the labels of `info` must be, for error messages.
inline std::string label_expectation(const ObjectiveInfo& info, int num_class) {
    switch (info.labels) {
        case LabelRule::any: return "a finite number";
        case LabelRule::unit_interval: return "a number in [0, 1]";
        case LabelRule::binary: return "0 or 1";
        case LabelRule::nonnegative: return "a number >= 0";
        case LabelRule::positive: return "a number > 0";
        case LabelRule::class_index: return "an integer class in [0, " + std::to_string(num_class) + ")";
    }
    return "";
}

/// Whether one label is acceptable under `info` (NaN never is).
template <class T>
bool label_ok(const ObjectiveInfo& info, T y, int num_class) {
    if (!std::isfinite(y)) return false;
    switch (info.labels) {
        case LabelRule::any: return true;
        case LabelRule::unit_interval: return y >= T(0) && y <= T(1);
        case LabelRule::binary: return y == T(0) || y == T(1);
        case LabelRule::nonnegative: return y >= T(0);
        case LabelRule::positive: return y > T(0);
        case LabelRule::class_index: return y >= T(0) && y < static_cast<T>(num_class) && y == std::floor(y);
    }
    return false;
}

}  // namespace shelf::gbt
