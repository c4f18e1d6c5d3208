// shelf/decomposition/evaluate.hpp: PCA's platform output and shelf's PCA metrics.
//
//   outputs:  projection
//   metrics:  the platform's PCA reports none; shelf reports, on the given rows, the share of
//             their variance around the model's mean that the components keep
//             (explained_variance_ratio; on the training rows, the sum of the model's
//             explained_variance_ratio()) and the mean squared reconstruction error per row
//             (reconstruction_mse).
#pragma once

#include <algorithm>
#include <vector>

#include "model.hpp"
#include "shelf/core/outputs.hpp"
#include "shelf/core/parallel.hpp"

namespace shelf::pca {

/// projection of every row of X.
template <class T>
Outputs outputs(const Model<T>& model, const MatrixArg<T>& X) {
    return {{"projection", model.transform(X).template cast<double>(), false, true}};
}
template <class T>
Outputs outputs(const Model<T>& model, const SparseMatrix<T>& X) {
    return {{"projection", model.transform(X).template cast<double>(), false, true}};
}

namespace detail {

/// Rows first .. first + count of X in double, dense (sparse rows: absent entries are 0).
template <class T>
RowMatrix<double> dense_rows(const MatrixView<T>& X, Index first, Index count, Index) {
    return X.middleRows(first, count).template cast<double>();
}
template <class T>
RowMatrix<double> dense_rows(const SparseMatrix<T>& X, Index first, Index count, Index cols) {
    RowMatrix<double> out = RowMatrix<double>::Zero(count, cols);
    for (Index i = 0; i < count; ++i)
        for (typename SparseMatrix<T>::InnerIterator it(X, first + i); it; ++it)
            out(i, it.index()) = static_cast<double>(it.value());
    return out;
}

/// explained_variance_ratio and reconstruction_mse of the rows of X (dense or CSR), computed a
/// block of rows at a time: the data is never copied whole.
template <class T, class Rows>
Metrics evaluate_rows(const Model<T>& model, const Rows& X) {
    const Index n = X.rows(), d = model.feature_dim();
    if (n == 0) throw data_error(errc::empty_data, "pca evaluate: X has no rows");
    const RowMatrix<T> Z = model.transform(X);  // checks the shape and values
    const RowMatrix<double> components = model.components().template cast<double>();
    const Eigen::RowVectorXd mean = model.mean().template cast<double>().transpose();
    constexpr Index block = 256;
    const Index blocks = (n + block - 1) / block;
    std::vector<double> error(static_cast<std::size_t>(blocks)), total(static_cast<std::size_t>(blocks));
    const int threads = team_size(resolve_threads(model.params().num_threads), blocks,
                                  static_cast<double>(n) * static_cast<double>(d * (Z.cols() + 1)));
    parallel_for(threads, blocks, Schedule::even, [&](Index b) {
        const Index first = b * block, count = std::min(block, n - first);
        const RowMatrix<double> centered = detail::dense_rows(X, first, count, d).rowwise() - mean;
        const RowMatrix<double> back = Z.middleRows(first, count).template cast<double>() * components;
        error[static_cast<std::size_t>(b)] = (centered - back).squaredNorm();
        total[static_cast<std::size_t>(b)] = centered.squaredNorm();
    });
    double sum_error = 0, sum_total = 0;
    for (Index b = 0; b < blocks; ++b) sum_error += error[static_cast<std::size_t>(b)], sum_total += total[static_cast<std::size_t>(b)];
    return {{"explained_variance_ratio", sum_total > 0 ? 1.0 - sum_error / sum_total : 1.0},
            {"reconstruction_mse", sum_error / static_cast<double>(n)}};
}

}  // namespace detail

template <class T>
Metrics evaluate(const Model<T>& model, const MatrixArg<T>& X) {
    return detail::evaluate_rows<T, MatrixView<T>>(model, X);
}
template <class T>
Metrics evaluate(const Model<T>& model, const SparseMatrix<T>& X) {
    return detail::evaluate_rows<T, SparseMatrix<T>>(model, X);
}

}  // namespace shelf::pca
