// shelf/forecast/special.hpp: log Γ and digamma for positive arguments, for the likelihoods.
//
// Written here rather than taken from <cmath>: glibc's lgamma writes the global `signgam`,
// a data race when several threads train or forecast, and the standard has no digamma.
#pragma once

#include <cmath>

namespace shelf::deepar::detail {

/// log Γ(x) for x > 0: the recurrence up to x ≥ 10, then Stirling's series (error below 1e-14).
inline double log_gamma(double x) noexcept {
    double shift = 0;
    while (x < 10) {
        shift -= std::log(x);
        x += 1;
    }
    const double z = 1 / (x * x);
    const double series = (1.0 / 12 - z * (1.0 / 360 - z * (1.0 / 1260 - z * (1.0 / 1680 - z / 1188)))) / x;
    return shift + (x - 0.5) * std::log(x) - x + 0.91893853320467274178 + series;  // ½ log 2π
}

/// ψ(x) = d log Γ(x) / dx for x > 0: the recurrence up to x ≥ 10, then the asymptotic series.
inline double digamma(double x) noexcept {
    double shift = 0;
    while (x < 10) {
        shift -= 1 / x;
        x += 1;
    }
    const double z = 1 / (x * x);
    return shift + std::log(x) - 0.5 / x - z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z / 132))));
}

/// log(1 + e^x) without overflow.
inline double softplus(double x) noexcept { return x > 30 ? x : std::log1p(std::exp(x)); }

/// d softplus / dx, the logistic function.
inline double logistic(double x) noexcept { return 1 / (1 + std::exp(-x)); }

}  // namespace shelf::deepar::detail
