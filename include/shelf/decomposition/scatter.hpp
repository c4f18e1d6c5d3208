// shelf/decomposition/scatter.hpp: regular (exact) PCA — mean and scatter matrix
// accumulated over mini-batches, then a symmetric eigendecomposition.
//
// The data never needs to fit in memory: feed an Accumulator any number of batches
// (dense or sparse rows) and call finish(). Each block of mini_batch_size rows is
// centered on its own mean and its scatter formed by a rank-k update (SYRK) in the
// data's precision; blocks are merged into double accumulators with the pairwise
// update of Chan, Golub & LeVeque (1979),
//     S = S_a + S_b + (n_a n_b / n) (m_b − m_a)(m_b − m_a)ᵀ,
// so neither a large mean nor many rows cost digits. The block's scatter is the lower triangle
// of the Gram matrix of its centered columns (simd::lower_column_products), not Eigen's SYRK:
// one fewer GEMM for every program that fits PCA to compile, at the same speed. Sparse rows are summed as raw
// second moments in double and centered once per thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "model.hpp"
#include "params.hpp"
#include "products.hpp"
#include "top_eigen.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/kernels.hpp"
#include "shelf/simd/row_products.hpp"

namespace shelf::pca {

namespace detail {

/// Count, mean and scatter matrix (lower triangle) of a set of rows, in double.
struct Moments {
    std::int64_t count = 0;
    Eigen::VectorXd mean;
    Eigen::MatrixXd scatter;

    explicit Moments(Index d = 0) : mean(Eigen::VectorXd::Zero(d)), scatter(Eigen::MatrixXd::Zero(d, d)) {}

    /// Adds the rows summarised by (count, mean, scatter), by the pairwise update.
    template <class DerivedS>
    void merge(std::int64_t n_b, const Eigen::VectorXd& mean_b, const Eigen::MatrixBase<DerivedS>& scatter_b) {
        if (n_b == 0) return;
        const std::int64_t n = count + n_b;
        const Eigen::VectorXd delta = mean_b - mean;
        for (Index j = 0; j < scatter.cols(); ++j)
            for (Index i = j; i < scatter.rows(); ++i) scatter(i, j) += scatter_b(i, j);
        add_lower_outer(scatter, static_cast<double>(count) * static_cast<double>(n_b) / static_cast<double>(n), delta);
        mean += delta * (static_cast<double>(n_b) / static_cast<double>(n));
        count = n;
    }
    void merge(const Moments& other) { merge(other.count, other.mean, other.scatter); }

    /// Empty moments of d features, in the memory already held.
    void reset(Index d) {
        count = 0;
        mean.setZero(d);
        scatter.setZero(d, d);
    }
};

/// Components from a scatter matrix: the eigenvectors of its `num_components` largest
/// eigenvalues (top_eigen.hpp: only those are computed).
template <class T>
Model<T> from_scatter(Params params, const Moments& m, int threads, FitReport report) {
    const Index nc = *params.num_components;
    Eigen::MatrixXd M = m.scatter;
    Eigen::VectorXd mean = m.mean;
    if (!params.subtract_mean) {
        // Without centering the model describes the raw second moment Σ x xᵀ.
        add_lower_outer(M, static_cast<double>(m.count), m.mean);
        mean.setZero();
    }
    if (!M.allFinite())
        throw data_error(errc::not_finite, "pca fit: the scatter matrix is not finite (values too large for double?)");
    TopEigen top;
    with_eigen_threads(threads, [&] { top = top_eigenpairs(M, nc); });
    return Model<T>(std::move(params), top.vectors.transpose(), top.values, M.trace(), mean, report);
}

}  // namespace detail

/// Accumulates the mean and scatter matrix of rows fed in batches; finish() gives the
/// regular-mode model. Batches are processed with num_threads threads, each taking
/// mini_batch_size rows at a time.
template <class T>
class Accumulator {
    static_assert(std::is_floating_point_v<T>, "shelf::pca::Accumulator<T> needs float or double");

public:
    /// feature_dim may be auto: the first batch's column count then fixes it.
    explicit Accumulator(Params params) : params_(std::move(params)), threads_(resolve_threads(params_.num_threads)) {
        params_.validate();
        if (params_.algorithm_mode != Mode::regular)
            throw invalid_argument(errc::inconsistent,
                                   "pca: the accumulator computes algorithm_mode = regular; randomized mode needs "
                                   "several passes over the data: call shelf::pca::fit");
        if (params_.feature_dim) set_dim(*params_.feature_dim);
    }

    /// Rows seen so far.
    std::int64_t rows() const noexcept { return total_.count; }

    /// Adds dense rows; their column count must be feature_dim.
    void add(const MatrixView<T>& batch) {
        if (batch.rows() == 0) return;
        if (!dim_known()) set_dim(batch.cols());
        if (batch.cols() != total_.mean.size())
            throw data_error(errc::shape_mismatch, "pca fit: a batch has " + std::to_string(batch.cols()) +
                                                       " columns, expected feature_dim = " +
                                                       std::to_string(total_.mean.size()));
        const Index d = batch.cols(), n = batch.rows();
        const Index block = std::min<Index>(params_.mini_batch_size, n);
        const Index blocks = (n + block - 1) / block;
        const int team = team_size(threads_, blocks, static_cast<double>(n) * static_cast<double>(d) * static_cast<double>(d) / 2);
        if (scratch_.size() < static_cast<std::size_t>(team)) scratch_.resize(static_cast<std::size_t>(team));
        for (int t = 0; t < team; ++t) scratch_[static_cast<std::size_t>(t)].moments.reset(d);
        std::vector<char> bad(static_cast<std::size_t>(blocks), 0);  // blocks holding a NaN or infinity
        parallel_for(team, blocks, Schedule::even, [&](int t) { return &scratch_[static_cast<std::size_t>(t)]; },
                     [&](Index b, Scratch* local) {
            const Index first = b * block, count = std::min(block, n - first);
            const auto rows = batch.middleRows(first, count);
            const Eigen::VectorXd mean = rows.template cast<double>().colwise().mean().transpose();
            // Centered on the mean rounded to T: the scatter about the exact mean differs by
            // count · (rounding)², far below T's own precision.
            local->centered = rows.rowwise() - mean.transpose().template cast<T>();
            if (!simd::all_finite(local->centered.data(), local->centered.size())) {
                bad[static_cast<std::size_t>(b)] = 1;
                return;
            }
            if (local->scatter.rows() != d) local->scatter.setZero(d, d);  // only the lower triangle is read
            simd::lower_column_products(local->centered.data(), d, d, count, local->scatter.data(), d);
            local->moments.merge(count, mean, local->scatter.template cast<double>());
        });
        for (Index b = 0; b < blocks; ++b)
            if (bad[static_cast<std::size_t>(b)])
                require_finite<T>(batch.middleRows(b * block, std::min(block, n - b * block)), "pca fit",
                                  Missing::refused, 1, static_cast<Index>(total_.count) + b * block);
        for (int t = 0; t < team; ++t) total_.merge(scratch_[static_cast<std::size_t>(t)].moments);
    }

    /// Adds sparse rows; they may have fewer columns than feature_dim (absent trailing features are 0).
    void add(const SparseMatrix<T>& batch) {
        if (batch.rows() == 0) return;
        if (!dim_known()) set_dim(batch.cols());
        const Index d = total_.mean.size(), n = batch.rows();
        if (batch.cols() > d)
            throw data_error(errc::shape_mismatch, "pca fit: a sparse batch has " + std::to_string(batch.cols()) +
                                                       " columns, more than feature_dim = " + std::to_string(d));
        require_finite(batch, "pca fit", Missing::refused, static_cast<Index>(total_.count));
        const int team = team_size(threads_, n, static_cast<double>(batch.nonZeros()) * static_cast<double>(batch.nonZeros()) / static_cast<double>(n) / 2);
        struct Partial {
            Eigen::VectorXd sum;
            Eigen::MatrixXd raw;
            std::int64_t count = 0;
        };
        std::vector<Partial> partial(static_cast<std::size_t>(team));
        auto make_local = [&](int t) {
            Partial* mine = &partial[static_cast<std::size_t>(t)];
            mine->sum.setZero(d);
            mine->raw.setZero(d, d);
            return mine;
        };
        parallel_for(team, n, Schedule::even, make_local, [&](Index i, Partial* mine) {
            for (typename SparseMatrix<T>::InnerIterator a(batch, i); a; ++a) {
                const double va = static_cast<double>(a.value());
                mine->sum[a.col()] += va;
                // raw(row ≥ col) += x_a x_b for every pair of nonzeros in the row.
                for (typename SparseMatrix<T>::InnerIterator b(batch, i); b && b.col() <= a.col(); ++b)
                    mine->raw(a.col(), b.col()) += va * static_cast<double>(b.value());
            }
            ++mine->count;
        });
        for (Partial& p : partial) {
            if (p.count == 0) continue;
            const Eigen::VectorXd mean = p.sum / static_cast<double>(p.count);
            detail::add_lower_outer(p.raw, -static_cast<double>(p.count), mean);
            total_.merge(p.count, mean, p.raw);
        }
    }

    /// The model of every row added so far (the accumulator can keep going afterwards).
    Model<T> finish() const {
        if (total_.count < 2)
            throw data_error(errc::empty_data, "pca fit: " + std::to_string(total_.count) +
                                                   " rows seen; expected at least 2 to estimate variances");
        Params params = params_;
        params.feature_dim = static_cast<int>(total_.mean.size());
        FitReport report;
        report.rows = total_.count;
        report.passes = 1;
        report.stopped = stopped_;
        return detail::from_scatter<T>(std::move(params), total_, threads_, report);
    }

    /// Marks the model as cut short (fit() does this when the progress callback says stop).
    void mark_stopped() noexcept { stopped_ = true; }

private:
    bool dim_known() const noexcept { return dim_set_; }
    void set_dim(Index d) {
        if (d < 1) throw data_error(errc::empty_data, "pca fit: the data has no columns; expected at least one");
        if (*params_.num_components > d)
            throw invalid_argument(errc::out_of_range, "pca: hyperparameter num_components = " +
                                                           std::to_string(*params_.num_components) + " is more than the " +
                                                           std::to_string(d) + " features; expected num_components <= " +
                                                           std::to_string(d));
        total_ = detail::Moments(d);
        dim_set_ = true;
    }

    /// A thread's blocks: their moments, and its buffers. Kept from batch to batch, so that a
    /// fit fed in parts (a progress callback's) does not fault in fresh d × d pages for each.
    struct Scratch {
        detail::Moments moments;
        RowMatrix<T> centered, scatter;
    };

    Params params_;
    int threads_;
    bool dim_set_ = false;
    bool stopped_ = false;
    detail::Moments total_;
    std::vector<Scratch> scratch_;
};

}  // namespace shelf::pca
