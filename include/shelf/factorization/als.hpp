// shelf/factorization/als.hpp: alternating least squares (coordinate descent, libFM's ALS): every
// parameter in turn set to the minimiser of
//
//     ½ Σ_i (ŷ_i − y_i)² + ½ (bias_wd·w0² + linear_wd Σ_j w_j² + factors_wd Σ_jf v_jf²)
//
// with the others held: the conditional mean of coordinate.hpp with α = 1 and Normal(0, 1/wd)
// priors. Each update lowers the objective, so a sweep never diverges and needs no rate. The
// decays apply to the summed loss, not SGD's per-batch mean, so useful values are far larger.
#pragma once

#include "coordinate.hpp"
#include "params.hpp"

namespace shelf::fm::detail {

/// ALS's fixed priors: α = 1, every prior mean 0, the precisions the decays; one group.
inline Priors als_priors(const Params& p) {
    Priors priors;
    priors.bias_precision = p.bias_wd;
    priors.linear_mean = {0.0};
    priors.linear_precision = {p.linear_wd};
    priors.factors_mean = RowMatrix<double>::Zero(1, *p.num_factors);
    priors.factors_precision = RowMatrix<double>::Constant(1, *p.num_factors, p.factors_wd);
    return priors;
}

/// ALS takes the conditional's mean.
struct ConditionalMean {
    double operator()(double mean, double /*precision*/) const { return mean; }
};

}  // namespace shelf::fm::detail
