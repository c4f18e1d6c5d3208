// shelf/linear/objective.hpp: a loss applied to a block of scores of several models at once.
#pragma once

#include <algorithm>
#include <type_traits>

#include <Eigen/Core>

#include "data.hpp"
#include "losses.hpp"
#include "shelf/simd/math.hpp"

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
/// weighted derivatives of the loss with respect to them; without `gradient` they are left
/// as they are.
template <class T>
void apply_loss(Loss id, const LossSettings& settings, RowMatrix<T>& scores, const T* y, Index classes,
                const RowWeights<T>& weights, RowArray<double>* loss_sum, bool gradient) {
    with_loss(id, settings, [&](const auto& loss) {
        using L = std::decay_t<decltype(loss)>;
        constexpr bool logistic = std::is_same_v<L, losses::Logistic>, softmax = std::is_same_v<L, losses::Softmax>;
        if constexpr (logistic || softmax) {
            // The SIMD kernels, over blocks of whole rows: a row holds only a thread's share of
            // the models, often less than one register. Losses are summed per model in double.
            constexpr Index room = 4096;  // num_models' upper bound: a row's losses always fit
            alignas(64) double block_loss[room];
            const Index cols = scores.cols(), models = cols / classes;
            const Index per = std::max<Index>(1, room / std::max<Index>(models, 1));
            for (Index r0 = 0; r0 < scores.rows(); r0 += per) {
                const Index m = std::min(per, scores.rows() - r0);
                T* z = scores.data() + r0 * cols;
                double* out = loss_sum ? block_loss : nullptr;
                if constexpr (logistic)
                    simd::logistic_loss(z, std::size_t(m), std::size_t(cols), y + r0, gradient ? z : nullptr, out);
                else
                    simd::softmax_loss(z, std::size_t(m * models), std::size_t(classes), std::size_t(models), y + r0,
                                       gradient ? z : nullptr, out);
                for (Index r = 0; r < m; ++r) {
                    const T label = y[r0 + r];
                    // Binary positives weigh per model, multiclass rows per class.
                    const T* per_model = logistic && weights.positive && label == T(1) ? weights.positive->data() : nullptr;
                    const T per_row = softmax && weights.per_class ? (*weights.per_class)[Index(label)] : T(1);
                    if (gradient && per_model) scores.row(r0 + r).array() *= *weights.positive;
                    if (gradient && per_row != T(1)) scores.row(r0 + r) *= per_row;
                    if (!loss_sum) continue;
                    const double* row = block_loss + r * models;  // a plain loop: Eigen's colwise sum strides
                    double* sum = loss_sum->data();
                    for (Index k = 0; k < models; ++k)
                        sum[k] += row[k] * double(per_row) * (per_model ? double(per_model[k]) : 1.0);
                }
            }
        } else {
            RowArray<T> value(scores.cols());  // evaluated in T, so that Eigen vectorizes it, then summed in double
            for (Index r = 0; r < scores.rows(); ++r) {
                const T label = y[r];
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
