// shelf/factorization/rows.hpp: the two row sources a factorization machine reads (dense rows
// and CSR), each walked by its nonzeros, and the checks that make them safe to walk.
#pragma once

#include <string>

#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/types.hpp"

namespace shelf::fm::detail {

/// Dense rows, viewed. Zeros are skipped: they add nothing to ŷ or to a gradient, and one-hot
/// rows stored densely are mostly zeros.
template <class T>
class DenseRows {
public:
    explicit DenseRows(const MatrixView<T>& X) : X_(X) {}

    Index rows() const { return X_.rows(); }
    /// Entries in all (an upper bound of the nonzeros).
    Index entries() const { return X_.size(); }

    /// Calls f(feature, value) for every nonzero of row i, in feature order.
    template <class F>
    void for_each(Index i, F&& f) const {
        const T* row = X_.row(i).data();
        for (Index j = 0; j < X_.cols(); ++j)
            if (row[j] != T(0)) f(j, row[j]);
    }

private:
    const MatrixView<T>& X_;
};

/// CSR rows, viewed.
template <class T>
class SparseRows {
public:
    explicit SparseRows(const SparseMatrix<T>& X) : X_(X) {}

    Index rows() const { return X_.rows(); }
    Index entries() const { return X_.nonZeros(); }

    /// Calls f(feature, value) for every stored entry of row i.
    template <class F>
    void for_each(Index i, F&& f) const {
        for (typename SparseMatrix<T>::InnerIterator it(X_, i); it; ++it) f(it.index(), it.value());
    }

private:
    const SparseMatrix<T>& X_;
};

/// Dense rows must have the model's feature_dim columns and finite values.
template <class T>
void require_features(const MatrixView<T>& X, Index feature_dim, const std::string& context, int threads) {
    require_columns(X.cols(), feature_dim, context);
    require_finite(X, context, Missing::refused, threads);
}

/// CSR rows may have any column count, but every stored entry must be a feature below
/// feature_dim (named by row and column otherwise) and finite.
template <class T>
void require_features(const SparseMatrix<T>& X, Index feature_dim, const std::string& context, int /*threads*/) {
    if (X.cols() > feature_dim)
        for (Index i = 0; i < X.outerSize(); ++i)
            for (typename SparseMatrix<T>::InnerIterator it(X, i); it; ++it)
                if (it.index() >= feature_dim) {
                    const std::string r = std::to_string(i), c = std::to_string(it.index());
                    throw data_error(errc::shape_mismatch,
                                     context + ": X(" + r + ", " + c + ") is feature " + c + " (row " + r +
                                         ", column " + c + ", from 0); the model has feature_dim = " +
                                         std::to_string(feature_dim) + " (features 0 .. " +
                                         std::to_string(feature_dim - 1) + ")");
                }
    require_finite(X, context);
}

}  // namespace shelf::fm::detail
