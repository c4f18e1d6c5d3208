// shelf/core/validation.hpp: the validation data every supervised fit() takes.
#pragma once

#include <optional>

#include "types.hpp"

namespace shelf {

/// Validation data (dense or CSR rows, labels, optional weights), evaluated during training
/// for early stopping and model selection. It keeps its own copy: a view of a converted
/// argument (column-major, an expression) would dangle after the call that made it, and
/// XGBoost keeps a copy of its evaluation DMatrix too. Default-constructed: no validation.
template <class T>
class Validation {
public:
    Validation() = default;
    Validation(const MatrixView<T>& X, const VectorView<T>& y, const VectorView<T>& weight = Vector<T>())
        : dense_(X), y_(y), weight_(weight), present_(true) {}
    Validation(const SparseMatrix<T>& X, const VectorView<T>& y, const VectorView<T>& weight = Vector<T>())
        : sparse_(X), y_(y), weight_(weight), present_(true) {}

    bool empty() const { return !present_; }
    bool is_sparse() const { return sparse_.has_value(); }
    Index rows() const { return is_sparse() ? sparse_->rows() : dense_.rows(); }
    Index cols() const { return is_sparse() ? sparse_->cols() : dense_.cols(); }
    /// The rows, when dense.
    const RowMatrix<T>& X() const { return dense_; }
    /// The rows, when sparse.
    const SparseMatrix<T>& sparse() const { return *sparse_; }
    const Vector<T>& y() const { return y_; }
    /// Row weights, or nullptr when every row weighs 1.
    const T* weight() const { return weight_.size() > 0 ? weight_.data() : nullptr; }
    Index weight_size() const { return weight_.size(); }

private:
    RowMatrix<T> dense_;
    std::optional<SparseMatrix<T>> sparse_;
    Vector<T> y_;
    Vector<T> weight_;
    bool present_ = false;
};

}  // namespace shelf
