// shelf/linear.hpp: the linear learner — shelf::linear::Params, fit, Model, evaluate.
//
//     shelf::linear::Params p;
//     p.predictor_type = shelf::linear::PredictorType::binary_classifier;
//     auto model = shelf::linear::fit(X, y, p, {X_valid, y_valid});  // X dense or CSR
//     Eigen::VectorXf label = model.predict(X_test);                 // predicted_label
//     shelf::RowMatrix<float> score = model.score(X_test);            // P(class 1)
//     auto metrics = shelf::linear::evaluate(model, X_test, y_test);
#pragma once

#include "linear/evaluate.hpp"
#include "linear/fit.hpp"
#include "linear/losses.hpp"
#include "linear/model.hpp"
#include "linear/params.hpp"
