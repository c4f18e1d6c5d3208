// shelf/neighbors.hpp: k-nearest neighbours — shelf::knn::Params, fit, Model, and the exact
// vector index FlatIndex on its own.
//
//     shelf::knn::Params p;
//     p.k = 10;
//     p.sample_size = 100000;
//     p.predictor_type = shelf::knn::PredictorType::classifier;
//     auto model = shelf::knn::fit(X, y, p);             // X: rows are samples
//     Eigen::VectorXf label = model.predict(Q);          // predicted_label
//
//     shelf::knn::FlatIndex<float> index(X.cols(), shelf::knn::Metric::l2);
//     index.add(X);                                      // ids 0 .. n − 1
//     auto found = index.search(Q, 10, threads);         // found.ids, found.distances
#pragma once

#include "neighbors/fit.hpp"
#include "neighbors/flat.hpp"
#include "neighbors/model.hpp"
#include "neighbors/params.hpp"
