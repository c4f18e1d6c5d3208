// shelf/anomaly.hpp: random cut forest anomaly detection — shelf::rcf::Params, fit, Model, and
// the streaming detector Stream.
//
//     shelf::rcf::Params p;                               // num_trees 100, num_samples_per_tree 256
//     auto model = shelf::rcf::fit(X, p);                 // X: rows are points
//     Eigen::VectorXf s = model.score(Q);                 // about 1 for typical rows, more for anomalies
//     Eigen::VectorXf flagged = model.predict(Q);         // 1 where s > model.threshold()
//
//     p.streaming = true, p.shingle_size = 48;
//     shelf::rcf::Stream<float> stream(p, 1);             // rows of one value, points of 48
//     auto out = stream.update(series);                   // out.score, out.grade per row, as they arrive
#pragma once

#include "anomaly/evaluate.hpp"
#include "anomaly/fit.hpp"
#include "anomaly/forest.hpp"
#include "anomaly/model.hpp"
#include "anomaly/params.hpp"
#include "anomaly/stream.hpp"
