// shelf/core/checks.hpp: the input checks every family makes, with one message format.
//
//     kmeans fit: X(7, 2) is nan (row 7, column 2, from 0); expected finite values
//     xgboost predict: X has 13 columns, the model expects 14
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "error.hpp"
#include "parallel.hpp"
#include "params.hpp"
#include "types.hpp"
#include "shelf/simd/kernels.hpp"

namespace shelf {

/// Whether NaN is a value's absence (gradient-boosted trees) or an error (every other family).
enum class Missing { refused, allowed };

/// How a message names row r of the data it checks: "row <first + r>" for a library caller
/// (a number converts, 0 by default), or "line <n>" with n the line of the file the row was
/// read from, for a caller that read a file (lines: each row's 1-based line, or empty when
/// row r is line r + 1; a file's blank, comment and header lines make them differ).
class RowNames {
public:
    RowNames(Index first = 0) : first_(first) {}  // NOLINT(google-explicit-constructor): a number is the common case
    static RowNames file_lines(const std::vector<std::int64_t>& lines) {
        RowNames names;
        names.lines_ = &lines;
        return names;
    }
    std::string operator()(Index r) const {
        if (!lines_) return "row " + std::to_string(first_ + r);
        return "line " + std::to_string(lines_->empty() ? r + 1 : (*lines_)[static_cast<std::size_t>(r)]);
    }

private:
    Index first_ = 0;
    const std::vector<std::int64_t>* lines_ = nullptr;
};

/// Throws data_error naming the first label of y that is not finite (not_finite) or, with
/// `binary`, not 0 or 1 (bad_label, the message ending in `expected`), its row named by row_name.
template <class T>
void require_labels(const VectorView<T>& y, bool binary, const std::string& where, const std::string& expected,
                    const RowNames& row_name = {}) {
    for (Index i = 0; i < y.size(); ++i) {
        if (!std::isfinite(y[i]))
            throw data_error(errc::not_finite, where + ": the label in " + row_name(i) + " is " +
                                                   (std::isnan(y[i]) ? "NaN" : "infinite") + "; expected a finite label");
        if (binary && y[i] != T(0) && y[i] != T(1))
            throw data_error(errc::bad_label, where + ": the label in " + row_name(i) + " is " +
                                                  detail::format_value(double(y[i])) + "; " + expected);
    }
}

namespace detail {

template <class T>
bool bad_value(T x, Missing missing) noexcept {
    return missing == Missing::refused ? !std::isfinite(x) : std::isinf(x);
}

template <class T>
[[noreturn]] void throw_not_finite(const std::string& context, Index row, Index col, T value, Missing missing) {
    const std::string i = std::to_string(row), j = std::to_string(col);
    throw data_error(errc::not_finite, context + ": X(" + i + ", " + j + ") is " + (std::isnan(value) ? "nan" : "inf") +
                                           " (row " + i + ", column " + j + ", from 0); " +
                                           (missing == Missing::refused ? "expected finite values"
                                                                        : "missing values must be NaN, not infinite"));
}

}  // namespace detail

/// Throws data_error(not_finite) naming the first NaN or infinity of X (with Missing::allowed,
/// the first infinity), its row and column counted from `first_row` and 0. Rows are scanned in
/// parallel on `threads` threads; the message names the first bad value whatever the count.
template <class T>
void require_finite(const MatrixView<T>& X, const std::string& context, Missing missing = Missing::refused,
                    int threads = 1, Index first_row = 0) {
    constexpr Index block = 256;
    const Index n = X.rows(), blocks = (n + block - 1) / block;
    std::vector<char> bad(static_cast<std::size_t>(blocks), 0);
    const bool contiguous = X.outerStride() == X.cols();
    parallel_for(team_for(threads, static_cast<double>(X.size())), blocks, Schedule::even, [&](Index b) {
        const Index first = b * block, count = std::min(block, n - first);
        bool found = false;
        if (missing == Missing::allowed) {
            found = (X.middleRows(first, count).array().abs() == std::numeric_limits<T>::infinity()).any();
        } else if (contiguous) {  // the SIMD scan: Eigen's allFinite runs element by element here
            found = !simd::all_finite(X.row(first).data(), count * X.cols());
        } else {
            for (Index i = first; i < first + count && !found; ++i) found = !simd::all_finite(X.row(i).data(), X.cols());
        }
        bad[static_cast<std::size_t>(b)] = found;
    });
    for (Index b = 0; b < blocks; ++b) {
        if (!bad[static_cast<std::size_t>(b)]) continue;
        for (Index i = b * block; i < n; ++i)
            for (Index j = 0; j < X.cols(); ++j)
                if (detail::bad_value(X(i, j), missing)) detail::throw_not_finite(context, first_row + i, j, X(i, j), missing);
    }
}

/// require_finite for CSR data: only the stored entries are read.
template <class T>
void require_finite(const SparseMatrix<T>& X, const std::string& context, Missing missing = Missing::refused,
                    Index first_row = 0) {
    for (Index i = 0; i < X.outerSize(); ++i)
        for (typename SparseMatrix<T>::InnerIterator it(X, i); it; ++it)
            if (detail::bad_value(it.value(), missing))
                detail::throw_not_finite(context, first_row + i, it.index(), it.value(), missing);
}

/// Throws data_error(shape_mismatch) unless data has the `expected` feature columns of the
/// model, hinting at a label column left in when there is exactly one more.
inline void require_columns(Index columns, Index expected, const std::string& context) {
    if (columns == expected) return;
    throw data_error(errc::shape_mismatch,
                     context + ": X has " + std::to_string(columns) + " columns, the model expects " +
                         std::to_string(expected) +
                         (columns == expected + 1 ? " (one more: does the data still carry its label column?)" : ""));
}

}  // namespace shelf
