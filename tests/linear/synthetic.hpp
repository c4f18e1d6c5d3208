// tests/linear/synthetic.hpp: data sets with known weights, drawn from shelf::Rng.
#pragma once

#include <cmath>

#include <shelf/core/random.hpp>
#include <shelf/core/types.hpp>
#include <shelf/linear/params.hpp>

namespace synthetic {

using shelf::Index;

template <class T>
struct Data {
    shelf::RowMatrix<T> X;
    shelf::Vector<T> y;
    Eigen::VectorXd w;  ///< true weights on raw features
    double b = 0;       ///< true intercept
};

/// Features with their own means and scales (so normalization matters): x_j = mean_j + scale_j·N(0, 1).
template <class T>
shelf::RowMatrix<T> features(Index n, Index d, shelf::Rng& rng) {
    shelf::RowMatrix<T> X(n, d);
    for (Index j = 0; j < d; ++j) {
        const double mean = double(j % 3) - 1.0, scale = 0.5 + 0.5 * double(j % 4);
        for (Index i = 0; i < n; ++i) X(i, j) = T(mean + scale * rng.normal());
    }
    return X;
}

inline Eigen::VectorXd weights(Index d, shelf::Rng& rng) {
    Eigen::VectorXd w(d);
    for (Index j = 0; j < d; ++j) w[j] = rng.normal();
    return w;
}

/// y = x·w + b + noise·N(0, 1).
template <class T>
Data<T> regression(Index n, Index d, double noise, std::uint64_t seed) {
    shelf::Rng rng(seed);
    Data<T> s{features<T>(n, d, rng), shelf::Vector<T>(n), weights(d, rng), 0.7};
    for (Index i = 0; i < n; ++i)
        s.y[i] = T(s.X.row(i).template cast<double>().dot(s.w) + s.b + noise * rng.normal());
    return s;
}

/// y ~ Bernoulli(σ(x·w + b)).
template <class T>
Data<T> logistic(Index n, Index d, std::uint64_t seed) {
    shelf::Rng rng(seed);
    Data<T> s{features<T>(n, d, rng), shelf::Vector<T>(n), weights(d, rng), -0.4};
    for (Index i = 0; i < n; ++i) {
        const double z = s.X.row(i).template cast<double>().dot(s.w) + s.b;
        s.y[i] = T(rng.uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0);
    }
    return s;
}

/// Linearly separable: y = [x·w + b > 0], with rows closer than `gap` to the boundary dropped.
template <class T>
Data<T> separable(Index n, Index d, double gap, std::uint64_t seed) {
    shelf::Rng rng(seed);
    Data<T> s{shelf::RowMatrix<T>(n, d), shelf::Vector<T>(n), weights(d, rng), 0.3};
    s.w.normalize();
    Index kept = 0;
    while (kept < n) {
        const shelf::RowMatrix<T> row = features<T>(1, d, rng);
        const double z = row.row(0).template cast<double>().dot(s.w) + s.b;
        if (std::abs(z) < gap) continue;
        s.X.row(kept) = row.row(0);
        s.y[kept++] = T(z > 0 ? 1 : 0);
    }
    return s;
}

/// Classes 0 .. k−1 drawn from softmax(x·W + b) with known W (d × k).
template <class T>
Data<T> softmax(Index n, Index d, Index k, std::uint64_t seed, Eigen::MatrixXd* W_out = nullptr) {
    shelf::Rng rng(seed);
    Data<T> s{features<T>(n, d, rng), shelf::Vector<T>(n), Eigen::VectorXd(), 0};
    Eigen::MatrixXd W(d, k);
    for (Index j = 0; j < d; ++j)
        for (Index c = 0; c < k; ++c) W(j, c) = 1.5 * rng.normal();
    for (Index i = 0; i < n; ++i) {
        Eigen::RowVectorXd z = s.X.row(i).template cast<double>() * W;
        z = (z.array() - z.maxCoeff()).exp().matrix();
        double u = rng.uniform() * z.sum();
        Index c = 0;
        while (c + 1 < k && u >= z[c]) u -= z[c++];
        s.y[i] = T(c);
    }
    if (W_out) *W_out = W;
    return s;
}

/// Rows first .. first + count of a data set (train / validation / test splits share the true weights).
template <class T>
Data<T> rows(const Data<T>& d, Index first, Index count) {
    return {d.X.middleRows(first, count), d.y.segment(first, count), d.w, d.b};
}

/// Cosine of the angle between two directions.
inline double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) { return a.dot(b) / (a.norm() * b.norm()); }

inline shelf::linear::Params params(shelf::linear::PredictorType type) {
    shelf::linear::Params p;
    p.predictor_type = type;
    return p;
}

}  // namespace synthetic
