// shelf/factorization/fit.hpp: training — the checks, then the solver: epochs of mini-batch
// steps (SGD, AdaGrad) or of coordinate sweeps (ALS) with early stopping on the validation
// channel, or Gibbs sampling (MCMC, mcmc.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "als.hpp"
#include "coordinate.hpp"
#include "gradient.hpp"
#include "labels.hpp"
#include "mcmc.hpp"
#include "model.hpp"
#include "optimizer.hpp"
#include "params.hpp"
#include "predict.hpp"
#include "rows.hpp"
#include "setup.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/validation.hpp"

namespace shelf::fm {

namespace detail {

/// The epoch loop of SGD, AdaGrad and ALS: `step()` runs one epoch on `w` and returns its mean
/// training loss. With a validation channel each epoch ends with its metric, training stops
/// after early_stopping_patience epochs without enough improvement and `w` ends as the best
/// epoch's; without one, all epochs run and `w` is the last.
template <class T, class Step>
FitReport run_epochs(const Params& params, Weights<T>& w, const Validation<T>& validation,
                     const ProgressCallback& progress, int threads, Step&& step) {
    const std::string who = std::string(Params::family) + " fit";
    const PredictorType type = *params.predictor_type;
    const bool validating = !validation.empty();
    FitReport report;
    Weights<T> best = validating ? w : Weights<T>{};  // the initial parameters until an epoch improves
    double best_metric = std::numeric_limits<double>::infinity();
    int bad_epochs = 0;
    for (int epoch = 1; epoch <= params.epochs; ++epoch) {
        const double loss = step();
        if (!std::isfinite(loss) || !all_finite(w))
            throw invalid_argument(errc::out_of_range,
                                   who + ": training diverged in epoch " + std::to_string(epoch) +
                                       " (the mean training loss is " + shelf::detail::format_value(loss) +
                                       "); lower the learning rates (bias_lr, linear_lr, factors_lr) or set clip_gradient");
        report.epochs_run = epoch;
        report.training_loss.push_back(loss);
        Progress progress_report{"epoch", epoch, params.epochs, loss, "train:objective_loss"};
        if (validating) {
            // As the linear learner: an epoch improves when it lowers the metric by more than
            // early_stopping_tolerance relative to the best so far; a smaller gain is still kept.
            const double metric = validation_metric(w, validation, type, threads);
            report.validation_metric.push_back(metric);
            progress_report.metric = metric;
            progress_report.metric_name = std::string("validation:") + validation_metric_name(type);
            if (metric < best_metric) {
                const bool enough = !std::isfinite(best_metric) ||
                                    best_metric - metric > params.early_stopping_tolerance * std::abs(best_metric);
                bad_epochs = enough ? 0 : bad_epochs + 1;
                best_metric = metric;
                best = w;
                report.best_epoch = epoch;
            } else {
                ++bad_epochs;
            }
        } else {
            report.best_epoch = epoch;
        }
        if (!shelf::report(progress, progress_report)) {
            report.stopped = true;
            break;
        }
        if (validating && bad_epochs >= params.early_stopping_patience) {
            report.stopped_early = epoch < params.epochs;
            break;
        }
    }
    if (validating) w = std::move(best);
    return report;
}

template <class T, class X, class Rows>
Model<T> fit(const X& data, const Rows& rows, Index cols, const VectorView<T>& y, Params params,
             const Validation<T>& validation, const ProgressCallback& progress) {
    params.validate();
    const std::string who = std::string(Params::family) + " fit";
    const Index n = rows.rows();
    if (n == 0 || cols == 0)
        throw data_error(errc::empty_data, who + ": the training data is " + std::to_string(n) + " x " +
                                               std::to_string(cols) + "; expected at least one row and one column");
    if (y.size() != n)
        throw data_error(errc::shape_mismatch, who + ": the training data has " + std::to_string(n) + " rows but " +
                                                   std::to_string(y.size()) + " labels");
    const Index d = resolve_feature_dim(params, cols, std::is_same_v<Rows, SparseRows<T>>, who);
    params.feature_dim = d;
    const int threads = resolve_threads(params.num_threads);
    require_features(data, d, who, threads);
    check_labels<T>(params, y, who);
    if (!validation.empty()) check_validation(validation, params, d, threads);

    const auto seed = static_cast<std::uint64_t>(params.seed);
    Rng init_rng = Rng::for_stream(seed, 0), order_rng = Rng::for_stream(seed, 1);
    if (params.solver == Solver::mcmc) {
        Weights<double> initial = initial_weights<double>(params, d, init_rng);
        return fit_mcmc<T>(rows, y, std::move(params), std::move(initial), validation, progress, order_rng, threads);
    }
    if (params.solver == Solver::als) {
        // The sweeps run in double; each epoch hands its parameters to the loop in T.
        Coordinates<T> state(initial_weights<double>(params, d, init_rng), rows, y, std::vector<Index>(std::size_t(d), 0));
        const Priors priors = als_priors(params);
        Weights<T> w;
        const auto to_t = [&] {
            const Weights<double>& s = state.weights();
            w = {T(s.bias), s.linear.template cast<T>(), s.factors.template cast<T>()};
        };
        to_t();
        FitReport report = run_epochs(params, w, validation, progress, threads, [&] {
            state.sweep(priors, ConditionalMean{});
            to_t();
            return state.squared_error() / (2 * double(n));
        });
        return Model<T>(std::move(params), w.bias, std::move(w.linear), std::move(w.factors), std::move(report));
    }

    Weights<T> w = initial_weights<T>(params, d, init_rng);
    const GradientSettings settings{*params.predictor_type == PredictorType::binary_classifier, params.rescale_grad,
                                    params.clip_gradient, params.bias_wd, params.linear_wd, params.factors_wd};
    MiniBatch<T> batch(d, *params.num_factors);
    Gradient<T> gradient;
    Optimizer<T> optimizer(params, d, *params.num_factors);
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    const Index size = params.mini_batch_size;
    FitReport report = run_epochs(params, w, validation, progress, threads, [&] {
        order_rng.shuffle(order.begin(), order.end());
        double loss = 0;
        for (Index first = 0; first < n; first += size) {
            batch.gradient(w, rows, y, order.data() + first, std::min(size, n - first), settings, threads, gradient);
            loss += gradient.loss;
            optimizer.step(w, gradient, threads);
        }
        return loss / static_cast<double>(n);
    });
    return Model<T>(std::move(params), w.bias, std::move(w.linear), std::move(w.factors), std::move(report));
}

}  // namespace detail

/// Trains a factorization machine on dense rows X (n × feature_dim, float or double) with labels
/// y (0/1 for a binary_classifier, any finite value for a regressor). `validation` (dense or CSR
/// rows with labels), when given, is scored after every epoch (rmse or cross-entropy): training
/// stops after early_stopping_patience epochs without improvement and the model keeps its best
/// epoch's parameters. `progress` hears of each epoch; returning false stops there.
template <class DX, class DY>
Model<typename DX::Scalar> fit(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& y, const Params& params,
                               const Validation<typename DX::Scalar>& validation = {},
                               const ProgressCallback& progress = {}) {
    using T = typename DX::Scalar;
    static_assert(std::is_floating_point_v<T>, "shelf::fm::fit needs float or double data");
    const MatrixView<T> view(X.derived());
    const VectorView<T> labels(y.derived());
    return detail::fit<T>(view, detail::DenseRows<T>(view), view.cols(), labels, params, validation, progress);
}

/// Trains on CSR rows, the usual form of one-hot data; X may have fewer columns than feature_dim.
template <class T, class DY>
Model<T> fit(const SparseMatrix<T>& X, const Eigen::MatrixBase<DY>& y, const Params& params,
             const Validation<T>& validation = {}, const ProgressCallback& progress = {}) {
    const VectorView<T> labels(y.derived());
    return detail::fit<T>(X, detail::SparseRows<T>(X), X.cols(), labels, params, validation, progress);
}

}  // namespace shelf::fm
