// shelf/factorization/optimizer.hpp: one step along a mini-batch's gradient, SGD or AdaGrad.
#pragma once

#include <algorithm>
#include <cmath>

#include "gradient.hpp"
#include "params.hpp"
#include "predict.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/simd/multiply_add.hpp"

namespace shelf::fm::detail {

/// Moves the parameters a gradient touches: SGD, θ −= rate·g; or AdaGrad, h += g²,
/// θ −= rate·g / (√h + eps), with h summed per coordinate over every step so far.
template <class T>
class Optimizer {
public:
    Optimizer(const Params& p, Index feature_dim, Index num_factors)
        : adagrad_(p.solver == Solver::adagrad),
          bias_lr_(T(p.bias_lr)),
          linear_lr_(T(p.linear_lr)),
          factors_lr_(T(p.factors_lr)),
          eps_(T(p.eps)) {
        if (adagrad_) history_ = {T(0), Vector<T>::Zero(feature_dim), RowMatrix<T>::Zero(feature_dim, num_factors)};
    }

    void step(Weights<T>& w, const Gradient<T>& g, int threads) {
        const Index k = w.num_factors(), n = static_cast<Index>(g.features.size());
        if (adagrad_) adagrad(w.bias, history_.bias, g.bias, bias_lr_);
        else w.bias = simd::multiply_add(-bias_lr_, g.bias, w.bias);
        constexpr Index block = 256;
        const Index blocks = (n + block - 1) / block;
        parallel_for(team_size(threads, blocks, static_cast<double>(n * (k + 1))), blocks, Schedule::even, [&](Index b) {
            for (Index t = b * block; t < std::min(n, (b + 1) * block); ++t) {
                const Index j = g.features[static_cast<std::size_t>(t)];
                const T* grad = g.of(static_cast<std::size_t>(t), k);
                T* v = w.factors.data() + j * k;
                if (adagrad_) {
                    T* h = history_.factors.data() + j * k;
                    adagrad(w.linear[j], history_.linear[j], grad[0], linear_lr_);
                    for (Index f = 0; f < k; ++f) adagrad(v[f], h[f], grad[1 + f], factors_lr_);
                } else {
                    w.linear[j] = simd::multiply_add(-linear_lr_, grad[0], w.linear[j]);
                    for (Index f = 0; f < k; ++f) v[f] = simd::multiply_add(-factors_lr_, grad[1 + f], v[f]);
                }
            }
        });
    }

private:
    void adagrad(T& theta, T& history, T g, T rate) const {
        history = simd::multiply_add(g, g, history);
        theta -= rate * g / (std::sqrt(history) + eps_);
    }

    bool adagrad_;
    T bias_lr_, linear_lr_, factors_lr_, eps_;
    Weights<T> history_;  ///< AdaGrad's sums of squared gradients, shaped as the parameters; SGD keeps none
};

}  // namespace shelf::fm::detail
