// shelf/factorization/predict.hpp: a factorization machine's parameters and its prediction
// ŷ = w0 + Σ_i w_i x_i + Σ_{i<j} <v_i, v_j> x_i x_j, in O(k·nnz) per row.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/multiply_add.hpp"

namespace shelf::fm::detail {

/// w0, w and V of a model, viewed. MCMC's average of S samples is one such model: the mean
/// w0 and w (ŷ is linear in them) and every sample's factors side by side (k = S × num_factors)
/// with the pairwise term scaled by 1/S, as the mean of the samples' pairwise terms.
template <class T>
struct WeightsView {
    T bias;
    const T* linear;   ///< feature_dim values
    const T* factors;  ///< feature j's k factors from factors + j·stride
    Index k;
    T pair_scale;      ///< ½, or ½ / S for S samples
    Index stride;      ///< k, or S·k for one sample among S side by side
};

/// w0, w and V.
template <class T>
struct Weights {
    T bias = 0;
    Vector<T> linear;      ///< w: one weight per feature
    RowMatrix<T> factors;  ///< V: feature_dim × num_factors, a feature's latent vector contiguous

    Index num_factors() const { return factors.cols(); }
    WeightsView<T> view() const { return {bias, linear.data(), factors.data(), factors.cols(), T(0.5), factors.cols()}; }
};

/// ŷ of row i of `rows`. The pairwise term is ½ Σ_f [(Σ_i v_if x_i)² − Σ_i v_if² x_i²]; `sums`
/// (num_factors values) is left holding Σ_i v_if x_i, which the gradient reuses, and `squares`
/// (as many) is scratch. The loops over factors are contiguous: the compiler vectorises them.
/// Every multiply-add is an explicit simd::multiply_add, so that no instantiation (dense or CSR
/// rows, prediction or training) is contracted differently: they all give the same bits.
template <class T, class Rows>
T score_row(const WeightsView<T>& w, const Rows& rows, Index i, T* sums, T* squares) {
    const Index k = w.k;
    std::fill(sums, sums + k, T(0));
    std::fill(squares, squares + k, T(0));
    T linear = w.bias;
    rows.for_each(i, [&](Index j, T x) {
        linear = simd::multiply_add(w.linear[j], x, linear);
        const T* v = w.factors + j * w.stride;
        const T xx = x * x;
        for (Index f = 0; f < k; ++f) {
            sums[f] = simd::multiply_add(x, v[f], sums[f]);
            squares[f] = simd::multiply_add(xx, v[f] * v[f], squares[f]);
        }
    });
    // Summed in 8 interleaved partial sums, then the tail: a plain running sum over S × k
    // factors of MCMC's samples waits on one add at a time.
    constexpr Index lanes = 8;
    T partial[lanes] = {};
    Index f = 0;
    for (; f + lanes <= k; f += lanes)
        for (Index l = 0; l < lanes; ++l) partial[l] += simd::multiply_add(sums[f + l], sums[f + l], -squares[f + l]);
    T pairs = 0;
    for (; f < k; ++f) pairs += simd::multiply_add(sums[f], sums[f], -squares[f]);
    for (const T p : partial) pairs += p;
    return linear + pairs * w.pair_scale;
}

/// Φ(x), the standard normal's distribution function: MCMC's probit classifier's P(y = 1 | ŷ).
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// ŷ of every row, in parallel blocks of rows (each row's arithmetic is the same whatever the
/// thread count).
template <class T, class Rows>
Vector<T> raw_scores(const WeightsView<T>& w, const Rows& rows, int threads) {
    constexpr Index block = 1024;
    const Index n = rows.rows(), k = w.k, blocks = (n + block - 1) / block;
    Vector<T> out(n);
    const double work = 2.0 * static_cast<double>(rows.entries()) * static_cast<double>(k);
    parallel_for(
        team_size(threads, blocks, work), blocks, Schedule::even,
        [k](int) { return std::vector<T>(static_cast<std::size_t>(2 * k)); },
        [&](Index b, std::vector<T>& scratch) {
            for (Index i = b * block; i < std::min(n, (b + 1) * block); ++i)
                out[i] = score_row(w, rows, i, scratch.data(), scratch.data() + k);
        });
    return out;
}

template <class T, class Rows>
Vector<T> raw_scores(const Weights<T>& w, const Rows& rows, int threads) {
    return raw_scores(w.view(), rows, threads);
}

}  // namespace shelf::fm::detail
