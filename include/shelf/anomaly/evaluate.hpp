// shelf/anomaly/evaluate.hpp: the random cut forest's platform outputs and metrics.
//
//   outputs:  score (a Stream: score, grade, and attribution if asked)
//   metrics:  the model's eval_metrics on labelled rows (1 = anomaly), a row being called an
//             anomaly when its score is above the model's threshold (a Stream: its grade above
//             0): accuracy; precision_recall_fscore as precision, recall and f1 of the anomaly class
#pragma once

#include <string>

#include "model.hpp"
#include "stream.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/outputs.hpp"
#include "shelf/metrics/classification.hpp"

namespace shelf::rcf {

/// score of every row of X.
template <class T>
Outputs outputs(const Model<T>& model, const MatrixArg<T>& X) {
    return {{"score", model.score(X).template cast<double>(), false, false}};
}

/// score and grade (Thresholder) of every row of X, and if asked its attribution (what each
/// coordinate of the point added to the score: above the sample, then below it), as a copy of
/// `stream` learns the rows in order; the stream itself is left as it was.
template <class T>
Outputs outputs(const Stream<T>& stream, const MatrixArg<T>& X, bool attribution = false) {
    Stream<T> going_on = stream;
    StreamScores s = going_on.update(X, attribution);
    Outputs out{{"score", std::move(s.score), false, false}, {"grade", std::move(s.grade), false, false}};
    if (attribution) out.push_back({"attribution", std::move(s.attribution), false, true});
    return out;
}

namespace detail {

/// The eval_metrics of `predicted` (0 / 1) against labels y (0 = normal, 1 = anomaly).
template <class T>
Metrics anomaly_metrics(const Params& params, const VectorView<T>& y, const Vector<T>& predicted) {
    Metrics out;
    for (const EvalMetric metric : params.eval_metrics) {
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

/// Rows and labels agree in number, labels are 0 or 1.
template <class T>
void check_labelled(Index rows, const VectorView<T>& y, const std::string& context) {
    if (rows == 0) throw data_error(errc::empty_data, context + ": X has no rows");
    if (y.size() != rows)
        throw data_error(errc::shape_mismatch, context + ": X has " + std::to_string(rows) + " rows but " +
                                                   std::to_string(y.size()) + " labels");
    require_labels(y, /*binary=*/true, context, "expected 0 (normal) or 1 (anomaly)");
}

}  // namespace detail

/// The model's eval_metrics on the rows of X labelled y (0 = normal, 1 = anomaly), in their order.
template <class T>
Metrics evaluate(const Model<T>& model, const MatrixArg<T>& X, const VectorView<T>& y) {
    detail::check_labelled(X.rows(), y, "randomcutforest evaluate");
    return detail::anomaly_metrics(model.params(), y, model.predict(X));
}

/// The eval_metrics of a copy of `stream` going on through the rows of X, a row being called an
/// anomaly when its grade is above 0; the stream itself is left as it was.
template <class T>
Metrics evaluate(const Stream<T>& stream, const MatrixArg<T>& X, const VectorView<T>& y) {
    detail::check_labelled(X.rows(), y, "randomcutforest evaluate");
    Stream<T> going_on = stream;
    const Eigen::VectorXd grade = going_on.update(X).grade;
    return detail::anomaly_metrics(stream.params(), y, Vector<T>((grade.array() > 0).template cast<T>()));
}

}  // namespace shelf::rcf
