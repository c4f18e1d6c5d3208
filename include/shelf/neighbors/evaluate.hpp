// shelf/neighbors/evaluate.hpp: k-NN's platform outputs and metrics.
//
//   outputs:  predicted_label; verbose: also the neighbours' labels and distances
//             (the platform's `labels` and `distances`, nearest first)
//   metrics:  accuracy (classifier), mse (regressor)
#pragma once

#include <cmath>

#include "model.hpp"
#include "shelf/core/outputs.hpp"

namespace shelf::knn {

/// predicted_label of every row of X; with `verbose`, the neighbours' labels and distances too.
template <class T>
Outputs outputs(const Model<T>& model, const MatrixArg<T>& X, bool verbose = false) {
    const Neighbors<T> found = model.neighbors(X);
    const Vector<T> predicted = model.vote(found);
    const bool whole = (predicted.array() == predicted.array().floor()).all();
    Outputs out{{"predicted_label", predicted.template cast<double>(),
                 *model.params().predictor_type == PredictorType::classifier && whole, false}};
    if (verbose) {
        out.push_back({"labels", model.neighbor_labels(found).template cast<double>(), false, true});
        out.push_back({"distances", found.distances.template cast<double>(), false, true});
    }
    return out;
}

/// accuracy (classifier) or mse (regressor) of the predictions for X against y.
template <class T>
Metrics evaluate(const Model<T>& model, const MatrixArg<T>& X, const VectorArg<T>& y) {
    if (X.rows() == 0) throw data_error(errc::empty_data, "knn evaluate: X has no rows; expected at least one");
    if (y.size() != X.rows())
        throw data_error(errc::shape_mismatch, "knn evaluate: X has " + std::to_string(X.rows()) + " rows but " +
                                                   std::to_string(y.size()) + " labels");
    const Vector<T> predicted = model.predict(X);
    double sum = 0;
    const bool classifier = *model.params().predictor_type == PredictorType::classifier;
    for (Index i = 0; i < y.size(); ++i) {
        const double e = static_cast<double>(predicted[i]) - static_cast<double>(y[i]);
        sum += classifier ? double(predicted[i] == y[i]) : e * e;
    }
    return {{classifier ? "accuracy" : "mse", sum / static_cast<double>(y.size())}};
}

}  // namespace shelf::knn
