// shelf/trees/fit.hpp: fit() and evaluate(), the entry points of gradient-boosted trees.
//
// fit() checks the data and the hyperparameters, resolves what is left automatic (base_score,
// eval_metric) and runs the boosting loop of trainer.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/outputs.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/types.hpp"
#include "shelf/core/validation.hpp"
#include "metric.hpp"
#include "model.hpp"
#include "objective.hpp"
#include "params.hpp"
#include "trainer.hpp"

namespace shelf::gbt {

/// Trains gradient-boosted trees on X (rows × features, NaN = missing) and labels y, with
/// optional validation data (dense, with the training data's features; metrics every round,
/// early stopping), a progress callback (called after every round; returning false stops
/// training) and sample weights (empty: all 1).
template <class T>
Model<T> fit_views(const MatrixView<T>& X, const VectorView<T>& y, const Params& params,
                   const Validation<T>& validation = {}, const ProgressCallback& progress = {},
                   const VectorView<T>& weight = Vector<T>()) {
    params.validate();
    const ObjectiveInfo& info = find_objective(params.objective);
    const int threads = resolve_threads(params.num_threads);
    const T* w = weight.size() > 0 ? weight.data() : nullptr;
    detail::check_data("xgboost fit: the training data", "xgboost fit", X, y, w, weight.size(), info, params.num_class,
                       -1, threads);
    if (!validation.empty()) {
        if (validation.is_sparse())
            throw invalid_argument(errc::inconsistent,
                                   "xgboost fit: the validation data is sparse; gradient-boosted trees take dense "
                                   "rows (NaN = missing)");
        detail::check_data<T>("xgboost fit: the validation data", "xgboost fit: the validation data", validation.X(),
                              validation.y(), validation.weight(), validation.weight_size(), info, params.num_class,
                              X.cols(), threads);
    } else if (params.early_stopping_rounds) {
        throw invalid_argument(errc::inconsistent, "xgboost: early_stopping_rounds needs validation data");
    }
    if (static_cast<std::uint64_t>(X.rows()) > std::uint64_t{0xFFFFFFFFu})
        throw data_error(errc::shape_mismatch, "xgboost fit: more than 2^32 - 1 training rows");

    Params resolved = params;
    resolved.objective = info.name;
    if (!resolved.base_score) resolved.base_score = detail::default_base_score(info, y, w);
    check_base_score(info, *resolved.base_score);
    if (resolved.eval_metric.empty()) resolved.eval_metric = {default_metric(info, params.tweedie_variance_power)};
    std::vector<Metric> metrics;
    for (const auto& name : resolved.eval_metric) metrics.push_back(parse_metric(name, info.multiclass));
    return detail::train(X, y, w, resolved, validation, progress, metrics, threads);
}

/// fit() for any Eigen matrix and vector expressions (the scalar type of X is the model's).
template <class DX, class DY>
Model<typename DX::Scalar> fit(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& y, const Params& params,
                               const Validation<typename DX::Scalar>& validation = {},
                               const ProgressCallback& progress = {},
                               const VectorView<typename DX::Scalar>& weight = Vector<typename DX::Scalar>()) {
    using T = typename DX::Scalar;
    return fit_views<T>(MatrixView<T>(X), VectorView<T>(y), params, validation, progress, weight);
}

/// The model's eval_metric (its objective's default when none was given) on labelled data
/// with the model's features, in order, e.g. {{"auc", 0.93}, {"logloss", 0.21}}.
template <class T>
Metrics evaluate(const Model<T>& model, const MatrixArg<T>& X, const VectorView<typename Model<T>::Scalar>& y,
                 const VectorView<typename Model<T>::Scalar>& weight = Vector<T>(), int num_threads = 0) {
    const Params& params = model.params();
    const ObjectiveInfo& info = find_objective(params.objective);
    const int threads = resolve_threads(num_threads);
    const T* w = weight.size() > 0 ? weight.data() : nullptr;
    detail::check_data("xgboost evaluate: the data", "xgboost evaluate", X, y, w, weight.size(), info, params.num_class,
                       model.num_features(), threads);
    PredictOptions options;
    options.output_margin = true;
    options.num_threads = num_threads;
    const RowMatrix<T> margin = model.predict(X, options);
    const std::vector<T> flat(margin.data(), margin.data() + margin.size());
    const ObjectiveSettings settings = objective_settings(params);
    const auto out = detail::metric_outputs(make_objective(params.objective, settings), settings, flat,
                                            model.num_outputs(), info.multiclass);
    std::vector<std::string> names = params.eval_metric;
    if (names.empty()) names = {default_metric(info, params.tweedie_variance_power)};
    Metrics result;
    for (const auto& name : names) {
        const Metric m = parse_metric(name, info.multiclass);
        result.emplace_back(m.name, evaluate_metric(m, out.data(), y.data(), w, X.rows(), model.num_outputs(),
                                                    params.huber_slope, threads));
    }
    return result;
}

/// The platform's output fields for the rows of X: `score` (the objective's output: probability,
/// count, value), for multi:softprob `score` (the class probabilities) and `predicted_label` (the
/// most probable class), for multi:softmax `predicted_label` alone.
template <class T>
Outputs outputs(const Model<T>& model, const MatrixArg<T>& X, int num_threads = 0) {
    PredictOptions options;
    options.num_threads = num_threads;
    RowMatrix<double> p = model.predict(X, options).template cast<double>();
    if (model.objective() == "multi:softmax") return {{"predicted_label", std::move(p), true, false}};
    if (model.objective() != "multi:softprob") return {{"score", std::move(p), false, false}};
    RowMatrix<double> label(p.rows(), 1);
    for (Index r = 0; r < p.rows(); ++r) {
        Index best = 0;
        p.row(r).maxCoeff(&best);
        label(r, 0) = static_cast<double>(best);
    }
    return {{"score", std::move(p), false, true}, {"predicted_label", std::move(label), true, false}};
}

}  // namespace shelf::gbt
