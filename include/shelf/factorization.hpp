// shelf/factorization.hpp: factorization machines — shelf::fm::Params, fit, Model, and the
// platform's outputs and metrics.
//
//     shelf::fm::Params p;
//     p.predictor_type = shelf::fm::PredictorType::regressor;
//     p.num_factors = 8;
//     auto model = shelf::fm::fit(X, y, p);              // X: CSR (one-hot users × items × ...) or dense
//     Eigen::VectorXf score = model.score(Q);            // score; predict(Q): predicted_label
//     const auto& V = model.latent_vectors();            // feature_dim × num_factors
#pragma once

#include "factorization/evaluate.hpp"
#include "factorization/fit.hpp"
#include "factorization/model.hpp"
#include "factorization/one_hot.hpp"
#include "factorization/params.hpp"
