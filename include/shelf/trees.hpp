// shelf/trees.hpp: gradient-boosted trees with XGBoost's semantics (namespace shelf::gbt).
//
//     shelf::gbt::Params p;
//     p.num_round = 100;
//     p.objective = "binary:logistic";
//     auto model = shelf::gbt::fit(X, y, p, {X_valid, y_valid});
//     RowMatrix<float> probability = model.predict(X_test);
//
// XGBoost's JSON model format (import and export) is in <shelf/trees/xgboost_json.hpp>,
// which needs nlohmann/json.
#pragma once

#include "trees/fit.hpp"
#include "trees/model.hpp"
#include "trees/params.hpp"
