// shelf/decomposition/products.hpp: the small double-precision products of PCA's finish, each
// compiled once.
//
// Every distinct Eigen product expression (a transpose, a reversed block, a scaled vector as
// an operand) instantiates a GEMM or GEMV of its own, a few tenths of a second of compile time
// each for every program that fits PCA. The finish multiplies matrices of d × l and l × l
// values, so copying a transposed operand costs nothing beside the product: every product
// here is one instantiation, MatrixXd times MatrixXd, and outer products are plain loops.
#pragma once

#include <Eigen/Core>

#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"

namespace shelf::pca::detail {

/// A · B with Eigen's threads capped at `threads`. A template (of the double matrix type) only
/// so that a program which never calls it never compiles it.
template <class Matrix>
Matrix product(const Matrix& A, const Matrix& B, int threads) {
    Matrix out;
    with_eigen_threads(threads, [&] { out.noalias() = A * B; });
    return out;
}

/// M += alpha · a bᵀ.
template <class Matrix>
void add_outer(Matrix& M, double alpha, const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    for (Index j = 0; j < M.cols(); ++j) {
        const double s = alpha * b[j];
        for (Index i = 0; i < M.rows(); ++i) M(i, j) += s * a[i];
    }
}

/// The lower triangle of M += alpha · a aᵀ (a symmetric rank-one update).
template <class Matrix>
void add_lower_outer(Matrix& M, double alpha, const Eigen::VectorXd& a) {
    for (Index j = 0; j < M.cols(); ++j) {
        const double s = alpha * a[j];
        for (Index i = j; i < M.rows(); ++i) M(i, j) += s * a[i];
    }
}

}  // namespace shelf::pca::detail
