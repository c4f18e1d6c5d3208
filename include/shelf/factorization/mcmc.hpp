// shelf/factorization/mcmc.hpp: Bayesian factorization machines by Gibbs sampling (Rendle 2012,
// "Factorization machines with libFM", ACM TIST 3(3), section 5; libFM's MCMC).
//
// The model: y_i ~ Normal(ŷ_i, 1/α); w_j ~ Normal(μ_w[g], 1/λ_w[g]) and v_jf ~ Normal(μ_v[g, f],
// 1/λ_v[g, f]) for feature j of group g; a flat prior on w0. Hyperpriors, libFM's: α ~ Gamma
// shape (α0 + n)/2, rate (γ0 + Σe²)/2 posterior from Gamma(α0/2, γ0/2); each (μ, λ) Normal-Gamma,
// μ ~ Normal(μ0, 1/(β0 λ)), λ ~ Gamma(α0/2, γ0/2), with α0 = β0 = γ0 = 1, μ0 = 0. An iteration
// draws α, then every group's λ and μ, then sweeps every parameter from its conditional
// (coordinate.hpp). The first burn_in samples are dropped; the model keeps the others and
// predicts the average of their predictions (not the prediction of averaged parameters: the
// factors' pairwise term is not linear in them). A classifier is libFM's probit model, its
// labels the signs of latent Normal(ŷ, 1) targets drawn each iteration.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "coordinate.hpp"
#include "model.hpp"
#include "params.hpp"
#include "setup.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"

namespace shelf::fm::detail {

/// Feature j's group: consecutive blocks of group_sizes, the features past them one more group
/// (all features one group without sizes). `count` receives the number of groups.
inline std::vector<Index> feature_groups(const Params& p, Index d, Index& count, const std::string& who) {
    std::vector<Index> group(static_cast<std::size_t>(d), 0);
    Index first = 0, g = 0;
    for (const std::int64_t size : p.group_sizes) {
        if (size > d - first)
            throw invalid_argument(errc::inconsistent, who + ": group_sizes = " +
                                                           shelf::detail::format_value(p.group_sizes) + " sum past " +
                                                           "feature_dim = " + std::to_string(d));
        for (Index j = first; j < first + size; ++j) group[static_cast<std::size_t>(j)] = g;
        first += size;
        ++g;
    }
    for (Index j = first; j < d; ++j) group[static_cast<std::size_t>(j)] = g;
    count = first < d ? g + 1 : g;
    return group;
}

/// libFM's hyperprior constants.
struct Hyperprior {
    static constexpr double alpha0 = 1, beta0 = 1, gamma0 = 1, mu0 = 0;
};

/// Draws λ, then μ, of each group from Σθ and Σ(θ − μ_old)² over its `size` members.
inline void draw_group_prior(double sum, double squares_about_mean, double size, double& mean, double& precision,
                             Rng& rng) {
    using H = Hyperprior;
    const double shape = (H::alpha0 + size + 1) / 2;
    const double rate = (H::gamma0 + squares_about_mean + H::beta0 * (mean - H::mu0) * (mean - H::mu0)) / 2;
    precision = rng.gamma(shape) / rate;
    const double n = size + H::beta0;
    mean = rng.normal((sum + H::beta0 * H::mu0) / n, 1 / std::sqrt(n * precision));
}

/// Draws α (a probit classifier's stays 1), then λ and μ of the linear weights per group, then
/// of each factor per group.
template <class T>
void draw_priors(const Coordinates<T>& state, Index groups, bool probit, Priors& p, Rng& rng) {
    using H = Hyperprior;
    const Weights<double>& w = state.weights();
    const std::vector<Index>& group = state.group();
    const Index d = w.linear.size(), k = w.num_factors();
    p.alpha = probit ? 1 : rng.gamma((H::alpha0 + double(state.rows())) / 2) / ((H::gamma0 + state.squared_error()) / 2);
    std::vector<double> size(static_cast<std::size_t>(groups), 0.0), sum(size), squares(size);
    for (Index j = 0; j < d; ++j) size[static_cast<std::size_t>(group[static_cast<std::size_t>(j)])] += 1;
    const auto accumulate = [&](const auto& value, const auto& mean_of) {
        std::fill(sum.begin(), sum.end(), 0.0);
        std::fill(squares.begin(), squares.end(), 0.0);
        for (Index j = 0; j < d; ++j) {
            const auto g = static_cast<std::size_t>(group[static_cast<std::size_t>(j)]);
            const double theta = value(j);
            sum[g] += theta;
            squares[g] += (theta - mean_of(g)) * (theta - mean_of(g));
        }
    };
    accumulate([&](Index j) { return w.linear[j]; }, [&](std::size_t g) { return p.linear_mean[g]; });
    for (std::size_t g = 0; g < size.size(); ++g)
        draw_group_prior(sum[g], squares[g], size[g], p.linear_mean[g], p.linear_precision[g], rng);
    for (Index f = 0; f < k; ++f) {
        accumulate([&](Index j) { return w.factors(j, f); },
                   [&](std::size_t g) { return p.factors_mean(Index(g), f); });
        for (std::size_t g = 0; g < size.size(); ++g)
            draw_group_prior(sum[g], squares[g], size[g], p.factors_mean(Index(g), f), p.factors_precision(Index(g), f),
                             rng);
    }
}

/// A draw of Normal(mean, 1) truncated to z > 0 (`positive`) or to z < 0: the probit classifier's
/// latent target given ŷ and its label (Albert & Chib 1993, libFM's classification). Plain
/// rejection while the side keeps probability above Φ(−0.5) = 0.31; beyond, Robert's (1995)
/// exponential proposal for the tail.
inline double truncated_normal(double mean, bool positive, Rng& rng) {
    const double bound = positive ? -mean : mean;  // a standard normal x is kept above it
    double x;
    if (bound < 0.5) {
        do x = rng.normal();
        while (x <= bound);
    } else {
        const double rate = (bound + std::sqrt(bound * bound + 4)) / 2;
        do x = bound - std::log(1 - rng.uniform()) / rate;
        while (rng.uniform() > std::exp(-(x - rate) * (x - rate) / 2));
    }
    return positive ? mean + x : mean - x;
}

/// The probit classifier's training loss: the mean cross-entropy of Φ(ŷ) against the labels.
template <class T>
double probit_loss(const Coordinates<T>& state, const VectorView<T>& y) {
    double sum = 0;
    for (Index i = 0; i < state.rows(); ++i) {
        const double side = y[i] > T(0.5) ? 1 : -1;
        sum -= std::log(std::max(normal_cdf(side * state.prediction(i)), 1e-300));
    }
    return sum / double(state.rows());
}

/// MCMC draws from the conditional.
struct Draw {
    Rng& rng;
    double operator()(double mean, double precision) const { return mean + rng.normal() / std::sqrt(precision); }
};

/// Samples epochs iterations from `initial` on rows with labels y (params resolved and checked);
/// returns the model of the kept samples. A binary_classifier is a probit model: each iteration
/// first draws every row's latent target z ~ Normal(ŷ, 1) truncated to the label's side (z > 0
/// for 1) and samples the rest as a regressor on z with α = 1. With a validation channel each
/// iteration reports the rmse (classifier: cross-entropy) of the average over the samples kept so
/// far (the current one's during burn-in).
template <class T, class Rows>
Model<T> fit_mcmc(const Rows& rows, const VectorView<T>& y, Params params, Weights<double> initial,
                  const Validation<T>& validation, const ProgressCallback& progress, Rng& rng, int threads) {
    const std::string who = std::string(Params::family) + " fit";
    const Index d = initial.linear.size(), k = initial.num_factors();
    Index groups = 0;
    std::vector<Index> group = feature_groups(params, d, groups, who);
    Coordinates<T> state(std::move(initial), rows, y, std::move(group));
    Priors priors;
    priors.linear_mean.assign(static_cast<std::size_t>(groups), 0.0);
    priors.linear_precision.assign(static_cast<std::size_t>(groups), 1.0);  // drawn before first use
    priors.factors_mean = RowMatrix<double>::Zero(groups, k);
    priors.factors_precision = RowMatrix<double>::Ones(groups, k);

    const Index kept = params.epochs - params.burn_in;
    Samples<T> samples{Vector<T>(kept), RowMatrix<T>(kept, d), RowMatrix<T>(d, kept * k)};
    Index count = 0;
    Vector<double> validation_sum = Vector<double>::Zero(validation.empty() ? 0 : validation.rows());
    FitReport report;
    const auto n = static_cast<double>(state.rows());
    const PredictorType type = *params.predictor_type;
    const bool probit = type == PredictorType::binary_classifier;
    for (int iteration = 1; iteration <= params.epochs; ++iteration) {
        if (probit) state.retarget([&](Index i, double yhat) { return truncated_normal(yhat, y[i] > T(0.5), rng); });
        draw_priors(state, groups, probit, priors, rng);
        state.sweep(priors, Draw{rng});
        const Weights<double>& w = state.weights();
        const Weights<T> current{T(w.bias), w.linear.template cast<T>(), w.factors.template cast<T>()};
        const bool keep = iteration > params.burn_in;
        if (keep) {
            samples.bias[count] = current.bias;
            samples.linear.row(count) = current.linear.transpose();
            samples.factors.middleCols(count * k, k) = current.factors;
            ++count;
        }
        report.epochs_run = report.best_epoch = iteration;
        report.training_loss.push_back(probit ? probit_loss(state, y) : state.squared_error() / (2 * n));
        Progress progress_report{"epoch", iteration, params.epochs, report.training_loss.back(), "train:objective_loss"};
        if (!validation.empty()) {
            // As the model predicts: a regressor's mean ŷ, a classifier's mean Φ(ŷ), summed in double.
            Vector<double> value = raw_scores(current, validation, threads).template cast<double>();
            if (probit) value = value.unaryExpr([](double z) { return normal_cdf(z); });
            if (keep) {
                validation_sum += value;
                value = validation_sum / double(count);
            }
            const Vector<T> score = value.template cast<T>();
            progress_report.metric = probit ? metrics::log_loss<T>(validation.y(), score)
                                            : validation_metric(score, validation, PredictorType::regressor);
            progress_report.metric_name = std::string("validation:") + validation_metric_name(type);
            report.validation_metric.push_back(progress_report.metric);
        }
        if (!shelf::report(progress, progress_report)) {
            report.stopped = true;
            break;
        }
    }
    const Weights<double>& last = state.weights();
    samples.bias.conservativeResize(count);
    samples.linear.conservativeResize(count, d);
    samples.factors.conservativeResize(d, count * k);
    return Model<T>(std::move(params), T(last.bias), last.linear.template cast<T>(), last.factors.template cast<T>(),
                    std::move(report), std::move(samples));
}

}  // namespace shelf::fm::detail
