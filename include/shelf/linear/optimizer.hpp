// shelf/linear/optimizer.hpp: sgd with momentum, adam and rmsprop over a d × M weight
// matrix whose M columns belong to models with their own learning rate and L1, followed
// by the L1 proximal step (soft-thresholding), so weights do become exactly zero.
//
// With adam and rmsprop the soft-threshold is scaled by the same per-coordinate factor
// as the step (lr / (√v̂ + ε)), the proximal step of the preconditioned problem, so a
// fixed point is still a minimum of loss + l1·|w|. rmsprop keeps beta_2's running
// average of squared gradients and, as adam does, corrects its bias toward zero in the
// first steps (otherwise they are up to 1/√(1 − beta_2) ≈ 32 times too long).
#pragma once

#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "data.hpp"
#include "params.hpp"
#include "shelf/core/types.hpp"

namespace shelf::linear::detail {

struct OptimizerSettings {
    Optimizer kind = Optimizer::adam;
    double beta_1 = 0.9, beta_2 = 0.999, momentum = 0.9;
};

/// The optimizer's memory for d weight rows and one bias row of M columns. Columns are
/// independent: threads may update disjoint column ranges of the same rows at once.
template <class T>
class OptimizerState {
public:
    OptimizerState(const OptimizerSettings& settings, Index rows, Index cols) : s_(settings) {
        if (s_.kind != Optimizer::rmsprop) first_ = RowMatrix<T>::Zero(rows + 1, cols);
        if (s_.kind != Optimizer::sgd) second_ = RowMatrix<T>::Zero(rows + 1, cols);
    }

    /// Adam's and rmsprop's bias corrections at a step (counted from 1).
    struct Step {
        T first, second;
    };
    Step step(long long number) const {
        return {T(1 - std::pow(s_.beta_1, double(number))), T(1 - std::pow(s_.beta_2, double(number)))};
    }

    /// One step on rows j0 .. j0 + w.rows() and columns first .. first + w.cols() of the
    /// weights (row d is the bias row, which has no L1): gradient g, step sizes lr and L1
    /// penalties l1 of those columns. Row by row: an expression that broadcasts lr or l1 over
    /// the block (rowwise(), replicate()) is evaluated one scalar at a time, square roots and
    /// divisions included, while a row's are SIMD. `scratch` is the caller's.
    template <class W, class G>
    void update(Index j0, Index first, const Step& step, W&& w, const G& g, const RowArray<T>& lr,
                const RowArray<T>* l1, RowMatrix<T>& scratch) {
        constexpr T eps = T(1e-8);
        const Index rows = w.rows(), width = w.cols();
        if (scratch.rows() < 1 || scratch.cols() != width) scratch.resize(1, width);
        auto step_size = scratch.row(0).array();  // a row's per-coordinate step
        for (Index r = 0; r < rows; ++r) {
            auto weights = w.row(r);
            const auto gradient = g.row(r);
            if (s_.kind == Optimizer::sgd) {
                auto velocity = first_.row(j0 + r).segment(first, width).array();
                velocity = T(s_.momentum) * velocity + gradient;
                weights -= velocity * lr;
                if (l1) shrink(weights, lr * *l1);
                continue;
            }
            auto second = second_.row(j0 + r).segment(first, width).array();
            second = T(s_.beta_2) * second + T(1 - s_.beta_2) * gradient.square();
            step_size = lr / ((second / step.second).sqrt() + eps);
            if (s_.kind == Optimizer::adam) {
                auto moment = first_.row(j0 + r).segment(first, width).array();
                moment = T(s_.beta_1) * moment + T(1 - s_.beta_1) * gradient;
                weights -= step_size * moment / step.first;
            } else {
                weights -= step_size * gradient;
            }
            if (l1) shrink(weights, step_size * *l1);
        }
    }

    /// Keeps only the listed columns (models that stopped are dropped).
    void keep_columns(const std::vector<Index>& columns) {
        if (first_.size()) first_ = RowMatrix<T>(first_(Eigen::all, columns));
        if (second_.size()) second_ = RowMatrix<T>(second_(Eigen::all, columns));
    }

private:
    /// The L1 proximal operator: sign(w) · max(|w| − threshold, 0).
    template <class W, class Threshold>
    static void shrink(W&& w, const Threshold& threshold) {
        w = w.sign() * (w.abs() - threshold).max(T(0));
    }

    OptimizerSettings s_;
    RowMatrix<T> first_;   ///< sgd: velocity; adam: first moment
    RowMatrix<T> second_;  ///< adam, rmsprop: second moment
};

}  // namespace shelf::linear::detail
