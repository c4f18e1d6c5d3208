// shelf/factorization/setup.hpp: what every solver starts from and checks against: the initial
// parameters, the feature count, the validation channel and its metric.
#pragma once

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "labels.hpp"
#include "params.hpp"
#include "predict.hpp"
#include "rows.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/validation.hpp"
#include "shelf/metrics/classification.hpp"
#include "shelf/metrics/regression.hpp"
#include "shelf/simd/math.hpp"

namespace shelf::fm::detail {

/// One initial value of a group: normal(0, sigma), uniform in ±scale, or the constant.
inline double initial_value(InitMethod method, double sigma, const std::optional<double>& scale,
                            const std::optional<double>& value, Rng& rng) {
    switch (method) {
        case InitMethod::normal: return rng.normal(0.0, sigma);
        case InitMethod::uniform: return rng.uniform(-*scale, *scale);
        case InitMethod::constant: return *value;
    }
    return 0;
}

/// The initial parameters, drawn in a fixed order: the bias, the linear weights, then the latent
/// vectors feature by feature.
template <class T>
Weights<T> initial_weights(const Params& p, Index d, Rng& rng) {
    const Index k = *p.num_factors;
    Weights<T> w{T(initial_value(p.bias_init_method, p.bias_init_sigma, p.bias_init_scale, p.bias_init_value, rng)),
                 Vector<T>(d), RowMatrix<T>(d, k)};
    for (Index j = 0; j < d; ++j)
        w.linear[j] = T(initial_value(p.linear_init_method, p.linear_init_sigma, p.linear_init_scale,
                                      p.linear_init_value, rng));
    for (Index j = 0; j < d; ++j)
        for (Index f = 0; f < k; ++f)
            w.factors(j, f) = T(initial_value(p.factors_init_method, p.factors_init_sigma, p.factors_init_scale,
                                              p.factors_init_value, rng));
    return w;
}

/// The name of the validation metric early stopping watches.
inline const char* validation_metric_name(PredictorType type) {
    return type == PredictorType::regressor ? "rmse" : "binary_classification_cross_entropy";
}

/// ŷ of the validation rows.
template <class T>
Vector<T> raw_scores(const Weights<T>& w, const Validation<T>& v, int threads) {
    if (v.is_sparse()) return raw_scores(w, SparseRows<T>(v.sparse()), threads);
    const MatrixView<T> X(v.X());
    return raw_scores(w, DenseRows<T>(X), threads);
}

/// rmse (regressor) or cross-entropy (classifier) of raw scores against the validation labels;
/// infinity when a score is not finite.
template <class T>
double validation_metric(Vector<T> score, const Validation<T>& v, PredictorType type) {
    if (!score.allFinite()) return std::numeric_limits<double>::infinity();
    if (type == PredictorType::regressor) return metrics::rmse<T>(v.y(), score);
    simd::sigmoid(score.data(), static_cast<std::size_t>(score.size()), score.data());
    return metrics::log_loss<T>(v.y(), score);
}

template <class T>
double validation_metric(const Weights<T>& w, const Validation<T>& v, PredictorType type, int threads) {
    return validation_metric(raw_scores(w, v, threads), v, type);
}

template <class T>
bool all_finite(const Weights<T>& w) {
    return std::isfinite(w.bias) && w.linear.allFinite() && w.factors.allFinite();
}

/// The number of features: the data's columns, or feature_dim when given (dense data must have
/// exactly that many; CSR data fewer or more, as long as no entry lies beyond it).
inline Index resolve_feature_dim(const Params& params, Index cols, bool sparse, const std::string& who) {
    if (!params.feature_dim) return cols;
    const auto given = static_cast<Index>(*params.feature_dim);
    if (!sparse && cols != given)
        throw data_error(errc::shape_mismatch, who + ": the training data has " + std::to_string(cols) +
                                                   " feature columns but feature_dim = " + std::to_string(given));
    return given;
}

template <class T>
void check_validation(const Validation<T>& v, const Params& params, Index d, int threads) {
    const std::string who = std::string(Params::family) + " fit (validation data)";
    if (v.weight_size() > 0)
        throw invalid_argument(errc::inconsistent, who + ": the rows carry weights; factorization machines weigh "
                                                         "every row 1, so give none");
    if (v.rows() == 0) throw data_error(errc::empty_data, who + ": there are no rows");
    if (v.y().size() != v.rows())
        throw data_error(errc::shape_mismatch, who + ": " + std::to_string(v.rows()) + " rows but " +
                                                   std::to_string(v.y().size()) + " labels");
    if (v.is_sparse())
        require_features(v.sparse(), d, who, threads);
    else
        require_features(MatrixView<T>(v.X()), d, who, threads);
    check_labels<T>(params, v.y(), who);
}

}  // namespace shelf::fm::detail
