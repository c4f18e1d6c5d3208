// shelf/factorization/fit.hpp: training — checks, the initial parameters, the epochs of
// mini-batch steps, and early stopping on the validation channel.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gradient.hpp"
#include "labels.hpp"
#include "model.hpp"
#include "optimizer.hpp"
#include "params.hpp"
#include "predict.hpp"
#include "rows.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/validation.hpp"
#include "shelf/metrics/classification.hpp"
#include "shelf/metrics/regression.hpp"

namespace shelf::fm {

namespace detail {

/// One initial value of a group: normal(0, sigma), uniform in ±scale, or the constant.
inline double initial_value(InitMethod method, double sigma, const std::optional<double>& scale,
                            const std::optional<double>& value, Rng& rng) {
    switch (method) {
        case InitMethod::normal: return rng.normal(0.0, sigma);
        case InitMethod::uniform: return rng.uniform(-*scale, *scale);
        case InitMethod::constant: return *value;
    }
    return 0;
}

/// The initial parameters, drawn in a fixed order: the bias, the linear weights, then the latent
/// vectors feature by feature.
template <class T>
Weights<T> initial_weights(const Params& p, Index d, Rng& rng) {
    const Index k = *p.num_factors;
    Weights<T> w{T(initial_value(p.bias_init_method, p.bias_init_sigma, p.bias_init_scale, p.bias_init_value, rng)),
                 Vector<T>(d), RowMatrix<T>(d, k)};
    for (Index j = 0; j < d; ++j)
        w.linear[j] = T(initial_value(p.linear_init_method, p.linear_init_sigma, p.linear_init_scale,
                                      p.linear_init_value, rng));
    for (Index j = 0; j < d; ++j)
        for (Index f = 0; f < k; ++f)
            w.factors(j, f) = T(initial_value(p.factors_init_method, p.factors_init_sigma, p.factors_init_scale,
                                              p.factors_init_value, rng));
    return w;
}

/// The name of the validation metric early stopping watches.
inline const char* validation_metric_name(PredictorType type) {
    return type == PredictorType::regressor ? "rmse" : "binary_classification_cross_entropy";
}

/// rmse (regressor) or cross-entropy (classifier) of `w` on rows with labels y; infinity when a
/// prediction is not finite.
template <class T, class Rows>
double validation_metric(const Weights<T>& w, const Rows& rows, const Vector<T>& y, PredictorType type, int threads) {
    Vector<T> score = raw_scores(w, rows, threads);
    if (!score.allFinite()) return std::numeric_limits<double>::infinity();
    if (type == PredictorType::regressor) return metrics::rmse<T>(y, score);
    simd::sigmoid(score.data(), static_cast<std::size_t>(score.size()), score.data());
    return metrics::log_loss<T>(y, score);
}

template <class T>
double validation_metric(const Weights<T>& w, const Validation<T>& v, PredictorType type, int threads) {
    if (v.is_sparse()) return validation_metric(w, SparseRows<T>(v.sparse()), v.y(), type, threads);
    const MatrixView<T> X(v.X());
    return validation_metric(w, DenseRows<T>(X), v.y(), type, threads);
}

template <class T>
bool all_finite(const Weights<T>& w) {
    return std::isfinite(w.bias) && w.linear.allFinite() && w.factors.allFinite();
}

/// The number of features: the data's columns, or feature_dim when given (dense data must have
/// exactly that many; CSR data fewer or more, as long as no entry lies beyond it).
inline Index resolve_feature_dim(const Params& params, Index cols, bool sparse, const std::string& who) {
    if (!params.feature_dim) return cols;
    const auto given = static_cast<Index>(*params.feature_dim);
    if (!sparse && cols != given)
        throw data_error(errc::shape_mismatch, who + ": the training data has " + std::to_string(cols) +
                                                   " feature columns but feature_dim = " + std::to_string(given));
    return given;
}

template <class T>
void check_validation(const Validation<T>& v, const Params& params, Index d, int threads) {
    const std::string who = std::string(Params::family) + " fit (validation data)";
    if (v.weight_size() > 0)
        throw invalid_argument(errc::inconsistent, who + ": the rows carry weights; factorization machines weigh "
                                                         "every row 1, so give none");
    if (v.rows() == 0) throw data_error(errc::empty_data, who + ": there are no rows");
    if (v.y().size() != v.rows())
        throw data_error(errc::shape_mismatch, who + ": " + std::to_string(v.rows()) + " rows but " +
                                                   std::to_string(v.y().size()) + " labels");
    if (v.is_sparse())
        require_features(v.sparse(), d, who, threads);
    else
        require_features(MatrixView<T>(v.X()), d, who, threads);
    check_labels<T>(params, v.y(), who);
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
    const bool validating = !validation.empty();
    if (validating) check_validation(validation, params, d, threads);

    const PredictorType type = *params.predictor_type;
    const auto seed = static_cast<std::uint64_t>(params.seed);
    Rng init_rng = Rng::for_stream(seed, 0), order_rng = Rng::for_stream(seed, 1);
    Weights<T> w = initial_weights<T>(params, d, init_rng);
    const GradientSettings settings{type == PredictorType::binary_classifier, params.rescale_grad, params.clip_gradient,
                                    params.bias_wd, params.linear_wd, params.factors_wd};
    MiniBatch<T> batch(d, *params.num_factors);
    Gradient<T> gradient;
    Optimizer<T> optimizer(params, d, *params.num_factors);
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    const Index size = params.mini_batch_size;

    FitReport report;
    Weights<T> best = validating ? w : Weights<T>{};  // the initial parameters until an epoch improves
    double best_metric = std::numeric_limits<double>::infinity();
    int bad_epochs = 0;
    for (int epoch = 1; epoch <= params.epochs; ++epoch) {
        order_rng.shuffle(order.begin(), order.end());
        double loss = 0;
        for (Index first = 0; first < n; first += size) {
            batch.gradient(w, rows, y, order.data() + first, std::min(size, n - first), settings, threads, gradient);
            loss += gradient.loss;
            optimizer.step(w, gradient, threads);
        }
        loss /= static_cast<double>(n);
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
