// shelf/cluster/evaluate.hpp: k-means' platform outputs and metrics.
//
//   outputs:  closest_cluster, distance_to_cluster (Euclidean)
//   metrics:  the model's eval_metrics: msd (mean squared distance to the closest center),
//             ssd (their sum)
#pragma once

#include "model.hpp"
#include "shelf/core/outputs.hpp"

namespace shelf::kmeans {

/// closest_cluster and distance_to_cluster of every row of X.
template <class T>
Outputs outputs(const Model<T>& model, const MatrixArg<T>& X) {
    const Assignment<T> a = model.assign(X);
    return {{"closest_cluster", a.closest_cluster.template cast<double>(), true, false},
            {"distance_to_cluster", a.distance_to_cluster.template cast<double>(), false, false}};
}

/// The model's eval_metrics on X, in their order.
template <class T>
Metrics evaluate(const Model<T>& model, const MatrixArg<T>& X) {
    const double ssd = model.ssd(X);
    Metrics out;
    for (const EvalMetric metric : model.params().eval_metrics) {
        if (metric == EvalMetric::msd) {
            if (X.rows() == 0) throw data_error(errc::empty_data, "kmeans evaluate: X has no rows; msd needs one");
            out.emplace_back("msd", ssd / static_cast<double>(X.rows()));
        } else {
            out.emplace_back("ssd", ssd);
        }
    }
    return out;
}

}  // namespace shelf::kmeans
