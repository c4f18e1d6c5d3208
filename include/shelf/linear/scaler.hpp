// shelf/linear/scaler.hpp: the feature and label normalization, estimated on a sample
// of rows, and folding it back into weights that work on raw features.
//
// Training sees x' = (x − mean) / scale and y' = (y − label_mean) / label_scale; a
// model w'·x' + b' then equals w·x + b on raw data with w = label_scale · w' / scale and
// b = label_scale · (b' − Σ w'·mean / scale) + label_mean, which is what is saved.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "data.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"

namespace shelf::linear::detail {

struct Scaling {
    Eigen::VectorXd mean;   ///< per feature; zero where data is not centered
    Eigen::VectorXd scale;  ///< per feature; one where data is not scaled
    double label_mean = 0, label_scale = 1;
};

/// The normalization, over the sampled rows. Features centered (`center_features`: dense
/// data with an intercept) take their mean and standard deviation. The others are only
/// divided, by their largest |value|: centering would fill sparse data in (and give a
/// model without intercept one), and dividing one-hot columns by their standard deviation
/// would blow rare ones up (1/√p), making their weights cheap under the L2 penalty. The
/// label (`scale_label`): its standard deviation, and its mean when `center_label`. A
/// constant column keeps scale 1.
template <class T, class Input>
Scaling estimate_scaling(const Input& input, const Vector<T>& y, const std::vector<Index>& rows,
                         bool scale_features, bool center_features, bool scale_label, bool center_label) {
    const Index d = input.cols();
    Scaling s{Eigen::VectorXd::Zero(d), Eigen::VectorXd::Ones(d)};
    const auto m = static_cast<double>(rows.size());
    if (scale_features && center_features) {
        // Moments about the first sampled row, which keeps the subtraction below accurate.
        Eigen::VectorXd origin = Eigen::VectorXd::Zero(d), sum = origin, square = origin;
        input.for_each_in_row(rows.front(), [&](Index j, T v) { origin[j] = double(v); });
        for (const Index i : rows)
            input.for_each_in_row(i, [&](Index j, T v) {
                const double u = double(v) - origin[j];
                sum[j] += u;
                square[j] += u * u;
            });
        for (Index j = 0; j < d; ++j) {
            const double mean = sum[j] / m, sd = std::sqrt(std::max(0.0, square[j] / m - mean * mean));
            s.mean[j] = origin[j] + mean;
            s.scale[j] = sd > 1e-12 * std::max(1.0, std::abs(s.mean[j])) ? sd : 1.0;
        }
    } else if (scale_features) {
        Eigen::VectorXd largest = Eigen::VectorXd::Zero(d);
        for (const Index i : rows)
            input.for_each_in_row(i, [&](Index j, T v) { largest[j] = std::max(largest[j], std::abs(double(v))); });
        s.scale = (largest.array() > 0).select(largest, 1.0);
    }
    if (scale_label) {
        const double origin = double(y[rows.front()]);
        double sum = 0, square = 0;
        for (const Index i : rows) {
            const double u = double(y[i]) - origin;
            sum += u;
            square += u * u;
        }
        const double mean = sum / m, sd = std::sqrt(std::max(0.0, square / m - mean * mean));
        s.label_mean = center_label ? origin + mean : 0.0;
        s.label_scale = sd > 1e-12 * std::max(1.0, std::abs(origin + mean)) ? sd : 1.0;
    }
    return s;
}

/// The preconditioner P = (C + εI)^(-1/2) of the centered, normalized features'
/// correlation C over the sampled rows, or an empty matrix above `most` features. The
/// trainer's optimizer works on v with weights P·v: the same minimum, but correlated
/// features (collinear indicators, one-hot groups) no longer make the problem
/// ill-conditioned, where a first-order method crawls. Correlation, not covariance, so a
/// rare one-hot column is not scaled up: P only undoes correlation. ε bounds the
/// amplification of near-null directions at 1/√ε.
template <class T, class Input>
Eigen::MatrixXd decorrelation(const Input& input, const std::vector<Index>& rows, const Scaling& s, Index most) {
    const Index d = input.cols();
    if (d > most) return {};
    constexpr double epsilon = 1e-2;
    Eigen::MatrixXd X = Eigen::MatrixXd::Zero(static_cast<Index>(rows.size()), d);
    for (std::size_t r = 0; r < rows.size(); ++r)
        input.for_each_in_row(rows[r], [&](Index j, T v) { X(Index(r), j) = (double(v) - s.mean[j]) / s.scale[j]; });
    X.rowwise() -= X.colwise().mean();  // the scaler's mean is over the same rows: nearly zero already
    // Serial: about a millisecond here, where a team Eigen starts of its own costs more, and far
    // more on a busy machine (210 ms measured with a second process on one of two cores).
    Eigen::MatrixXd C;
    with_eigen_threads(1, [&] { C.noalias() = X.transpose() * X; });
    const Eigen::VectorXd root = C.diagonal().cwiseSqrt();
    for (Index i = 0; i < d; ++i)
        for (Index j = 0; j < d; ++j)
            C(i, j) = root[i] > 0 && root[j] > 0 ? C(i, j) / (root[i] * root[j]) : double(i == j);
    Eigen::MatrixXd P;
    with_eigen_threads(1, [&] {
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(C);
        const Eigen::VectorXd factor = (eigen.eigenvalues().array().max(0.0) + epsilon).rsqrt();
        P.noalias() = eigen.eigenvectors() * factor.asDiagonal() * eigen.eigenvectors().transpose();
    });
    return P;
}

/// Weights and bias of the normalized problem (one column per output) as raw-data ones.
inline void fold(const Scaling& s, const Eigen::MatrixXd& w_normalized, const Eigen::RowVectorXd& b_normalized,
          Eigen::MatrixXd& w, Eigen::RowVectorXd& b) {
    w = (w_normalized.array().colwise() / s.scale.array()).matrix();
    b = s.label_scale * (b_normalized - s.mean.transpose() * w) + Eigen::RowVectorXd::Constant(b_normalized.size(), s.label_mean);
    w *= s.label_scale;
}

}  // namespace shelf::linear::detail
