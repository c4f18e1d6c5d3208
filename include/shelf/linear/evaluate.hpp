// shelf/linear/evaluate.hpp: the metrics the platform reports for a linear learner, by its names.
//
//   all:         objective_loss (mean of the training loss, unweighted, in label units)
//   binary:      binary_classification_accuracy, binary_f_beta, precision, recall (at the
//                model's threshold), roc_auc_score (left out when the data hold one class)
//   multiclass:  multiclass_accuracy, multiclass_top_k_accuracy (k = accuracy_top_k),
//                macro_precision, macro_recall, macro_f_beta
//   regressor:   mse, rmse, absolute_loss (mean absolute error)
#pragma once

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "data.hpp"
#include "labels.hpp"
#include "model.hpp"
#include "objective.hpp"
#include "shelf/core/outputs.hpp"
#include "shelf/metrics/classification.hpp"
#include "shelf/metrics/ranking.hpp"
#include "shelf/metrics/regression.hpp"

namespace shelf::linear {

/// Named metrics in the platform's order, e.g. {"objective_loss", 0.32}.
using Metrics = std::vector<std::pair<std::string, double>>;

namespace detail {

template <class T>
Metrics evaluate(const Model<T>& model, const Channel<T>& data) {
    const std::string who = "linear-learner evaluate";
    if (data.rows() == 0) throw data_error(errc::empty_data, who + ": the data has no rows");
    if (data.labels().size() != data.rows())
        throw data_error(errc::shape_mismatch, who + ": the data has " + std::to_string(data.rows()) + " rows but " +
                                                   std::to_string(data.labels().size()) + " labels");
    const Params& p = model.params();
    const PredictorType type = model.predictor_type();
    const int classes = static_cast<int>(model.outputs());
    const Vector<T> y = read_labels<T>(data.labels(), type, classes, who).y;
    const RowMatrix<T> raw = data.is_sparse() ? model.raw_score(data.sparse()) : model.raw_score(data.dense());

    RowMatrix<T> scratch = raw;
    RowArray<double> loss = RowArray<double>::Zero(1);
    const LossSettings settings{p.margin, p.quantile, p.huber_delta, p.loss_insensitivity};
    apply_loss(model.loss(), settings, scratch, y.data(), classes, RowWeights<T>{}, &loss, false);
    Metrics out{{"objective_loss", loss[0] / double(y.size())}};

    RowMatrix<T> score = raw;
    to_score(model.loss(), score);
    if (type == PredictorType::regressor) {
        const Vector<T> value = score.col(0);
        out.emplace_back("mse", metrics::mse<T>(y, value));
        out.emplace_back("rmse", metrics::rmse<T>(y, value));
        out.emplace_back("absolute_loss", metrics::mae<T>(y, value));
        return out;
    }
    Vector<T> predicted(y.size());
    for (Index i = 0; i < y.size(); ++i) {
        Index best = 0;
        score.row(i).maxCoeff(&best);
        predicted[i] = type == PredictorType::binary_classifier ? T(score(i, 0) >= model.threshold()) : T(best);
    }
    if (type == PredictorType::binary_classifier) {
        out.emplace_back("binary_classification_accuracy", metrics::accuracy<T>(y, predicted));
        out.emplace_back("binary_f_beta", metrics::f_beta<T>(y, predicted, p.f_beta));
        out.emplace_back("precision", metrics::precision<T>(y, predicted));
        out.emplace_back("recall", metrics::recall<T>(y, predicted));
        const double positives = y.template cast<double>().sum();
        if (positives > 0.0 && positives < double(y.size()))
            out.emplace_back("roc_auc_score", metrics::roc_auc<T>(y, Vector<T>(score.col(0))));
        return out;
    }
    out.emplace_back("multiclass_accuracy", metrics::accuracy<T>(y, predicted));
    out.emplace_back("multiclass_top_k_accuracy",
                     metrics::top_k_accuracy<T>(y, score, static_cast<Index>(p.accuracy_top_k)));
    out.emplace_back("macro_precision", metrics::precision<T>(y, predicted, metrics::Average::macro));
    out.emplace_back("macro_recall", metrics::recall<T>(y, predicted, metrics::Average::macro));
    out.emplace_back("macro_f_beta", metrics::f_beta<T>(y, predicted, p.f_beta, metrics::Average::macro));
    return out;
}

}  // namespace detail

/// The platform's metrics of `model` on dense rows X with labels y (binary labels 0/1 or −1/+1).
template <class T, class DX, class DY>
Metrics evaluate(const Model<T>& model, const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& y) {
    return detail::evaluate<T>(model, detail::Channel<T>(X, y));
}

/// The same on sparse rows (CSR), which may have fewer columns than feature_dim.
template <class T, class DY>
Metrics evaluate(const Model<T>& model, const SparseMatrix<T>& X, const Eigen::MatrixBase<DY>& y) {
    return detail::evaluate<T>(model, detail::Channel<T>(X, y));
}

/// The platform's response fields: `score` (a list per row for multiclass) and, for classifiers,
/// `predicted_label`; X dense or CSR.
template <class T, class Rows>
Outputs outputs(const Model<T>& model, const Rows& X) {
    const RowMatrix<T> score = model.score(X);
    const bool multiclass = model.predictor_type() == PredictorType::multiclass_classifier;
    Outputs out{{"score", score.template cast<double>(), false, multiclass}};
    if (model.predictor_type() != PredictorType::regressor)
        out.push_back({"predicted_label", model.label_of(score).template cast<double>(), true, false});
    return out;
}

}  // namespace shelf::linear
