// shelf/factorization/evaluate.hpp: the factorization machines' platform outputs and metrics.
//
//   outputs:     score (the regressor's value, the classifier's probability of label 1) and,
//                for a binary_classifier, predicted_label
//   regressor:   rmse
//   classifier:  binary_classification_accuracy, binary_classification_cross_entropy,
//                binary_f_beta (beta 1)
#pragma once

#include <string>

#include <Eigen/Core>

#include "labels.hpp"
#include "model.hpp"
#include "shelf/core/outputs.hpp"
#include "shelf/metrics/classification.hpp"
#include "shelf/metrics/regression.hpp"

namespace shelf::fm {

namespace detail {

template <class T, class X>
Metrics evaluate(const Model<T>& model, const X& data, const VectorView<T>& y) {
    const std::string who = std::string(Params::family) + " evaluate";
    if (data.rows() == 0) throw data_error(errc::empty_data, who + ": the data has no rows");
    if (y.size() != data.rows())
        throw data_error(errc::shape_mismatch, who + ": the data has " + std::to_string(data.rows()) + " rows but " +
                                                   std::to_string(y.size()) + " labels");
    check_labels<T>(model.params(), y, who);
    const Vector<T> score = model.score(data);
    if (model.predictor_type() == PredictorType::regressor) return {{"rmse", metrics::rmse<T>(y, score)}};
    const Vector<T> predicted = model.label_of(score);
    return {{"binary_classification_accuracy", metrics::accuracy<T>(y, predicted)},
            {"binary_classification_cross_entropy", metrics::log_loss<T>(y, score)},
            {"binary_f_beta", metrics::f_beta<T>(y, predicted, 1.0)}};
}

}  // namespace detail

/// The platform's metrics of `model` on dense rows X with labels y.
template <class T>
Metrics evaluate(const Model<T>& model, const MatrixArg<T>& X, const VectorArg<T>& y) {
    return detail::evaluate<T>(model, X, y);
}

/// The same on CSR rows.
template <class T>
Metrics evaluate(const Model<T>& model, const SparseMatrix<T>& X, const VectorArg<T>& y) {
    return detail::evaluate<T>(model, X, y);
}

/// The platform's response fields for dense or CSR rows: `score` and, for a binary_classifier,
/// `predicted_label`.
template <class T, class Rows>
Outputs outputs(const Model<T>& model, const Rows& X) {
    const Vector<T> score = model.score(X);
    Outputs out{{"score", RowMatrix<double>(score.template cast<double>()), false, false}};
    if (model.predictor_type() == PredictorType::binary_classifier)
        out.push_back({"predicted_label", RowMatrix<double>(model.label_of(score).template cast<double>()), true, false});
    return out;
}

}  // namespace shelf::fm
