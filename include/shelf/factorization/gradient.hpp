// shelf/factorization/gradient.hpp: the gradient of one mini-batch, on the features it touches.
//
// The objective of a mini-batch B of m rows is the mean loss, (1/m) Σ_r ℓ(ŷ_r, y_r) (ℓ the
// logistic loss of a 0/1 label, or ½(ŷ − y)²), plus ½·wd·θ² on the bias and on every linear
// weight and latent vector of a feature that occurs in B: decay touches what the batch touches,
// as the platform's sparse updates do, so a rare feature is not shrunk by the batches it is
// absent from. Each coordinate of the loss part is multiplied by rescale_grad and clipped to
// ±clip_gradient before its decay is added (the order of MXNet's optimizers).
//
// The work splits in two passes, neither of which depends on the thread count: the rows (ŷ, the
// sums Σ_i v_if x_i, the loss derivative), in parallel by row; then the features, in parallel by
// feature, each summing its rows' contributions in row order. The batch is transposed first (a
// counting sort of its entries by feature), so no thread ever adds into another's gradient and
// nothing of size feature_dim × num_factors is cleared per batch.
#pragma once

#include <algorithm>
#include <optional>
#include <vector>

#include "by_feature.hpp"
#include "predict.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/math.hpp"
#include "shelf/simd/multiply_add.hpp"

namespace shelf::fm::detail {

/// What a mini-batch's gradient depends on besides the data and the parameters.
struct GradientSettings {
    bool classifier = false;
    double rescale = 1;
    std::optional<double> clip;
    double bias_wd = 0, linear_wd = 0, factors_wd = 0;
};

/// A mini-batch's gradient: the bias's, and for each touched feature its linear weight's and its
/// latent vector's.
template <class T>
struct Gradient {
    T bias = 0;
    std::vector<Index> features;  ///< the features the batch touches, in order of first occurrence
    std::vector<T> values;        ///< per touched feature: ∂/∂w_j, then ∂/∂v_j (num_factors values)
    double loss = 0;              ///< Σ of the batch's row losses, before the step

    /// The num_factors + 1 values of touched feature t.
    T* of(std::size_t t, Index k) { return values.data() + t * static_cast<std::size_t>(k + 1); }
    const T* of(std::size_t t, Index k) const { return values.data() + t * static_cast<std::size_t>(k + 1); }
};

/// The buffers of the gradient computation, kept from one mini-batch to the next.
template <class T>
class MiniBatch {
public:
    MiniBatch(Index feature_dim, Index num_factors) : k_(num_factors), columns_(feature_dim) {}

    /// The gradient of the objective of rows batch[0 .. m) of `rows` (labels y) at `w`.
    template <class Rows>
    void gradient(const Weights<T>& w, const Rows& rows, const VectorView<T>& y, const Index* batch, Index m,
                  const GradientSettings& s, int threads, Gradient<T>& out) {
        columns_.build(rows, batch, m, out.features);
        score_rows(w, rows, y, batch, m, s.classifier, threads);
        double loss = 0;
        T bias = 0;
        for (Index r = 0; r < m; ++r) {
            loss += row_loss_[static_cast<std::size_t>(r)];
            bias += derivative_[static_cast<std::size_t>(r)];
        }
        out.loss = loss;
        out.bias = finish(bias, w.bias, s, s.bias_wd);
        feature_gradients(w, s, threads, out);
    }

private:
    static constexpr Index block = 64;  ///< rows or features per parallel task

    T finish(T loss_part, T theta, const GradientSettings& s, double wd) const {
        T g = loss_part * T(s.rescale);
        if (s.clip) g = std::clamp(g, T(-*s.clip), T(*s.clip));
        return simd::multiply_add(T(wd), theta, g);
    }

    /// Per row r of the batch: ŷ, the sums Σ_i v_if x_i, the loss and the derivative of the
    /// mean loss in ŷ.
    template <class Rows>
    void score_rows(const Weights<T>& w, const Rows& rows, const VectorView<T>& y, const Index* batch, Index m,
                    bool classifier, int threads) {
        const auto size = static_cast<std::size_t>(m);
        sums_.resize(size * static_cast<std::size_t>(k_));
        score_.resize(size);
        derivative_.resize(size);
        row_loss_.resize(size);
        struct Scratch {
            std::vector<T> squares, labels;
        };
        const Index blocks = (m + block - 1) / block;
        const double work = 2.0 * static_cast<double>(columns_.row.size()) * static_cast<double>(k_);
        const T inverse_m = T(1) / T(m);
        parallel_for(
            team_size(threads, blocks, work), blocks, Schedule::even,
            [&](int) {
                return Scratch{std::vector<T>(static_cast<std::size_t>(k_)), std::vector<T>(std::size_t{block})};
            },
            [&](Index b, Scratch& scratch) {
                const Index first = b * block, count = std::min(block, m - first);
                for (Index r = first; r < first + count; ++r)
                    score_[static_cast<std::size_t>(r)] = score_row(w.view(), rows, batch[r], sums_.data() + r * k_,
                                                                    scratch.squares.data());
                T* z = score_.data() + first;
                T* g = derivative_.data() + first;
                const auto label = [&](Index r) { return y[batch[first + r]]; };
                if (!classifier) {
                    for (Index r = 0; r < count; ++r) {
                        const T e = z[r] - label(r);
                        g[r] = e * inverse_m;
                        row_loss_[static_cast<std::size_t>(first + r)] = 0.5 * double(e) * double(e);
                    }
                    return;
                }
                // ℓ = log(1 + e^ŷ) − yŷ, ∂ℓ/∂ŷ = σ(ŷ) − y.
                for (Index r = 0; r < count; ++r) scratch.labels[static_cast<std::size_t>(r)] = label(r);
                simd::logistic_loss(z, static_cast<std::size_t>(count), 1, scratch.labels.data(), g,
                                    row_loss_.data() + first);
                for (Index r = 0; r < count; ++r) g[r] *= inverse_m;
            });
    }

    /// Per touched feature j: Σ_r g_r x_rj for w_j and Σ_r g_r x_rj (s_rf − v_jf x_rj) for v_jf,
    /// over its entries in row order, then rescaled, clipped and decayed.
    void feature_gradients(const Weights<T>& w, const GradientSettings& s, int threads, Gradient<T>& out) const {
        const std::size_t touched = out.features.size();
        out.values.resize(touched * static_cast<std::size_t>(k_ + 1));
        const auto n = static_cast<Index>(touched), blocks = (n + block - 1) / block;
        const double work = 2.0 * static_cast<double>(columns_.row.size()) * static_cast<double>(k_);
        parallel_for(team_size(threads, blocks, work), blocks, Schedule::even, [&](Index b) {
            for (Index t = b * block; t < std::min(n, (b + 1) * block); ++t) {
                const auto slot = static_cast<std::size_t>(t);
                const Index j = out.features[slot];
                T* grad = out.of(slot, k_);
                T* factors = grad + 1;
                std::fill(grad, grad + k_ + 1, T(0));
                T squared = 0;  // Σ_r g_r x_rj²
                for (Index e = columns_.start[slot]; e < columns_.start[slot + 1]; ++e) {
                    const Index r = columns_.row[static_cast<std::size_t>(e)];
                    const T x = columns_.value[static_cast<std::size_t>(e)];
                    const T a = derivative_[static_cast<std::size_t>(r)] * x;
                    grad[0] += a;
                    squared = simd::multiply_add(a, x, squared);
                    const T* sums = sums_.data() + r * k_;
                    for (Index f = 0; f < k_; ++f) factors[f] = simd::multiply_add(a, sums[f], factors[f]);
                }
                const T* v = w.factors.data() + j * k_;
                grad[0] = finish(grad[0], w.linear[j], s, s.linear_wd);
                for (Index f = 0; f < k_; ++f)
                    factors[f] = finish(simd::multiply_add(-squared, v[f], factors[f]), v[f], s, s.factors_wd);
            }
        });
    }

    Index k_;
    ByFeature<T> columns_;
    std::vector<T> sums_, score_, derivative_;
    std::vector<double> row_loss_;
};

}  // namespace shelf::fm::detail
