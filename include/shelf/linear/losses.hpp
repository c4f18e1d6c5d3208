// shelf/linear/losses.hpp: every training objective of the linear learner, in one registry.
//
// A loss is a small struct. The element-wise ones give value(s, y) and
// derivative(s, y) (with respect to the score s) as Eigen array expressions, so
// that one row of scores, one column per model, is evaluated in SIMD batches;
// y is that row's label. Softmax is the one loss over a vector of scores (one per
// class): evaluate() gives the loss and gradient of every model's segment of a row.
// with_loss() turns the runtime choice into the compile-time type once per call;
// for_each_loss() lists every entry, for the conformance test.
#pragma once

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "params.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/math.hpp"

namespace shelf::linear {

/// The loss hyperparameters, in the units the loss sees.
struct LossSettings {
    double margin = 1.0;
    double quantile = 0.5;
    double huber_delta = 1.0;
    double insensitivity = 0.01;
};

namespace losses {

/// −log σ(s) for y = 1, −log(1 − σ(s)) for y = 0; written softplus(s) − y·s, stable for any s.
/// (log(1 + e) rather than log1p(e): Eigen vectorizes log, not log1p; for e < ε the
/// difference is below e, far under the loss's own rounding.)
struct Logistic {
    static constexpr Loss id = Loss::logistic;
    static constexpr PredictorType target = PredictorType::binary_classifier;
    template <class A, class T>
    auto value(const A& s, T y) const {
        return s.max(T(0)) + (T(1) + (-s.abs()).exp()).log() - y * s;
    }
    template <class A, class T>
    auto derivative(const A& s, T y) const {
        return s.logistic() - y;
    }
};

/// max(0, margin − ỹ·s) with ỹ = 2y − 1 in {−1, +1}.
struct Hinge {
    static constexpr Loss id = Loss::hinge_loss;
    static constexpr PredictorType target = PredictorType::binary_classifier;
    double margin = 1.0;
    template <class A, class T>
    auto value(const A& s, T y) const {
        return (T(margin) - (2 * y - 1) * s).max(T(0));
    }
    template <class A, class T>
    auto derivative(const A& s, T y) const {
        return -(2 * y - 1) * (T(margin) - (2 * y - 1) * s > T(0)).template cast<T>();
    }
};

/// (s − y)²: its mean is the MSE.
struct Squared {
    static constexpr Loss id = Loss::squared_loss;
    static constexpr PredictorType target = PredictorType::regressor;
    template <class A, class T>
    auto value(const A& s, T y) const {
        return (s - y).square();
    }
    template <class A, class T>
    auto derivative(const A& s, T y) const {
        return T(2) * (s - y);
    }
};

/// |s − y|.
struct Absolute {
    static constexpr Loss id = Loss::absolute_loss;
    static constexpr PredictorType target = PredictorType::regressor;
    template <class A, class T>
    auto value(const A& s, T y) const {
        return (s - y).abs();
    }
    template <class A, class T>
    auto derivative(const A& s, T y) const {
        return (s - y).sign();
    }
};

/// max(0, |s − y| − ε)².
struct EpsInsensitiveSquared {
    static constexpr Loss id = Loss::eps_insensitive_squared_loss;
    static constexpr PredictorType target = PredictorType::regressor;
    double insensitivity = 0.01;
    template <class A, class T>
    auto value(const A& s, T y) const {
        return ((s - y).abs() - T(insensitivity)).max(T(0)).square();
    }
    template <class A, class T>
    auto derivative(const A& s, T y) const {
        return T(2) * ((s - y).abs() - T(insensitivity)).max(T(0)) * (s - y).sign();
    }
};

/// max(0, |s − y| − ε).
struct EpsInsensitiveAbsolute {
    static constexpr Loss id = Loss::eps_insensitive_absolute_loss;
    static constexpr PredictorType target = PredictorType::regressor;
    double insensitivity = 0.01;
    template <class A, class T>
    auto value(const A& s, T y) const {
        return ((s - y).abs() - T(insensitivity)).max(T(0));
    }
    template <class A, class T>
    auto derivative(const A& s, T y) const {
        return ((s - y).abs() > T(insensitivity)).template cast<T>() * (s - y).sign();
    }
};

/// The pinball loss τ·max(y − s, 0) + (1 − τ)·max(s − y, 0): its minimiser is the τ-quantile.
struct Quantile {
    static constexpr Loss id = Loss::quantile_loss;
    static constexpr PredictorType target = PredictorType::regressor;
    double quantile = 0.5;
    template <class A, class T>
    auto value(const A& s, T y) const {
        return T(quantile) * (y - s).max(T(0)) + T(1 - quantile) * (s - y).max(T(0));
    }
    template <class A, class T>
    auto derivative(const A& s, T y) const {
        return T(1 - quantile) * (s > y).template cast<T>() - T(quantile) * (s < y).template cast<T>();
    }
};

/// ½r² for |r| ≤ δ, δ·(|r| − ½δ) beyond, with r = s − y.
struct Huber {
    static constexpr Loss id = Loss::huber_loss;
    static constexpr PredictorType target = PredictorType::regressor;
    double huber_delta = 1.0;
    template <class A, class T>
    auto value(const A& s, T y) const {
        const T delta = T(huber_delta);
        return ((s - y).abs() <= delta)
            .select(T(0.5) * (s - y).square(), delta * ((s - y).abs() - T(0.5) * delta));
    }
    template <class A, class T>
    auto derivative(const A& s, T y) const {
        return (s - y).max(T(-huber_delta)).min(T(huber_delta));
    }
};

/// −log softmax(s)_y over each model's class scores. A row holds K models' scores,
/// `classes` adjacent entries each; the exponentials are taken over the whole row at once.
struct Softmax {
    static constexpr Loss id = Loss::softmax_loss;
    static constexpr PredictorType target = PredictorType::multiclass_classifier;
    /// Adds each model's loss to loss[k] (when loss is not null) and, when `gradient`, replaces
    /// the row by softmax(s) − one_hot(y) per model: simd::softmax_loss on one row (the
    /// trainer calls the kernel on whole blocks of rows).
    template <class A>
    void evaluate(A&& s, Index classes, Index y, double* loss, bool gradient) const {
        using T = typename std::decay_t<A>::Scalar;
        const Index models = s.size() / classes;
        std::vector<double> each(static_cast<std::size_t>(loss ? models : 0));
        const T label = T(y);
        simd::softmax_loss(s.data(), std::size_t(models), std::size_t(classes), std::size_t(models), &label,
                           gradient ? s.data() : nullptr, loss ? each.data() : nullptr);
        for (std::size_t k = 0; k < each.size(); ++k) loss[k] += each[k];
    }
};

}  // namespace losses

/// Calls f(loss) with the loss struct `id` names, set up from `settings`.
template <class F>
decltype(auto) with_loss(Loss id, const LossSettings& settings, F&& f) {
    switch (id) {
        case Loss::logistic: return f(losses::Logistic{});
        case Loss::hinge_loss: return f(losses::Hinge{settings.margin});
        case Loss::squared_loss: return f(losses::Squared{});
        case Loss::absolute_loss: return f(losses::Absolute{});
        case Loss::eps_insensitive_squared_loss: return f(losses::EpsInsensitiveSquared{settings.insensitivity});
        case Loss::eps_insensitive_absolute_loss: return f(losses::EpsInsensitiveAbsolute{settings.insensitivity});
        case Loss::quantile_loss: return f(losses::Quantile{settings.quantile});
        case Loss::huber_loss: return f(losses::Huber{settings.huber_delta});
        case Loss::softmax_loss: return f(losses::Softmax{});
    }
    throw invalid_argument(errc::bad_value, "linear-learner: unknown loss");
}

/// Calls f(loss) for every loss, set up from `settings`.
template <class F>
void for_each_loss(const LossSettings& settings, F&& f) {
    for (const auto& entry : loss_names) with_loss(entry.first, settings, f);
}

/// The predictor type a loss trains.
inline PredictorType target_of(Loss id) {
    return with_loss(id, {}, [](auto loss) { return decltype(loss)::target; });
}

/// What `loss = auto` means for each predictor type.
inline Loss default_loss(PredictorType type) {
    switch (type) {
        case PredictorType::binary_classifier: return Loss::logistic;
        case PredictorType::multiclass_classifier: return Loss::softmax_loss;
        case PredictorType::regressor: break;
    }
    return Loss::squared_loss;
}

/// Throws invalid_argument(inconsistent), listing the valid losses, unless `loss` trains `type`.
inline void require_loss_for(Loss loss, PredictorType type) {
    if (target_of(loss) == type) return;
    std::vector<std::string> valid;
    for (const auto& entry : loss_names)
        if (target_of(entry.first) == type) valid.emplace_back(entry.second);
    throw invalid_argument(errc::inconsistent, std::string("linear-learner: loss = ") +
                                                   shelf::detail::format_value(loss) + " does not train a " +
                                                   shelf::detail::format_value(type) + "; expected one of " +
                                                   shelf::detail::join(valid) + " (or auto)");
}

}  // namespace shelf::linear
