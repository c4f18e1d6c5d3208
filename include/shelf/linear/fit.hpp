// shelf/linear/fit.hpp: training — checks, `auto` resolution, normalization, the sweep,
// model selection and the decision threshold.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "data.hpp"
#include "labels.hpp"
#include "losses.hpp"
#include "model.hpp"
#include "params.hpp"
#include "scaler.hpp"
#include "select.hpp"
#include "sweep.hpp"
#include "trainer.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/validation.hpp"

namespace shelf::linear {

namespace detail {

inline constexpr int default_num_models = 32;
inline constexpr double default_momentum = 0.9;
inline constexpr double default_minimum_lr = 1e-6;
/// Above this many features the d × d preconditioner costs more per mini-batch than it saves.
inline constexpr Index most_decorrelated_features = 512;

/// The number of features, after checking both channels' shapes against each other and feature_dim.
template <class T>
Index check_shapes(const Channel<T>& train, const Channel<T>* validation, const Params& params) {
    const std::string who = "linear-learner fit: ";
    if (train.rows() == 0 || train.cols() == 0)
        throw data_error(errc::empty_data, who + "the training data is " + std::to_string(train.rows()) + " x " +
                                               std::to_string(train.cols()) + "; expected at least one row and one column");
    if (train.labels().size() != train.rows())
        throw data_error(errc::shape_mismatch, who + "the training data has " + std::to_string(train.rows()) + " rows but " +
                                                   std::to_string(train.labels().size()) + " labels");
    Index dim = train.cols();
    if (params.feature_dim) {
        const auto given = static_cast<Index>(*params.feature_dim);
        if (train.is_sparse() ? dim > given : dim != given)
            throw data_error(errc::shape_mismatch, who + "the training data has " + std::to_string(dim) +
                                                       " feature columns but feature_dim = " + std::to_string(given));
        dim = given;
    }
    if (validation) {
        if (validation->rows() == 0)
            throw data_error(errc::empty_data, who + "the validation channel has no rows");
        if (validation->labels().size() != validation->rows())
            throw data_error(errc::shape_mismatch, who + "the validation channel has " +
                                                       std::to_string(validation->rows()) + " rows but " +
                                                       std::to_string(validation->labels().size()) + " labels");
        if (validation->is_sparse() ? validation->cols() > dim : validation->cols() != dim)
            throw data_error(errc::shape_mismatch, who + "the validation channel has " +
                                                       std::to_string(validation->cols()) + " feature columns, the training data " +
                                                       std::to_string(dim));
    }
    return dim;
}

/// Sets every `auto` hyperparameter that does not depend on the sweep.
inline void resolve(Params& params, Index rows) {
    const PredictorType type = *params.predictor_type;
    if (!params.loss) params.loss = default_loss(type);
    require_loss_for(*params.loss, type);
    if (!params.optimizer) params.optimizer = Optimizer::adam;
    if (!params.num_models) params.num_models = default_num_models;
    if (!params.momentum) params.momentum = default_momentum;
    const Index batch = std::min<Index>(params.mini_batch_size, rows);
    if (!params.lr_scheduler_step) params.lr_scheduler_step = static_cast<int>((rows + batch - 1) / batch);
    if (!params.lr_scheduler_factor) params.lr_scheduler_factor = std::pow(0.1, 1.0 / params.epochs);
    if (!params.lr_scheduler_minimum_lr) params.lr_scheduler_minimum_lr = default_minimum_lr;
    params.normalize_label = type == PredictorType::regressor && params.normalize_label.value_or(true);
    if (type != PredictorType::multiclass_classifier) params.num_classes.reset();
}

/// A binary classifier needs both classes where it learns and where it picks its threshold.
template <class T>
void require_both_classes(const Vector<T>& y, const std::string& channel) {
    const double positives = y.template cast<double>().sum();  // exact in double far beyond float's 2^24
    if (positives == 0.0 || positives == double(y.size()))
        throw data_error(errc::bad_label, "linear-learner fit: every label of the " + channel + " is " +
                                              (positives == 0.0 ? "0" : "1") +
                                              "; a binary_classifier needs examples of both classes");
}

/// The epoch loop's settings: the loss in the units training sees, the sweep's candidates,
/// the optimizer, the scheduler, early stopping and class weights.
template <class T>
TrainSetup<T> training_setup(const Params& params, const LossSettings& raw_settings, const Scaling& scaling,
                             const Vector<T>& y, int classes, int threads) {
    const auto n = y.size();
    const PredictorType type = *params.predictor_type;
    TrainSetup<T> setup;
    setup.loss = *params.loss;
    setup.settings = raw_settings;
    setup.settings.huber_delta /= scaling.label_scale;  // the same loss, in standardized label units
    setup.settings.insensitivity /= scaling.label_scale;
    setup.classes = classes;
    double balanced = 1;
    if (type == PredictorType::binary_classifier) {
        const double positives = y.template cast<double>().sum();
        balanced = (double(n) - positives) / positives;
        setup.weight_positives = true;
    }
    setup.batch = std::min<Index>(params.mini_batch_size, n);
    Rng sweep_rng = Rng::for_stream(static_cast<std::uint64_t>(params.seed), 0);
    const double batches = std::ceil(double(n) / double(setup.batch));
    setup.candidates =
        draw_candidates(params, batches * params.epochs, double(n), *params.num_models, balanced, sweep_rng);
    setup.optimizer = {*params.optimizer, params.beta_1, params.beta_2, *params.momentum};
    setup.epochs = params.epochs;
    setup.patience = params.early_stopping_patience;
    setup.tolerance = params.early_stopping_tolerance;
    setup.lr_step = *params.lr_scheduler_step;
    setup.lr_factor = *params.lr_scheduler_factor;
    setup.lr_minimum = *params.lr_scheduler_minimum_lr;
    setup.use_bias = params.use_bias;
    setup.init = params.init_method;
    setup.init_scale = params.init_scale;
    setup.init_sigma = params.init_sigma;
    setup.init_bias = params.init_bias;
    if (type == PredictorType::multiclass_classifier && params.balance_multiclass_weights) {
        Eigen::VectorXd count = Eigen::VectorXd::Zero(classes);
        for (Index i = 0; i < n; ++i) count[static_cast<Index>(y[i])] += 1;
        const double present = double((count.array() > 0).count());
        setup.class_weights = (count.array() > 0)
                                  .select(double(n) / (present * count.array().max(1.0)), 0.0)
                                  .template cast<T>()
                                  .matrix();
    }
    setup.threads = threads;
    setup.seed = static_cast<std::uint64_t>(params.seed);
    return setup;
}

/// A threshold that splits `score` as `threshold` does, halfway to the next lower score: a
/// rounding difference (another thread count, sparse rather than dense rows) cannot flip
/// the row whose score the threshold search returned.
template <class T>
T between_scores(const RowMatrix<T>& score, T threshold) {
    if (!std::isfinite(threshold)) return threshold;
    T below = -std::numeric_limits<T>::infinity();
    for (Index i = 0; i < score.rows(); ++i)
        if (score(i, 0) < threshold) below = std::max(below, score(i, 0));
    const T middle = below + (threshold - below) / 2;
    return std::isfinite(below) && middle > below ? middle : threshold;
}

/// Trains on `train` (and `valid`, either of one row-source type) and keeps the best model.
template <class T, class Input>
Model<T> fit_on(const Input& train, const VectorView<T>& train_labels, const Input* valid,
                const VectorView<T>* valid_labels, Params params, const ProgressCallback& progress) {
    const PredictorType type = *params.predictor_type;
    const Index n = train.rows(), d = train.cols();
    const int threads = resolve_threads(params.num_threads);
    const int classes = type == PredictorType::multiclass_classifier ? *params.num_classes : 1;
    const std::string who = "linear-learner fit";
    const Labels<T> y = read_labels<T>(train_labels, type, classes, who + " (training data)");
    std::optional<Labels<T>> y_valid;
    if (valid) {
        y_valid = read_labels<T>(*valid_labels, type, classes, who + " (validation data)");
    }
    if (type == PredictorType::binary_classifier) {
        require_both_classes(y.y, "training data");
        if (y_valid) require_both_classes(y_valid->y, "validation data");
    }
    resolve(params, n);

    // Normalization, estimated on a sample of the training rows.
    Rng sample_rng = Rng::for_stream(static_cast<std::uint64_t>(params.seed), 1);
    const std::vector<Index> sample = sample_rows(n, params.num_point_for_scaler, sample_rng);
    constexpr bool sparse = std::is_same_v<Input, SparseInput<T>>;
    // Centering is what gives a model on raw features an intercept: not without use_bias.
    const Scaling scaling = estimate_scaling<T>(train, y.y, sample, params.normalize_data, !sparse && params.use_bias,
                                                *params.normalize_label, params.use_bias);
    Input train_normalized = train;
    std::optional<Input> valid_normalized;
    if (valid) valid_normalized.emplace(*valid);
    if (params.normalize_data) {
        const RowArray<T> mean = scaling.mean.transpose().cast<T>();
        const RowArray<T> inv_scale = scaling.scale.cwiseInverse().transpose().cast<T>();
        train_normalized.normalize(mean, inv_scale);
        if (valid_normalized) valid_normalized->normalize(mean, inv_scale);
    }
    const auto standardize = [&](const Vector<T>& labels) -> Vector<T> {
        if (!*params.normalize_label) return labels;
        return ((labels.template cast<double>().array() - scaling.label_mean) / scaling.label_scale)
            .template cast<T>()
            .matrix();
    };
    const Vector<T> y_train = standardize(y.y);
    std::optional<Vector<T>> y_valid_train;
    if (y_valid) y_valid_train = standardize(y_valid->y);

    const LossSettings raw_settings{params.margin, params.quantile, params.huber_delta, params.loss_insensitivity};
    TrainSetup<T> setup = training_setup<T>(params, raw_settings, scaling, y.y, classes, threads);
    // Only centered data: uncentered, a one-hot group sums to a constant, and the
    // preconditioner would amplify that direction like a second, much faster bias.
    if (params.normalize_data && !sparse && params.use_bias)
        setup.precondition = decorrelation<T>(train, sample, scaling, most_decorrelated_features).template cast<T>();
    TrainResult<T> trained = Trainer<T, Input>(train_normalized, y_train, valid_normalized ? &*valid_normalized : nullptr,
                                               y_valid_train ? &*y_valid_train : nullptr, setup)
                                 .run(progress);

    // Every candidate on raw features, then the selection on raw labels.
    Eigen::MatrixXd w_raw;
    Eigen::RowVectorXd b_raw;
    fold(scaling, trained.weights.template cast<double>(), trained.bias.matrix().template cast<double>(), w_raw, b_raw);
    const RowMatrix<T> W = w_raw.cast<T>();
    const RowArray<T> b = b_raw.array().cast<T>();
    const Input& selection = valid ? *valid : train;
    const Vector<T>& selection_labels = valid ? y_valid->y : y.y;
    const SelectionCriteria criteria = params.binary_classifier_model_selection_criteria;
    Rng selection_rng = Rng::for_stream(static_cast<std::uint64_t>(params.seed), 4);
    const std::vector<double> metric =
        selection_metrics<T>(params, raw_settings, selection, selection_labels, W, b, classes, threads, selection_rng);
    // Losses weighted by different positive_example_weight_mult draws do not compare.
    const bool losses_compare = params.positive_weight_keyword() != "auto" || type != PredictorType::binary_classifier;
    const int best = kept_model(metric, trained.best_loss, maximised(type, criteria), losses_compare,
                                std::min<Index>(selection.rows(), compared_rows));

    FitReport report;
    for (std::size_t k = 0; k < setup.candidates.size(); ++k)
        report.models.push_back({setup.candidates[k], trained.best_epoch[k], trained.epochs[k], trained.best_loss[k],
                                 metric[k]});
    report.selected = best;
    report.epochs_run = trained.epochs_run;
    report.stopped = trained.stopped;
    report.on_validation = valid != nullptr;
    report.plus_minus_one = y.plus_minus_one;

    const Candidate& kept = setup.candidates[static_cast<std::size_t>(best)];
    params.learning_rate = kept.learning_rate;
    params.l1 = kept.l1;
    params.wd = kept.wd;
    if (type == PredictorType::binary_classifier)
        params.positive_example_weight_mult = shelf::detail::format_value(kept.positive_example_weight_mult);
    params.feature_dim = d;
    RowMatrix<T> weights = W.middleCols(best * classes, classes);
    Vector<T> bias = b.segment(best * classes, classes).transpose().matrix();
    if (type != PredictorType::binary_classifier)
        return Model<T>(std::move(params), std::move(weights), std::move(bias), T(0), std::move(report));
    // The threshold, on the kept model's own scores (bit for bit what predict computes).
    RowMatrix<T> score = linear_scores(selection, weights, RowArray<T>(bias.transpose()), threads);
    to_score(*params.loss, score);
    const Operating point = operating_point<T>(params, selection_labels, score.col(0));
    T threshold = T(point.threshold);  // loss_function: the loss's own threshold, as it is
    if (maximised(type, criteria)) {
        report.models[static_cast<std::size_t>(best)].metric = point.metric;
        threshold = between_scores(score, threshold);
    }
    return Model<T>(std::move(params), std::move(weights), std::move(bias), threshold, std::move(report));
}

template <class T>
RowMatrix<T> densify(const SparseMatrix<T>& X, Index cols) {
    RowMatrix<T> out = RowMatrix<T>::Zero(X.rows(), cols);
    for (Index i = 0; i < X.outerSize(); ++i)
        for (typename SparseMatrix<T>::InnerIterator it(X, i); it; ++it) out(i, it.index()) = it.value();
    return out;
}

/// Throws data_error naming the first NaN or infinity among a channel's features.
template <class T>
void require_finite_features(const Channel<T>& data, const std::string& context, int threads) {
    if (data.is_sparse())
        shelf::require_finite(data.sparse(), context);
    else
        shelf::require_finite(data.dense(), context, Missing::refused, threads);
}

/// Trains the sweep on `train`, uses `validation` (when not empty) for early stopping, model
/// selection and the threshold, and returns the model kept. Dense and sparse data may be
/// mixed; the validation rows are converted to the training data's layout.
template <class T>
Model<T> fit(const Channel<T>& train, Params params, const Validation<T>& validation, const ProgressCallback& progress) {
    params.validate();
    if (validation.weight_size() > 0)
        throw invalid_argument(errc::inconsistent, "linear-learner fit: the validation data carry row weights; the "
                                                   "linear learner weighs every row 1, so give none");
    std::optional<Channel<T>> valid_channel;
    if (!validation.empty()) {
        if (validation.is_sparse())
            valid_channel.emplace(validation.sparse(), validation.y());
        else
            valid_channel.emplace(validation.X(), validation.y());
    }
    const Channel<T>* valid = valid_channel ? &*valid_channel : nullptr;
    const Index dim = check_shapes(train, valid, params);
    const int threads = resolve_threads(params.num_threads);
    require_finite_features(train, "linear-learner fit (training data)", threads);
    if (valid) require_finite_features(*valid, "linear-learner fit (validation data)", threads);
    const VectorView<T>* valid_labels = valid ? &valid->labels() : nullptr;
    if (train.is_sparse()) {
        const SparseInput<T> input(train.sparse(), dim);
        if (!valid) return fit_on<T, SparseInput<T>>(input, train.labels(), nullptr, nullptr, params, progress);
        if (valid->is_sparse()) {
            const SparseInput<T> sparse_valid(valid->sparse(), dim);
            return fit_on<T>(input, train.labels(), &sparse_valid, valid_labels, params, progress);
        }
        const SparseMatrix<T> converted = valid->dense().sparseView();
        const SparseInput<T> sparse_valid(converted, dim);
        return fit_on<T>(input, train.labels(), &sparse_valid, valid_labels, params, progress);
    }
    const DenseInput<T> input(train.dense());
    if (!valid) return fit_on<T, DenseInput<T>>(input, train.labels(), nullptr, nullptr, params, progress);
    if (!valid->is_sparse()) {
        const DenseInput<T> dense_valid(valid->dense());
        return fit_on<T>(input, train.labels(), &dense_valid, valid_labels, params, progress);
    }
    const RowMatrix<T> converted = densify(valid->sparse(), dim);
    const MatrixView<T> view(converted);
    const DenseInput<T> dense_valid(view);
    return fit_on<T>(input, train.labels(), &dense_valid, valid_labels, params, progress);
}

}  // namespace detail

/// Trains on dense rows X (n × feature_dim) with labels y. `validation` (dense or CSR rows
/// with their labels, e.g. {X_valid, y_valid}), when given, drives early stopping, model
/// selection and a binary classifier's threshold; otherwise the training data do.
template <class DX, class DY>
Model<typename DX::Scalar> fit(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& y, const Params& params,
                               const Validation<typename DX::Scalar>& validation = {},
                               const ProgressCallback& progress = {}) {
    using T = typename DX::Scalar;
    return detail::fit<T>(detail::Channel<T>(X, y), params, validation, progress);
}

/// Trains on sparse rows (CSR); X may have fewer columns than feature_dim.
template <class T, class DY>
Model<T> fit(const SparseMatrix<T>& X, const Eigen::MatrixBase<DY>& y, const Params& params,
             const Validation<T>& validation = {}, const ProgressCallback& progress = {}) {
    return detail::fit<T>(detail::Channel<T>(X, y), params, validation, progress);
}

}  // namespace shelf::linear
