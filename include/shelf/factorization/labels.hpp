// shelf/factorization/labels.hpp: the labels each predictor type accepts.
#pragma once

#include <string>

#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/types.hpp"

namespace shelf::fm {

/// Throws data_error naming the first label `params` cannot learn from (0 or 1 for a
/// binary_classifier, finite for a regressor), its row named by `row_name`: the check fit()
/// makes, for a caller that checks every channel before training.
template <class T>
void check_labels(const Params& params, const VectorView<T>& y, const std::string& where,
                  const RowNames& row_name = {}) {
    require_labels(y, *params.predictor_type == PredictorType::binary_classifier, where,
                   "a binary_classifier expects labels 0 and 1", row_name);
}

}  // namespace shelf::fm
