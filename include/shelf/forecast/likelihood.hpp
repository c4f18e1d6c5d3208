// shelf/forecast/likelihood.hpp: the distributions the network's output parameterises, as one
// registry: each entry's parameter count, negative log-likelihood with its gradient, mean and
// sampler.
//
// The network emits `num_params` unconstrained values per step; positive parameters pass
// through softplus. Student-T, Gaussian and L1 work on (y − loc) / scale, the window's `Affine`
// map (their loss differs from the target's by log scale, a constant that is added back so that
// losses are in the target's units); the negative binomial's mean is multiplied by the scale
// (counts stay counts, loc is 0); beta is unscaled (its values live in (0, 1)).
#pragma once

#include <cmath>
#include <string>

#include "params.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/registry.hpp"
#include "special.hpp"

namespace shelf::deepar {

/// One likelihood: its name, how many network outputs it reads, whether the network sees the
/// target divided by the series' scale, and which targets it accepts.
struct LikelihoodInfo {
    Likelihood id;
    const char* name;
    int num_params;
    bool scaled;
    const char* support;  ///< the targets it accepts, for error messages
};

inline constexpr LikelihoodInfo likelihoods[] = {
    {Likelihood::student_t, "student-T", 3, true, "any finite value"},
    {Likelihood::gaussian, "gaussian", 2, true, "any finite value"},
    {Likelihood::negative_binomial, "negative-binomial", 2, true, "counts >= 0"},
    {Likelihood::beta, "beta", 2, false, "values in (0, 1)"},
    {Likelihood::deterministic_l1, "deterministic-L1", 1, true, "any finite value"},
};

inline const LikelihoodInfo& info(Likelihood id) {
    for (const auto& entry : likelihoods)
        if (entry.id == id) return entry;
    return likelihoods[0];
}

namespace detail {

/// A window's map between the target's units and the network's: v = (y − loc) / scale.
struct Affine {
    double loc = 0, scale = 1;
    double to_network(double y) const noexcept { return (y - loc) / scale; }
    double to_target(double v) const noexcept { return loc + scale * v; }
};

constexpr double min_positive = 1e-6;  // keeps scales and shapes away from 0
constexpr double half_log_2pi = 0.91893853320467274178;
constexpr double log_pi = 1.14472988584940017414;

/// Whether `y` is a target the likelihood can score.
inline bool in_support(Likelihood id, double y) noexcept {
    switch (id) {
        case Likelihood::negative_binomial: return y >= 0;
        case Likelihood::beta: return y > 0 && y < 1;
        default: return true;
    }
}

/// Negative log-likelihood of target y under the parameters raw[0 .. num_params) for a window
/// whose map is `map`; writes d nll / d raw to grad.
template <class T>
double negative_log_likelihood(Likelihood id, const T* raw, double y, const Affine& map, T* grad) noexcept {
    const double scale = map.scale;
    switch (id) {
        case Likelihood::gaussian: {
            const double mu = raw[0], sigma = softplus(raw[1]) + min_positive, e = (map.to_network(y) - mu) / sigma;
            grad[0] = static_cast<T>(-e / sigma);
            grad[1] = static_cast<T>((1 - e * e) / sigma * logistic(raw[1]));
            return half_log_2pi + std::log(sigma) + 0.5 * e * e + std::log(scale);
        }
        case Likelihood::student_t: {
            const double mu = raw[0], sigma = softplus(raw[1]) + min_positive, nu = 2 + softplus(raw[2]);
            const double e = (map.to_network(y) - mu) / sigma, q = e * e / nu, w = (nu + 1) / (nu * (1 + q));
            grad[0] = static_cast<T>(-w * e / sigma);
            grad[1] = static_cast<T>((1 - w * e * e) / sigma * logistic(raw[1]));
            const double dnu = -0.5 * digamma((nu + 1) / 2) + 0.5 * digamma(nu / 2) + 0.5 / nu + 0.5 * std::log1p(q) -
                               0.5 * w * q;
            grad[2] = static_cast<T>(dnu * logistic(raw[2]));
            return -log_gamma((nu + 1) / 2) + log_gamma(nu / 2) + 0.5 * (log_pi + std::log(nu)) + std::log(sigma) +
                   0.5 * (nu + 1) * std::log1p(q) + std::log(scale);
        }
        case Likelihood::negative_binomial: {
            const double m = scale * (softplus(raw[0]) + min_positive), alpha = softplus(raw[1]) + min_positive;
            const double r = 1 / alpha, rm = r + m;
            const double dm = y / m - (r + y) / rm;
            const double dr = digamma(y + r) - digamma(r) + std::log(r / rm) + 1 - (r + y) / rm;
            grad[0] = static_cast<T>(-dm * scale * logistic(raw[0]));
            grad[1] = static_cast<T>(dr / (alpha * alpha) * logistic(raw[1]));  // dr/dα = −1/α²
            return -(log_gamma(y + r) - log_gamma(r) - log_gamma(y + 1) + r * std::log(r / rm) +
                     (y > 0 ? y * std::log(m / rm) : 0.0));
        }
        case Likelihood::beta: {
            const double a = softplus(raw[0]) + min_positive, b = softplus(raw[1]) + min_positive;
            const double both = digamma(a + b);
            grad[0] = static_cast<T>(-(both - digamma(a) + std::log(y)) * logistic(raw[0]));
            grad[1] = static_cast<T>(-(both - digamma(b) + std::log1p(-y)) * logistic(raw[1]));
            return -(log_gamma(a + b) - log_gamma(a) - log_gamma(b) + (a - 1) * std::log(y) + (b - 1) * std::log1p(-y));
        }
        case Likelihood::deterministic_l1: {
            const double e = map.to_network(y) - raw[0];
            grad[0] = static_cast<T>(e > 0 ? -1 : e < 0 ? 1 : 0);
            return std::abs(e);
        }
    }
    return 0;
}

/// The distribution's mean, in the target's units.
template <class T>
double distribution_mean(Likelihood id, const T* raw, const Affine& map) noexcept {
    switch (id) {
        case Likelihood::negative_binomial: return map.scale * (softplus(raw[0]) + min_positive);
        case Likelihood::beta: {
            const double a = softplus(raw[0]) + min_positive, b = softplus(raw[1]) + min_positive;
            return a / (a + b);
        }
        default: return map.to_target(raw[0]);  // Student-T (ν > 2), Gaussian, L1: the location
    }
}

/// One draw from the distribution, in the target's units.
template <class T>
double draw(Likelihood id, const T* raw, const Affine& map, Rng& rng) noexcept {
    switch (id) {
        case Likelihood::gaussian: return map.to_target(raw[0] + (softplus(raw[1]) + min_positive) * rng.normal());
        case Likelihood::student_t: {
            const double sigma = softplus(raw[1]) + min_positive, nu = 2 + softplus(raw[2]);
            const double chi2_over_nu = 2 * rng.gamma(nu / 2) / nu;
            return map.to_target(raw[0] + sigma * rng.normal() / std::sqrt(chi2_over_nu));
        }
        case Likelihood::negative_binomial: {
            const double m = map.scale * (softplus(raw[0]) + min_positive), alpha = softplus(raw[1]) + min_positive;
            const double rate = rng.gamma(1 / alpha) * alpha * m;  // Gamma(1/α, αm): the Poisson mixture
            return static_cast<double>(rng.poisson(rate));
        }
        case Likelihood::beta: {
            const double x = rng.gamma(softplus(raw[0]) + min_positive), z = rng.gamma(softplus(raw[1]) + min_positive);
            return x + z > 0 ? x / (x + z) : 0.5;
        }
        case Likelihood::deterministic_l1: return map.to_target(raw[0]);
    }
    return 0;
}

}  // namespace detail

}  // namespace shelf::deepar
