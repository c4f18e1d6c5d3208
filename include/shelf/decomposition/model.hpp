// shelf/decomposition/model.hpp: a trained PCA model — components, explained variance,
// mean — and the platform's output `projection` (transform) with its inverse.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/simd/row_products.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/distance.hpp"
#include "shelf/simd/kernels.hpp"

namespace shelf::pca {

/// What training did.
struct FitReport {
    std::int64_t rows = 0;  ///< training rows seen
    int passes = 0;         ///< passes over the data
    bool stopped = false;   ///< the progress callback asked to stop early

    friend bool operator==(const FitReport& a, const FitReport& b) {
        return a.rows == b.rows && a.passes == b.passes && a.stopped == b.stopped;
    }
    friend bool operator!=(const FitReport& a, const FitReport& b) { return !(a == b); }
};

namespace detail {

/// The sign convention: each component's entry of largest magnitude is positive (the
/// first such entry on ties) — scikit-learn's svd_flip(u, v, u_based_decision=False),
/// which its PCA uses since version 1.5. It needs no data, so streamed and randomized
/// fits follow it too.
inline void fix_signs(Eigen::MatrixXd& components) {
    for (Index c = 0; c < components.rows(); ++c) {
        Index at = 0;
        components.row(c).cwiseAbs().maxCoeff(&at);
        if (components(c, at) < 0) components.row(c) *= -1.0;
    }
}

}  // namespace detail

/// A PCA model: num_components directions in feature_dim dimensions, sorted by
/// explained variance. A value — copyable and compared by content; const methods
/// are safe to call from several threads.
template <class T>
class Model {
    static_assert(std::is_floating_point_v<T>, "shelf::pca::Model<T> needs float or double");

public:
    using Scalar = T;

    /// Builds a model from components (rows, unit length, any sign), the eigenvalues of the
    /// scatter matrix they come from (descending), that matrix's trace, the mean that was
    /// subtracted (zeros without subtract_mean) and the row count. `params` are resolved.
    Model(Params params, Eigen::MatrixXd components, const Eigen::VectorXd& scatter_values, double total_scatter,
          const Eigen::VectorXd& mean, FitReport report)
        : params_(std::move(params)), report_(report) {
        detail::fix_signs(components);
        components_ = components.cast<T>();
        const double dof = static_cast<double>(std::max<std::int64_t>(report.rows - 1, 1));
        const Eigen::VectorXd values = scatter_values.cwiseMax(0.0);
        explained_variance_ = (values / dof).cast<T>();
        explained_variance_ratio_ = (total_scatter > 0 ? Eigen::VectorXd(values / total_scatter)
                                                       : Eigen::VectorXd::Zero(values.size()))
                                        .cast<T>();
        singular_values_ = values.cwiseSqrt().cast<T>();
        mean_ = mean.cast<T>();
    }

    const Params& params() const noexcept { return params_; }
    const FitReport& report() const noexcept { return report_; }
    Index num_components() const noexcept { return components_.rows(); }
    Index feature_dim() const noexcept { return components_.cols(); }

    /// num_components × feature_dim, one unit-length component per row, by decreasing variance.
    const RowMatrix<T>& components() const noexcept { return components_; }
    /// Variance along each component, ddof = 1 (as scikit-learn).
    const Vector<T>& explained_variance() const noexcept { return explained_variance_; }
    /// explained_variance over the total variance of the data (0 for data without variance).
    const Vector<T>& explained_variance_ratio() const noexcept { return explained_variance_ratio_; }
    /// Singular values of the centered data matrix: sqrt((rows − 1) · explained_variance).
    const Vector<T>& singular_values() const noexcept { return singular_values_; }
    /// The vector subtracted before projecting: the training mean, or zeros when subtract_mean is false.
    const Vector<T>& mean() const noexcept { return mean_; }

    /// projection: (X − mean) · componentsᵀ, rows × num_components.
    RowMatrix<T> transform(const MatrixView<T>& X) const {
        require_columns(X.cols(), feature_dim(), "pca transform");
        require_finite(X, "pca transform", Missing::refused, resolve_threads(params_.num_threads));
        RowMatrix<T> Z(X.rows(), num_components());
        for_blocks(X.rows(), [&](Index first, Index count, RowMatrix<T>& buffer) {
            buffer = X.middleRows(first, count).rowwise() - mean_.transpose();
            simd::row_products(buffer.data(), buffer.cols(), count, components_.data(), components_.cols(),
                               components_.rows(), buffer.cols(), Z.row(first).data(), Z.cols());
        });
        return Z;
    }

    /// projection of sparse rows; X may have fewer columns than the model (absent trailing features are 0).
    RowMatrix<T> transform(const SparseMatrix<T>& X) const {
        if (X.cols() > feature_dim()) require_columns(X.cols(), feature_dim(), "pca transform");
        require_finite(X, "pca transform");
        const Eigen::Matrix<T, 1, Eigen::Dynamic> offset = mean_.transpose() * components_.transpose();
        RowMatrix<T> Z(X.rows(), num_components());
        for_blocks(X.rows(), [&](Index first, Index count, RowMatrix<T>&) {
            Z.middleRows(first, count).noalias() = X.middleRows(first, count) * components_.leftCols(X.cols()).transpose();
            Z.middleRows(first, count).rowwise() -= offset;
        });
        return Z;
    }

    /// Back to feature space: Z · components + mean (the best rank-num_components reconstruction).
    RowMatrix<T> inverse_transform(const MatrixView<T>& Z) const {
        if (Z.cols() != num_components())
            throw data_error(errc::shape_mismatch, "pca inverse_transform: Z has " + std::to_string(Z.cols()) +
                                                       " columns, the model has " + std::to_string(num_components()) +
                                                       " components");
        RowMatrix<T> X(Z.rows(), feature_dim());
        for_blocks(Z.rows(), [&](Index first, Index count, RowMatrix<T>&) {
            X.middleRows(first, count).noalias() = Z.middleRows(first, count) * components_;
            X.middleRows(first, count).rowwise() += mean_.transpose();
        });
        return X;
    }

    /// What a model file holds (core/model_fields.hpp).
    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        f("components", m.components_);
        f("explained_variance", m.explained_variance_);
        f("explained_variance_ratio", m.explained_variance_ratio_);
        f("singular_values", m.singular_values_);
        f("mean", m.mean_);
        f("report.rows", m.report_.rows);
        f("report.passes", m.report_.passes);
        f("report.stopped", m.report_.stopped);
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a model written by save(); a damaged file or another family's throws model_error.
    static Model load(std::istream& in) {
        Model m;
        load_model(m, in);
        const Index nc = m.components_.rows(), d = m.components_.cols();
        if (!m.params_.feature_dim || nc != *m.params_.num_components || d != *m.params_.feature_dim ||
            m.explained_variance_.size() != nc || m.explained_variance_ratio_.size() != nc ||
            m.singular_values_.size() != nc || m.mean_.size() != d)
            throw model_error(errc::malformed, "the pca model's arrays do not agree with num_components = " +
                                                   std::to_string(*m.params_.num_components) + " and feature_dim = " +
                                                   (m.params_.feature_dim ? std::to_string(*m.params_.feature_dim) : "auto"));
        return m;
    }

    /// Same hyperparameters, components, statistics and report, bit for bit.
    friend bool operator==(const Model& a, const Model& b) { return same_model(a, b); }
    friend bool operator!=(const Model& a, const Model& b) { return !(a == b); }

private:
    Model() = default;

    /// f(first, count, buffer) over blocks of rows, in parallel, with Eigen serial inside.
    template <class F>
    void for_blocks(Index n, F&& f) const {
        const Index block = simd::block_rows<T>(feature_dim(), num_components());
        const Index blocks = (n + block - 1) / block;
        const int team = team_size(resolve_threads(params_.num_threads), blocks,
                                   static_cast<double>(n) * static_cast<double>(feature_dim()) *
                                       static_cast<double>(num_components()));
        parallel_for(team, blocks, Schedule::even, [](int) { return RowMatrix<T>(); },
                     [&](Index b, RowMatrix<T>& buffer) { f(b * block, std::min(block, n - b * block), buffer); });
    }

    Params params_;
    FitReport report_;
    RowMatrix<T> components_;
    Vector<T> explained_variance_, explained_variance_ratio_, singular_values_, mean_;
};

}  // namespace shelf::pca
