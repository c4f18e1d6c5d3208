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
/// weighted derivatives of the loss with respect to them. Without `gradient`, softmax
/// scores are left as scratch values: pass a copy when they are needed afterwards.
template <class T>
void apply_loss(Loss id, const LossSettings& settings, RowMatrix<T>& scores, const T* y, Index classes,
                const RowWeights<T>& weights, RowArray<double>* loss_sum, bool gradient) {
    RowArray<T> value(scores.cols());  // evaluated in T, so that Eigen vectorizes it, then summed in double
    RowArray<double> loss_row;
    with_loss(id, settings, [&](const auto& loss) {
        using L = std::decay_t<decltype(loss)>;
        if constexpr (std::is_same_v<L, losses::Logistic>) {
            // One exp per score, in SIMD over blocks of whole rows: a row holds only a thread's
            // share of the models, often less than one register. Summed per model in double.
            constexpr Index room = 4096;  // num_models' upper bound: a row always fits
            alignas(64) double block_loss[room];
            const Index cols = scores.cols(), per = std::max<Index>(1, room / std::max<Index>(cols, 1));
            for (Index r0 = 0; r0 < scores.rows(); r0 += per) {
                const Index m = std::min(per, scores.rows() - r0);
                T* z = scores.data() + r0 * cols;
                simd::logistic_loss(z, static_cast<std::size_t>(m), static_cast<std::size_t>(cols), y + r0,
                                    gradient ? z : nullptr, loss_sum ? block_loss : nullptr);
                for (Index r = 0; r < m; ++r) {
                    const bool weighted = weights.positive && y[r0 + r] == T(1);
                    if (weighted && gradient) scores.row(r0 + r).array() *= *weights.positive;
                    if (!loss_sum) continue;
                    const double* row = block_loss + r * cols;  // a plain loop: Eigen's colwise sum strides
                    double* sum = loss_sum->data();
                    if (weighted)
                        for (Index c = 0; c < cols; ++c) sum[c] += row[c] * double((*weights.positive)[c]);
                    else
                        for (Index c = 0; c < cols; ++c) sum[c] += row[c];
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
