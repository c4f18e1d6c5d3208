// shelf/factorization/labels.hpp: the labels each predictor type accepts.
#pragma once

#include <cmath>
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
    const bool binary = *params.predictor_type == PredictorType::binary_classifier;
    for (Index i = 0; i < y.size(); ++i) {
        if (!std::isfinite(y[i]))
            throw data_error(errc::not_finite, where + ": the label in " + row_name(i) + " is " +
                                                   (std::isnan(y[i]) ? "NaN" : "infinite") + "; expected a finite label");
        if (binary && y[i] != T(0) && y[i] != T(1))
            throw data_error(errc::bad_label, where + ": the label in " + row_name(i) + " is " +
                                                  shelf::detail::format_value(double(y[i])) +
                                                  "; a binary_classifier expects labels 0 and 1");
    }
}

}  // namespace shelf::fm
