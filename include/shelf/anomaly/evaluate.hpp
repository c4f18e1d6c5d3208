// shelf/anomaly/evaluate.hpp: the random cut forest's platform outputs and metrics.
//
//   outputs:  score
//   metrics:  the model's eval_metrics on labelled rows (1 = anomaly), a row being called an
//             anomaly when its score is above the model's threshold: accuracy;
//             precision_recall_fscore as precision, recall and f1 of the anomaly class
#pragma once

#include <string>

#include "model.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/outputs.hpp"
#include "shelf/metrics/classification.hpp"

namespace shelf::rcf {

/// score of every row of X.
template <class T>
Outputs outputs(const Model<T>& model, const MatrixArg<T>& X) {
    return {{"score", model.score(X).template cast<double>(), false, false}};
}

/// The model's eval_metrics on the rows of X labelled y (0 = normal, 1 = anomaly), in their order.
template <class T>
Metrics evaluate(const Model<T>& model, const MatrixArg<T>& X, const VectorView<T>& y) {
    const std::string context = "randomcutforest evaluate";
    if (X.rows() == 0) throw data_error(errc::empty_data, context + ": X has no rows");
    if (y.size() != X.rows())
        throw data_error(errc::shape_mismatch, context + ": X has " + std::to_string(X.rows()) + " rows but " +
                                                   std::to_string(y.size()) + " labels");
    require_labels(y, /*binary=*/true, context, "expected 0 (normal) or 1 (anomaly)");
    const Vector<T> predicted = model.predict(X);
    Metrics out;
    for (const EvalMetric metric : model.params().eval_metrics) {
        if (metric == EvalMetric::accuracy) {
            out.emplace_back("accuracy", metrics::accuracy<T>(y, predicted));
        } else {
            out.emplace_back("precision", metrics::precision<T>(y, predicted));
            out.emplace_back("recall", metrics::recall<T>(y, predicted));
            out.emplace_back("f1", metrics::f1<T>(y, predicted));
        }
    }
    return out;
}

}  // namespace shelf::rcf
