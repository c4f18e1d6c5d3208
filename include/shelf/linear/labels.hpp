// shelf/linear/labels.hpp: the labels each predictor type accepts, checked and read.
#pragma once

#include <cmath>
#include <string>

#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/types.hpp"

namespace shelf::linear::detail {

/// Labels as training reads them: binary 0/1 (−1/+1 accepted and mapped to 0/1),
/// multiclass 0 .. num_classes − 1, regression any finite value.
template <class T>
struct Labels {
    Vector<T> y;
    bool plus_minus_one = false;  ///< binary labels were given as −1/+1
};

template <class T>
Labels<T> read_labels(const VectorView<T>& y, PredictorType type, int num_classes, const std::string& context,
                      const RowNames& row_name = {}) {
    Labels<T> out{y, false};
    for (Index i = 0; i < y.size(); ++i)
        if (!std::isfinite(y[i]))
            throw data_error(errc::not_finite, context + ": the label in " + row_name(i) + " is " +
                                                   (std::isnan(y[i]) ? "NaN" : "infinite") + "; expected a finite label");
    if (type == PredictorType::binary_classifier) {
        bool has_zero = false, has_minus_one = false;
        for (Index i = 0; i < y.size(); ++i) {
            if (y[i] != T(0) && y[i] != T(1) && y[i] != T(-1))
                throw data_error(errc::bad_label, context + ": the label in " + row_name(i) + " is " +
                                                      shelf::detail::format_value(double(y[i])) +
                                                      "; a binary_classifier expects labels 0 and 1 (or -1 and +1)");
            has_zero = has_zero || y[i] == T(0);
            has_minus_one = has_minus_one || y[i] == T(-1);
        }
        if (has_zero && has_minus_one)
            throw data_error(errc::bad_label, context + ": the labels mix 0 and -1; a binary_classifier expects "
                                                        "labels 0 and 1, or -1 and +1");
        if (has_minus_one) {
            out.y = (y.array() > T(0)).template cast<T>();
            out.plus_minus_one = true;
        }
    } else if (type == PredictorType::multiclass_classifier) {
        for (Index i = 0; i < y.size(); ++i)
            if (!(y[i] >= T(0) && y[i] < T(num_classes)) || y[i] != std::floor(y[i]))
                throw data_error(errc::bad_label, context + ": the label in " + row_name(i) + " is " +
                                                      shelf::detail::format_value(double(y[i])) +
                                                      "; expected a class id 0 .. " + std::to_string(num_classes - 1) +
                                                      " (num_classes = " + std::to_string(num_classes) + ")");
    }
    return out;
}

}  // namespace shelf::linear::detail

namespace shelf::linear {

/// Throws data_error naming the first label `params` cannot learn from (0/1 or -1/+1 for a
/// binary classifier, a class id below num_classes for a multiclass one, finite for a
/// regressor), its row named by `row_name`: the check fit() makes, for a caller that
/// checks every channel before training.
template <class T>
void check_labels(const Params& params, const VectorView<T>& y, const std::string& where,
                  const RowNames& row_name = {}) {
    const PredictorType type = *params.predictor_type;
    const int classes = type == PredictorType::multiclass_classifier ? *params.num_classes : 1;
    (void)detail::read_labels<T>(y, type, classes, where, row_name);
}

}  // namespace shelf::linear
