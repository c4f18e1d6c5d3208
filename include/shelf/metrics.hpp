// shelf/metrics.hpp: every evaluation metric (namespace shelf::metrics).
//
// Conventions shared by all metrics:
//  - Scalar type. Metrics are templates on T = float or double taking
//    VectorView<T> / MatrixView<T>, so Eigen vectors, blocks and Eigen::Map
//    over a std::vector bind without a copy (a column-major matrix passed as
//    MatrixView is copied). Both metrics::rmse<double>(y, p) and
//    metrics::rmse(y, p) work: plain Eigen arguments deduce T.
//  - Results are double, accumulated in double whatever T is.
//  - Sample weights. Wherever scikit-learn takes sample_weight, the metric
//    takes a trailing `const Vector<T>* sample_weight = nullptr`: nullptr means
//    unweighted, otherwise one weight per sample, finite and >= 0, not all zero
//    (a negative weight throws invalid_argument(out_of_range), all-zero
//    weights data_error(empty_data)). Ranking metrics drop zero-weight samples
//    before ranking, as scikit-learn does.
//  - Classes. Binary by default with pos_label = 1; Average::macro, micro or
//    weighted for multiclass (see classification.hpp). Zero divisions in
//    precision, recall, F and specificity score 0 with no warning
//    (scikit-learn's zero_division default, minus the warning).
//  - Errors (shelf/core/error.hpp), always naming the metric:
//      data_error(shape_mismatch)  inputs of different lengths or shapes
//      data_error(empty_data)      no samples, or weights that sum to zero
//      data_error(not_finite)      NaN or infinity, naming the first index
//      data_error(bad_label)       labels that do not fit the metric: a fraction
//                                  as a class, more than two classes for a
//                                  binary metric, one class for ROC AUC, no
//                                  positives for precision-recall metrics
//      invalid_argument(out_of_range) parameters outside their range (beta,
//                                  tau, k, targets, weights < 0, probabilities
//                                  outside [0, 1])
#pragma once

#include "shelf/metrics/classification.hpp"
#include "shelf/metrics/forecasting.hpp"
#include "shelf/metrics/ranking.hpp"
#include "shelf/metrics/regression.hpp"
