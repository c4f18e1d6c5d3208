// shelf/cluster.hpp: k-means — shelf::kmeans::Params, fit, Model.
//
//     shelf::kmeans::Params p;
//     p.k = 10;
//     auto model = shelf::kmeans::fit(X, p);            // X: rows are samples
//     Eigen::VectorXi cluster = model.predict(X);       // closest_cluster
//     Eigen::VectorXf distance = model.distance_to_cluster(X);
#pragma once

#include "cluster/fit.hpp"
#include "cluster/model.hpp"
#include "cluster/params.hpp"
