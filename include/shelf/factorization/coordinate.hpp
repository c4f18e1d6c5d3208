// shelf/factorization/coordinate.hpp: coordinate-wise updates of a factorization machine's
// parameters on the squared loss, one parameter at a time with every other held: the step ALS
// takes as the conditional mean and MCMC as a draw (Rendle 2012, "Factorization machines with
// libFM").
//
// ŷ_i is linear in any single parameter θ: ŷ_i = θ·h_i + (the rest), with h_i = 1 for w0, x_ij for
// w_j and x_ij (q_if − v_jf x_ij) for v_jf, where q_if = Σ_l v_lf x_il. Under Gaussian noise of
// precision α and a Normal(μ, 1/λ) prior, θ given everything else is Normal with
//
//     precision  P = λ + α Σ_i h_i²,     mean  (λμ + α Σ_i h_i (θ h_i − e_i)) / P,
//
// e_i = ŷ_i − y_i the residual (y_i a probit classifier's latent target: retarget()). The
// residuals and the sums q_if are cached and moved with every change, so a parameter's update
// costs its feature's entries and a sweep over all of them O(k·nnz). The rows are walked by
// feature (by_feature.hpp). Everything is kept in double: after a few hundred sweeps the caches
// have drifted from a recomputation by rounding only.
#pragma once

#include <numeric>
#include <utility>
#include <vector>

#include "by_feature.hpp"
#include "predict.hpp"
#include "shelf/core/types.hpp"

namespace shelf::fm::detail {

/// The noise precision and each parameter group's Normal prior, as a sweep uses them.
struct Priors {
    double alpha = 1;  ///< precision of the noise
    double bias_mean = 0, bias_precision = 0;
    std::vector<double> linear_mean, linear_precision;  ///< per feature group
    RowMatrix<double> factors_mean, factors_precision;  ///< feature group × num_factors
};

/// The parameters and the caches of the coordinate-wise solvers.
template <class T>
class Coordinates {
public:
    /// Starts at `w` on `rows` with labels y; group[j] is feature j's group in the priors.
    template <class Rows>
    Coordinates(Weights<double> w, const Rows& rows, const VectorView<T>& y, std::vector<Index> group)
        : w_(std::move(w)), group_(std::move(group)), k_(w_.num_factors()), columns_(w_.linear.size()) {
        const Index n = rows.rows(), d = w_.linear.size();
        std::vector<Index> all(static_cast<std::size_t>(n)), touched;
        std::iota(all.begin(), all.end(), Index{0});
        columns_.build(rows, all.data(), n, touched);
        slot_.assign(static_cast<std::size_t>(d), -1);
        for (std::size_t t = 0; t < touched.size(); ++t) slot_[static_cast<std::size_t>(touched[t])] = Index(t);
        e_.resize(static_cast<std::size_t>(n));
        target_.resize(static_cast<std::size_t>(n));
        q_.assign(static_cast<std::size_t>(n * k_), 0.0);
        for (Index i = 0; i < n; ++i) {
            target_[static_cast<std::size_t>(i)] = double(y[i]);
            e_[static_cast<std::size_t>(i)] = w_.bias - double(y[i]);
        }
        for (Index j = 0; j < d; ++j) {
            const double* v = w_.factors.data() + j * k_;
            const double squares = w_.factors.row(j).squaredNorm();
            each_entry(j, [&](Index r, double x) {
                e_[static_cast<std::size_t>(r)] += w_.linear[j] * x - 0.5 * x * x * squares;
                double* q = q_.data() + r * k_;
                for (Index f = 0; f < k_; ++f) q[f] += v[f] * x;
            });
        }
        for (Index i = 0; i < n; ++i) {
            const double* q = q_.data() + i * k_;
            double pairs = 0;
            for (Index f = 0; f < k_; ++f) pairs += q[f] * q[f];
            e_[static_cast<std::size_t>(i)] += 0.5 * pairs;
        }
    }

    const Weights<double>& weights() const { return w_; }
    const std::vector<Index>& group() const { return group_; }
    /// Σ_i e_i².
    double squared_error() const {
        double sum = 0;
        for (const double e : e_) sum += e * e;
        return sum;
    }
    Index rows() const { return static_cast<Index>(e_.size()); }
    /// ŷ_i.
    double prediction(Index i) const { return e_[static_cast<std::size_t>(i)] + target_[static_cast<std::size_t>(i)]; }

    /// Replaces each row's target by f(i, ŷ_i), moving its residual: MCMC's probit classifier
    /// draws its latent targets so.
    template <class F>
    void retarget(F&& f) {
        for (std::size_t i = 0; i < e_.size(); ++i) {
            const double yhat = e_[i] + target_[i];
            target_[i] = f(Index(i), yhat);
            e_[i] = yhat - target_[i];
        }
    }

    /// Updates w0, then every w_j, then every v_jf (feature by feature, each feature's factors in
    /// turn, on its gathered entries), each to update(mean, precision) of its conditional.
    template <class Update>
    void sweep(const Priors& p, Update&& update) {
        update_bias(p, update);
        const Index d = w_.linear.size();
        for (Index j = 0; j < d; ++j) {
            const auto g = static_cast<std::size_t>(group_[static_cast<std::size_t>(j)]);
            double hh = 0, he = 0;
            each_entry(j, [&](Index r, double x) {
                hh += x * x;
                he += x * e_[static_cast<std::size_t>(r)];
            });
            double& w = w_.linear[j];
            const double delta = set(w, hh, he, p.linear_mean[g], p.linear_precision[g], p.alpha, update);
            each_entry(j, [&](Index r, double x) { e_[static_cast<std::size_t>(r)] += x * delta; });
        }
        for (Index j = 0; j < d; ++j) update_factors(j, p, update);
    }

    /// w0 alone (h_i = 1 for every row).
    template <class Update>
    void update_bias(const Priors& p, Update&& update) {
        double he = 0;
        for (const double e : e_) he += e;
        const double delta = set(w_.bias, double(rows()), he, p.bias_mean, p.bias_precision, p.alpha, update);
        for (double& e : e_) e += delta;
    }

private:
    /// v_j0 … v_j(k−1) in turn. The feature's m entries' residuals and sums q_if are gathered
    /// first (factor-major, so each factor's pass runs over contiguous memory) and scattered back
    /// after: rows hold a feature once, so no entry sees another's stale copy.
    template <class Update>
    void update_factors(Index j, const Priors& p, Update& update) {
        const auto g = group_[static_cast<std::size_t>(j)];
        const Index t = slot_[static_cast<std::size_t>(j)];
        const Index first = t < 0 ? 0 : columns_.start[static_cast<std::size_t>(t)];
        const Index m = t < 0 ? 0 : columns_.start[static_cast<std::size_t>(t) + 1] - first;
        const auto size = static_cast<std::size_t>(m), k = static_cast<std::size_t>(k_);
        if (x_.size() < size) {
            x_.resize(size);
            h_.resize(size);
            local_e_.resize(size);
        }
        if (local_q_.size() < size * k) local_q_.resize(size * k);
        const Index* rows = columns_.row.data() + first;
        for (std::size_t e = 0; e < size; ++e) {
            const auto r = static_cast<std::size_t>(rows[e]);
            x_[e] = double(columns_.value[static_cast<std::size_t>(first) + e]);
            local_e_[e] = e_[r];
            for (std::size_t f = 0; f < k; ++f) local_q_[f * size + e] = q_[r * k + f];
        }
        double* x = x_.data();
        double* h = h_.data();
        double* residual = local_e_.data();
        for (Index f = 0; f < k_; ++f) {
            double& v = w_.factors(j, f);
            double* q = local_q_.data() + f * m;
            double hh = 0, he = 0;
            for (Index e = 0; e < m; ++e) {
                h[e] = x[e] * (q[e] - x[e] * v);
                hh += h[e] * h[e];
                he += h[e] * residual[e];
            }
            const double delta = set(v, hh, he, p.factors_mean(g, f), p.factors_precision(g, f), p.alpha, update);
            for (Index e = 0; e < m; ++e) {
                q[e] += x[e] * delta;
                residual[e] += h[e] * delta;
            }
        }
        for (std::size_t e = 0; e < size; ++e) {
            const auto r = static_cast<std::size_t>(rows[e]);
            e_[r] = local_e_[e];
            for (std::size_t f = 0; f < k; ++f) q_[r * k + f] = local_q_[f * size + e];
        }
    }

    /// θ ← update(mean, precision) of its conditional; returns the change. With no information
    /// (no prior precision, no entries: ALS without decay on an absent feature) θ stays.
    template <class Update>
    static double set(double& theta, double hh, double he, double mean, double precision, double alpha,
                      Update& update) {
        const double P = precision + alpha * hh;
        if (!(P > 0)) return 0;
        const double old = theta;
        theta = update((precision * mean + alpha * (theta * hh - he)) / P, P);
        return theta - old;
    }

    /// f(row, x) for each training entry of feature j, in row order.
    template <class F>
    void each_entry(Index j, F&& f) {
        const Index t = slot_[static_cast<std::size_t>(j)];
        if (t < 0) return;
        for (Index e = columns_.start[static_cast<std::size_t>(t)]; e < columns_.start[static_cast<std::size_t>(t) + 1]; ++e)
            f(columns_.row[static_cast<std::size_t>(e)], double(columns_.value[static_cast<std::size_t>(e)]));
    }

    Weights<double> w_;
    std::vector<Index> group_;
    Index k_;
    ByFeature<T> columns_;
    std::vector<Index> slot_;  ///< per feature: its place in columns_, −1 when no row holds it
    std::vector<double> e_;    ///< per row: ŷ − target
    std::vector<double> target_;  ///< per row: y, or a probit classifier's latent draw
    std::vector<double> q_;    ///< per row: q_if = Σ_l v_lf x_il, num_factors values
    std::vector<double> x_, h_, local_e_, local_q_;  ///< update_factors' gathered entries
};

}  // namespace shelf::fm::detail
