// shelf/metrics/detail/rates.hpp: the ratios precision, recall and F-beta are
// built from, with scikit-learn's zero-division rule (0/0 scores 0, silently).
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "shelf/metrics/detail/checks.hpp"

namespace shelf::metrics::detail {

/// num / den, or 0 when den is 0 (scikit-learn's zero_division default).
inline double ratio_or_zero(double num, double den) { return den == 0 ? 0.0 : num / den; }

/// num / den as IEEE division gives it (and numpy): x/0 = +inf for x > 0, 0/0 = NaN.
/// Spelled out so the result does not hinge on floating-point trap settings.
inline double ieee_ratio(double num, double den) {
    if (den != 0) return num / den;
    if (num == 0) return std::numeric_limits<double>::quiet_NaN();
    return num > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

/// beta >= 0; +inf is allowed (F-beta then equals recall), as in scikit-learn.
inline void require_beta(const char* fn, double beta) {
    if (!(beta >= 0))
        throw invalid_argument(errc::out_of_range, std::string(fn) + ": beta is " + num(beta) +
                                                       "; expected beta >= 0 (0 weighs only precision, "
                                                       "+inf only recall)");
}

/// F-beta from precision and recall, computed as scikit-learn 1.2 does.
inline double f_beta_of(double precision, double recall, double beta) {
    if (std::isinf(beta)) return recall;
    const double b2 = beta * beta;
    const double denom = b2 * precision + recall;
    return denom == 0 ? 0.0 : (1 + b2) * precision * recall / denom;
}

}  // namespace shelf::metrics::detail
