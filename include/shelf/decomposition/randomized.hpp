// shelf/decomposition/randomized.hpp: randomized PCA — the range finder of Halko,
// Martinsson & Tropp (SIAM Review 2011, algorithms 4.4 and 5.1).
//
// With X̃ the centered data and Ω a d × l Gaussian test matrix, l = num_components +
// extra_components:
//     Q = orth(X̃ Ω);  q times: Q = orth(X̃ orth(X̃ᵀ Q));  B = Qᵀ X̃;  B = U Σ Vᵀ,
// the components being the first rows of Vᵀ and Σ² the scatter's eigenvalues.
//
// Every product with the data is one pass over row blocks, split between threads.
// The tall n × l bases are never orthonormalised in place: a pass that forms
// Y = X̃ M also sums its Gram matrix G = YᵀY in double, orth(Y) is Y·G^(−1/2)
// (SVQB, Stathopoulos & Wu 2002; directions below rounding are dropped), and
// since the next pass only needs X̃ᵀ orth(Y) = (X̃ᵀ Y) G^(−1/2), that factor is
// applied to the small d × l result. The first pass also sums the column moments
// (relative to the first row, so a large offset costs no digits) and checks the
// values are finite; in all 2 + 2q passes over the data.
//
// X̃ is never formed: dense blocks are centered as they are copied; sparse rows
// are used as they are and the mean enters as a rank-one correction.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "model.hpp"
#include "params.hpp"
#include "products.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/kernels.hpp"
#include "shelf/simd/row_products.hpp"
#include "shelf/simd/skinny.hpp"

namespace shelf::pca::detail {

/// Column sums of the rows relative to a reference row, for the mean and the trace.
struct ColumnMoments {
    Eigen::VectorXd reference, sum, square;  ///< reference row; Σ (x − ref); Σ (x − ref)²
    std::int64_t count = 0;

    Eigen::VectorXd mean() const { return reference + sum / static_cast<double>(count); }
    /// Trace of the scatter matrix about the mean, or about 0 (the raw second moment).
    double trace(bool about_mean) const {
        const double n = static_cast<double>(count);
        if (about_mean) return (square - sum.cwiseAbs2() / n).sum();
        return (square + 2.0 * sum.cwiseProduct(reference) + n * reference.cwiseAbs2()).sum();
    }
};

/// The passes over the data: dense rows (MatrixView) or sparse rows (SparseMatrix).
template <class T, class Data>
class Passes {
    static constexpr bool sparse = std::is_same_v<Data, SparseMatrix<T>>;

public:
    Passes(const Data& X, Index block, int threads) : X_(X), block_(block), threads_(threads) {}

    /// Y = (X − 1 cᵀ) M with c = `center` (ignored for sparse rows, which are not shifted) and M
    /// given transposed (Mt, l × d), its Gram matrix YᵀY and column sums 1ᵀY in double. With
    /// `moments`, also the column moments and the finiteness check (c must then be the first row).
    void range(const RowMatrix<T>& Mt, const Vector<T>& center, RowMatrix<T>& Y, Eigen::MatrixXd& gram,
               Eigen::VectorXd& colsum, ColumnMoments* moments) const {
        const Index n = X_.rows(), d = X_.cols(), l = Mt.rows();
        Y.resize(n, l);
        struct Sums {
            Eigen::MatrixXd gram;
            RowMatrix<T> block_gram;
            Eigen::VectorXd colsum, sum, square;
        };
        std::vector<char> bad(static_cast<std::size_t>(blocks()), 0);  // blocks holding a NaN or infinity
        const auto partial = for_blocks<Sums>(
            static_cast<double>(d) * static_cast<double>(l),
            [&](Sums& s) {
                s.gram.setZero(l, l);
                s.colsum.setZero(l);
                if (moments) s.sum.setZero(d), s.square.setZero(d);
            },
            [&](Index b, Index first, Index count, RowMatrix<T>& buffer, Sums& s) {
                auto Yb = Y.middleRows(first, count);
                if constexpr (sparse) {
                    const auto rows = X_.middleRows(first, count);
                    Yb.noalias() = rows * Mt.transpose();
                    if (moments)
                        for (Index i = 0; i < count; ++i)
                            for (typename Data::InnerIterator it(X_, first + i); it; ++it) {
                                const double v = static_cast<double>(it.value());
                                if (!std::isfinite(v)) bad[static_cast<std::size_t>(b)] = 1;
                                s.sum[it.col()] += v;
                                s.square[it.col()] += v * v;
                            }
                } else {
                    buffer.resize(count, d);
                    for (Index i = 0; i < count; ++i)
                        simd::shifted_copy(X_.row(first + i).data(), center.data(), buffer.row(i).data(), d);
                    if (moments) {
                        if (!simd::all_finite(buffer.data(), buffer.size())) bad[static_cast<std::size_t>(b)] = 1;
                        for (Index i = 0; i < count; ++i) {
                            s.sum += buffer.row(i).transpose().template cast<double>();
                            s.square += buffer.row(i).transpose().template cast<double>().cwiseAbs2();
                        }
                    }
                    simd::row_products(buffer.data(), d, count, Mt.data(), d, l, d, Yb.data(), l);
                }
                // The block's Gram matrix in T (a block is a few hundred rows), summed in double.
                s.block_gram.setZero(l, l);
                simd::add_transposed_times(Yb.data(), l, Yb.data(), l, count, l, l, s.block_gram.data(), l);
                s.gram += s.block_gram.template cast<double>();
                for (Index i = 0; i < count; ++i) s.colsum += Yb.row(i).transpose().template cast<double>();
            });
        for (Index b = 0; b < blocks(); ++b)
            if (bad[static_cast<std::size_t>(b)]) locate_non_finite(b);
        gram.setZero(l, l);
        colsum.setZero(l);
        if (moments) {
            moments->reference = sparse ? Eigen::VectorXd::Zero(d) : Eigen::VectorXd(center.template cast<double>());
            moments->sum.setZero(d);
            moments->square.setZero(d);
            moments->count = n;
        }
        for (const auto& s : partial) {
            gram += s.gram;
            colsum += s.colsum;
            if (moments) moments->sum += s.sum, moments->square += s.square;
        }
    }

    /// Z = (X − 1 meanᵀ)ᵀ Y in double, d × l, given Y's column sums (used for sparse rows).
    Eigen::MatrixXd corange(const RowMatrix<T>& Y, const Vector<T>& mean, const Eigen::VectorXd& colsum) const {
        const Index d = X_.cols(), l = Y.cols();
        const auto partial = for_blocks<Eigen::MatrixXd>(
            static_cast<double>(d) * static_cast<double>(l), [&](Eigen::MatrixXd& z) { z.setZero(d, l); },
            [&](Index, Index first, Index count, RowMatrix<T>& buffer, Eigen::MatrixXd& z) {
                if constexpr (sparse) {
                    const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> block_product =
                        X_.middleRows(first, count).transpose() * Y.middleRows(first, count);
                    z += block_product.template cast<double>();
                } else {
                    buffer.resize(count, d);
                    for (Index i = 0; i < count; ++i)
                        simd::shifted_copy(X_.row(first + i).data(), mean.data(), buffer.row(i).data(), d);
                    // Zᵀ's block, l × d: (the block of Y)ᵀ times the centered block.
                    RowMatrix<T> block_product(l, d);
                    simd::column_products(Y.row(first).data(), l, l, buffer.data(), d, d, count, block_product.data(), d);
                    z += block_product.transpose().template cast<double>();
                }
            });
        Eigen::MatrixXd Z = Eigen::MatrixXd::Zero(d, l);
        for (const auto& z : partial) Z += z;
        // (X − 1 meanᵀ)ᵀ Y = Xᵀ Y − mean (1ᵀ Y); dense blocks were centered already.
        if constexpr (sparse) add_outer(Z, -1.0, mean.template cast<double>(), colsum);
        return Z;
    }

private:
    Index blocks() const { return (X_.rows() + block_ - 1) / block_; }

    /// Throws data_error naming the first non-finite value of block b.
    void locate_non_finite(Index b) const {
        const Index first = b * block_, count = std::min(block_, X_.rows() - first);
        if constexpr (sparse) {
            require_finite(SparseMatrix<T>(X_.middleRows(first, count)), "pca fit", Missing::refused, first);
        } else {
            require_finite<T>(X_.middleRows(first, count), "pca fit", Missing::refused, 1, first);
        }
    }

    /// Runs body(block, first, count, buffer, sums) over blocks of rows, in parallel, after
    /// init(sums) in each thread; returns each thread's sums, in thread order. `width`:
    /// multiply-adds per row, for the thread count.
    template <class Sums, class Init, class Body>
    std::vector<Sums> for_blocks(double width, Init&& init, Body&& body) const {
        const Index n = X_.rows(), blocks = this->blocks();
        const int team = team_size(threads_, blocks, static_cast<double>(n) * width);
        std::vector<Sums> sums(static_cast<std::size_t>(team));
        struct Local {
            Sums* mine = nullptr;
            RowMatrix<T> buffer;
        };
        auto make_local = [&](int t) {
            Local local;
            local.mine = &sums[static_cast<std::size_t>(t)];
            init(*local.mine);
            return local;
        };
        parallel_for(team, blocks, Schedule::even, make_local, [&](Index b, Local& local) {
            body(b, b * block_, std::min(block_, n - b * block_), local.buffer, *local.mine);
        });
        return sums;
    }

    const Data& X_;
    Index block_;
    int threads_;
};

// The three factorisations below are templates (of the double matrix type) only so that a
// program which never calls them never compiles them: Eigen's solvers are costly to compile.

/// The eigenvalues (ascending) and eigenvectors of a symmetric Gram matrix, with Eigen's threads capped.
template <class Matrix>
Eigen::SelfAdjointEigenSolver<Matrix> gram_eigen(const Matrix& gram, int threads) {
    Eigen::SelfAdjointEigenSolver<Matrix> eig;
    with_eigen_threads(threads, [&] { eig.compute(gram); });
    return eig;
}

/// orth(Y) = Y·M for the Gram matrix G = YᵀY: M = W Λ^(−1/2) from G's eigen-decomposition,
/// leaving out directions whose eigenvalue is lost in the rounding of `epsilon`.
template <class Matrix>
Matrix inverse_sqrt(const Eigen::SelfAdjointEigenSolver<Matrix>& eig, double epsilon) {
    const auto& lambda = eig.eigenvalues();
    const double floor = std::max(lambda.maxCoeff(), 0.0) * 16 * epsilon;
    Matrix M = eig.eigenvectors();
    for (Index i = 0; i < lambda.size(); ++i) M.col(i) *= lambda[i] > floor ? 1.0 / std::sqrt(lambda[i]) : 0.0;
    return M;
}

/// The orthonormal columns nearest to Z's (double), Z·(ZᵀZ)^(−1/2) with the symmetric root,
/// which keeps the columns' order; `rounds` = 2 restores what the first round lost to Z's
/// conditioning (as CholeskyQR2 does). One eigensolver thus serves every factorisation of
/// this file, and no QR or SVD is compiled.
template <class Matrix>
Matrix orthonormalize(Matrix Z, int rounds, int threads) {
    for (int round = 0; round < rounds; ++round) {
        const auto eig = gram_eigen(product(Matrix(Z.transpose()), Z, threads), threads);
        const Matrix factor = product(inverse_sqrt(eig, std::numeric_limits<double>::epsilon()),
                                      Matrix(eig.eigenvectors().transpose()), threads);
        Z = product(Z, factor, threads);
    }
    return Z;
}

/// Replaces the zero rows that orthonormalize() leaves where the data has fewer directions
/// than components by unit vectors orthogonal to every other row (each the coordinate axis
/// with the largest part outside their span), as an exact decomposition would.
template <class Matrix>
void complete_rows(Matrix& rows) {
    const Index count = rows.rows(), d = rows.cols();
    std::vector<bool> held(static_cast<std::size_t>(count));
    for (Index r = 0; r < count; ++r) held[static_cast<std::size_t>(r)] = rows.row(r).squaredNorm() > 0.5;
    for (Index r = 0; r < count; ++r) {
        if (held[static_cast<std::size_t>(r)]) continue;
        Matrix outside = Matrix::Identity(d, d);  // each axis minus its projection on the held rows
        for (Index h = 0; h < count; ++h)
            if (held[static_cast<std::size_t>(h)]) {
                const Eigen::VectorXd row = rows.row(h).transpose();
                add_outer(outside, -1.0, product(outside, Matrix(row), 1).col(0), row);
            }
        Index axis = 0;
        outside.rowwise().squaredNorm().maxCoeff(&axis);
        rows.row(r) = outside.row(axis).normalized();
        held[static_cast<std::size_t>(r)] = true;
    }
}

/// Randomized PCA of X (dense MatrixView<T> or SparseMatrix<T>); `params` resolved.
template <class T, class Data>
Model<T> randomized(const Data& X, Params params, int threads, const ProgressCallback& progress) {
    constexpr bool sparse = std::is_same_v<Data, SparseMatrix<T>>;
    const Index n = X.rows(), d = X.cols(), nc = *params.num_components;
    const Index l = nc + params.extra_components;
    const int iterations = *params.power_iterations;
    const Passes<T, Data> passes(X, std::max<Index>(64, params.mini_batch_size), threads);

    FitReport report;
    report.rows = n;
    const long long total_passes = 2 + 2LL * iterations;
    auto next_pass = [&] {
        ++report.passes;
        if (!report.stopped && !shelf::report(progress, {"pass", report.passes, total_passes, 0.0, ""}))
            report.stopped = true;
    };

    Rng rng(static_cast<std::uint64_t>(params.seed));
    RowMatrix<T> Mt(l, d);  // the test matrix, transposed: the layout of row_products' B
    for (Index i = 0; i < d; ++i)
        for (Index j = 0; j < l; ++j) Mt(j, i) = static_cast<T>(rng.normal());

    // First pass: Y = (X − 1 x₀ᵀ) Ω with moments; the mean is known after it.
    Vector<T> center = sparse ? Vector<T>(Vector<T>::Zero(d)) : Vector<T>(X.row(0).transpose());
    RowMatrix<T> Y;
    Eigen::MatrixXd gram;
    Eigen::VectorXd colsum;
    ColumnMoments moments;
    passes.range(Mt, center, Y, gram, colsum, &moments);
    next_pass();
    const Eigen::VectorXd data_mean = moments.mean();
    const Eigen::VectorXd mean = params.subtract_mean ? data_mean : Eigen::VectorXd(Eigen::VectorXd::Zero(d));
    const Vector<T> mean_t = mean.cast<T>();
    // Y was formed relative to `center`; relative to `mean` it is Y − 1 wᵀ with w = Mᵀ(mean − center).
    auto offset = [&] {
        const Eigen::MatrixXd shift = mean - center.template cast<double>();
        return Eigen::VectorXd(product(Eigen::MatrixXd(Mt.template cast<double>()), shift, 1).col(0));
    };
    auto centered_gram = [&] {
        const Eigen::VectorXd w = offset();
        Eigen::MatrixXd centered = gram;
        add_outer(centered, -1.0, colsum, w);
        add_outer(centered, -1.0, w, colsum);
        add_outer(centered, static_cast<double>(n), w, w);
        return centered;
    };
    // X̃ᵀ(Y − 1 wᵀ) = X̃ᵀY − (X̃ᵀ1) wᵀ, and X̃ᵀ1 = n (data mean − mean): 0 unless subtract_mean is off.
    // X̃ᵀ orth(Y), the products outside the passes with Eigen's threads capped at `threads`.
    auto corange_orth = [&](const Eigen::MatrixXd& basis) {
        Eigen::MatrixXd Z = passes.corange(Y, mean_t, colsum);
        add_outer(Z, -static_cast<double>(n), data_mean - mean, offset());
        return product(Z, basis, threads);
    };
    // orth(Y) = Y · basis
    Eigen::MatrixXd basis = inverse_sqrt(gram_eigen(centered_gram(), threads), std::numeric_limits<T>::epsilon());

    for (int it = 0; it < iterations && !report.stopped; ++it) {
        // Z = X̃ᵀ orth(Y), orthonormalised (small: d × l), is the next test matrix.
        const Eigen::MatrixXd Z = corange_orth(basis);
        next_pass();
        // The next test matrix need only be well conditioned: the pass orthonormalises its result.
        Mt = orthonormalize(Z, 1, threads).transpose().template cast<T>();
        if constexpr (!sparse) center = mean_t;  // sparse rows are never shifted
        passes.range(Mt, center, Y, gram, colsum, nullptr);
        next_pass();
        basis = inverse_sqrt(gram_eigen(centered_gram(), threads), std::numeric_limits<T>::epsilon());
    }
    // Bᵀ = X̃ᵀ Q (d × l), and its singular vectors.
    const Eigen::MatrixXd Bt = corange_orth(basis);
    next_pass();
    // Bᵀ = U Σ Vᵀ: V and Σ² from the eigenvectors of B Bᵀ = (Bᵀ)ᵀ Bᵀ (l × l), U = Bᵀ V Σ⁻¹;
    // U is orthonormalised once more against the rounding of the squared values.
    const auto eig = gram_eigen(product(Eigen::MatrixXd(Bt.transpose()), Bt, threads), threads);
    const Eigen::VectorXd values = eig.eigenvalues().tail(nc).reverse().cwiseMax(0.0);
    Eigen::MatrixXd U = product(Bt, Eigen::MatrixXd(eig.eigenvectors().rightCols(nc).rowwise().reverse()), threads);
    Eigen::MatrixXd components = orthonormalize(std::move(U), 2, threads).transpose();
    complete_rows(components);
    const double total = moments.trace(params.subtract_mean);
    params.feature_dim = static_cast<int>(d);
    return Model<T>(std::move(params), std::move(components), values, total, mean, report);
}

}  // namespace shelf::pca::detail
