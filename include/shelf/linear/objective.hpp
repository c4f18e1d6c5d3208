// shelf/linear/objective.hpp: a loss applied to a block of scores of several models at once.
#pragma once

#include <type_traits>

#include <Eigen/Core>

#include "data.hpp"
#include "losses.hpp"

namespace shelf::linear::detail {

/// How much a row counts: binary positives weigh `positive` (one value per model, which
/// may each have their own positive_example_weight_mult); multiclass rows weigh
/// per_class[label]; other rows weigh 1.
template <class T>
struct RowWeights {
    const RowArray<T>* positive = nullptr;
    const Vector<T>* per_class = nullptr;
};

/// For each row r of `scores` (rows × models·classes, `classes` adjacent columns per
/// model) with label y[r]: adds each model's weighted loss to loss_sum (when given,
/// one entry per model) and, when `gradient` is set, replaces the scores by the
/// weighted derivatives of the loss with respect to them. Without `gradient`, softmax
/// scores are left as scratch values: pass a copy when they are needed afterwards.
template <class T, class Scores>
void apply_loss(Loss id, const LossSettings& settings, Scores& scores, const T* y, Index classes,
                const RowWeights<T>& weights, RowArray<double>* loss_sum, bool gradient) {
    RowArray<T> value(scores.cols());  // evaluated in T, so that Eigen vectorizes it, then summed in double
    RowArray<double> loss_row;
    with_loss(id, settings, [&](const auto& loss) {
        using L = std::decay_t<decltype(loss)>;
        if constexpr (std::is_same_v<L, losses::Logistic>) {
            // exp, log and σ over the whole block at once: a row holds only a thread's share of
            // the models, often fewer than one SIMD register, and Eigen computes such a row with
            // scalar expf and logf (a fifth of a binary sweep's time). The loss is linear in its
            // label, so each row's label comes after: value(s, 0) − y·s, derivative(s, 0) − y.
            if (loss_sum) {
                const RowMatrix<T> at_zero = loss.value(scores.array(), T(0)).matrix();
                for (Index r = 0; r < scores.rows(); ++r) {
                    value = at_zero.row(r).array() - y[r] * scores.row(r).array();
                    if (weights.positive && y[r] == T(1)) value *= *weights.positive;
                    *loss_sum += value.template cast<double>();
                }
            }
            if (gradient) {
                scores = loss.derivative(scores.array(), T(0)).matrix();
                for (Index r = 0; r < scores.rows(); ++r) {
                    auto s = scores.row(r).array();
                    s -= y[r];
                    if (weights.positive && y[r] == T(1)) s *= *weights.positive;
                }
            }
            return;
        }
        for (Index r = 0; r < scores.rows(); ++r) {
            const T label = y[r];
            if constexpr (std::is_same_v<L, losses::Softmax>) {
                const auto c = static_cast<Index>(label);
                const T w = weights.per_class ? (*weights.per_class)[c] : T(1);
                auto s = scores.row(r).array();
                if (loss_sum && w != T(1)) {
                    loss_row.setZero(loss_sum->size());
                    loss.evaluate(s, classes, c, loss_row.data(), gradient);
                    *loss_sum += double(w) * loss_row;
                } else {
                    loss.evaluate(s, classes, c, loss_sum ? loss_sum->data() : nullptr, gradient);
                }
                if (gradient && w != T(1)) s *= w;
            } else {
                auto s = scores.row(r).array();
                const bool weighted = weights.positive && label == T(1);
                if (loss_sum) {
                    value = loss.value(s, label);
                    if (weighted) value *= *weights.positive;
                    *loss_sum += value.template cast<double>();
                }
                if (gradient) {
                    s = loss.derivative(s, label);
                    if (weighted) s *= *weights.positive;
                }
            }
        }
    });
}

}  // namespace shelf::linear::detail
