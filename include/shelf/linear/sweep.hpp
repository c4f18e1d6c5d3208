// shelf/linear/sweep.hpp: the hyperparameters of the models trained side by side.
//
// Model 0 takes the given values, or the centre of each `auto` range; every other
// model draws each `auto` value independently (random search, as the platform does):
//   learning_rate  log-uniform within a factor 10 of the default (see default_learning_rate)
//   l1             0 for half the models, else log-uniform in [1e-7, 1e-3]
//   wd             log-uniform in [w, max(1e-2, 10 w)], where w = 1/n for a classifier on n rows
//                  (see least_auto_wd) and 1e-7 for a regressor; model 0: 1/n, or 0 for a regressor
//   positive_example_weight_mult = auto: log-uniform between 1 and balanced (model 0: 1)
// A value that is given is used by every model.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "params.hpp"
#include "shelf/core/random.hpp"

namespace shelf::linear {

/// The hyperparameters that differ between the models of one fit.
struct Candidate {
    double learning_rate = 0;
    double l1 = 0;
    double wd = 0;
    double positive_example_weight_mult = 1;
};

namespace detail {

/// The learning rate `auto` centres on, from the number of mini-batch steps training
/// plans: on normalized data an adam step moves a weight by about the learning rate, so
/// the centre model can travel some 10 units in all. Few steps (small data) need a large
/// rate; many (big data) a small one, whose steps average out the gradient noise.
inline double default_learning_rate(double total_steps) { return std::clamp(10.0 / total_steps, 1e-4, 0.3); }

/// The least weight decay `auto` draws for a classifier on `rows` rows: 1/n is scikit-learn's
/// LogisticRegression default (C = 1, a penalty of ||w||^2 / 2 on the summed loss). Selection
/// on the training data favours the least regularized model, which without this floor fits the
/// noise of rare features (a9a). Regressors get none, like scikit-learn's LinearRegression.
inline double least_auto_wd(PredictorType type, double rows) {
    return type == PredictorType::regressor ? 0.0 : 1.0 / rows;
}

/// `count` candidates for `params` (autos resolved as above), for training of
/// `total_steps` mini-batches on `rows` rows; `balanced` is negatives / positives.
inline std::vector<Candidate> draw_candidates(const Params& params, double total_steps, double rows, int count,
                                              double balanced, Rng& rng) {
    const auto log_uniform = [](double u, double lo, double hi) { return lo * std::pow(hi / lo, u); };
    const double lr = params.learning_rate ? *params.learning_rate : default_learning_rate(total_steps);
    const double wd_least = least_auto_wd(*params.predictor_type, rows);
    const double wd_low = std::max(wd_least, 1e-7), wd_high = std::max(1e-2, 10 * wd_low);
    const auto fixed_weight = params.fixed_positive_weight();
    const bool auto_weight = params.positive_weight_keyword() == "auto";
    std::vector<Candidate> out(static_cast<std::size_t>(count));
    for (int k = 0; k < count; ++k) {
        // Every model draws the same five numbers, so fixing one value leaves the others' draws alone.
        const double u_lr = rng.uniform(), u_coin = rng.uniform(), u_l1 = rng.uniform(), u_wd = rng.uniform(),
                     u_weight = rng.uniform();
        Candidate& c = out[static_cast<std::size_t>(k)];
        const bool centre = k == 0;
        c.learning_rate = params.learning_rate || centre ? lr : log_uniform(u_lr, lr / 10, lr * 10);
        c.l1 = params.l1 ? *params.l1 : centre || u_coin < 0.5 ? 0.0 : log_uniform(u_l1, 1e-7, 1e-3);
        c.wd = params.wd ? *params.wd : centre ? wd_least : log_uniform(u_wd, wd_low, wd_high);
        if (fixed_weight)
            c.positive_example_weight_mult = *fixed_weight;
        else if (!auto_weight)
            c.positive_example_weight_mult = balanced;
        else
            c.positive_example_weight_mult = centre ? 1.0 : log_uniform(u_weight, 1.0, balanced);
    }
    return out;
}

}  // namespace detail
}  // namespace shelf::linear
