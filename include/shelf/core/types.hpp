// shelf/core/types.hpp: the matrix and vector types every family takes and returns.
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <cstdint>

namespace shelf {

using Index = Eigen::Index;

/// Dense data: one sample per row, rows contiguous (the layout of CSV input).
template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A column vector of labels, predictions or weights.
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

/// Sparse data in compressed sparse row form (the layout of libsvm input).
template <class T>
using SparseMatrix = Eigen::SparseMatrix<T, Eigen::RowMajor, std::int64_t>;

/// Read-only views that bind to matrices, blocks and Eigen::Map over user buffers.
template <class T>
using MatrixView = Eigen::Ref<const RowMatrix<T>>;
template <class T>
using VectorView = Eigen::Ref<const Vector<T>>;

namespace detail {
template <class T>
struct same_type {
    using type = T;
};
}  // namespace detail

/// A view whose scalar comes from another argument (free functions of a Model<T>): T is not
/// deduced from the matrix, so any Eigen matrix of that scalar binds.
template <class T>
using MatrixArg = MatrixView<typename detail::same_type<T>::type>;
template <class T>
using VectorArg = VectorView<typename detail::same_type<T>::type>;

/// Scalar tag stored in model files.
enum class ScalarType : std::uint8_t { float32 = 1, float64 = 2 };

template <class T>
constexpr ScalarType scalar_type_of();
template <>
constexpr ScalarType scalar_type_of<float>() { return ScalarType::float32; }
template <>
constexpr ScalarType scalar_type_of<double>() { return ScalarType::float64; }

}  // namespace shelf
