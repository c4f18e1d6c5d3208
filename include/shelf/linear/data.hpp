// shelf/linear/data.hpp: a labelled data channel (dense or CSR) and the two row sources
// the trainer multiplies with the weight matrix.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "shelf/core/parallel.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/skinny.hpp"

namespace shelf::linear {

namespace detail {

/// Features (dense rows or CSR) and their labels, viewed, not copied. The views live
/// as long as the channel, so it is neither copied nor moved: pass it where it is made.
template <class T>
class Channel {
public:
    template <class DX, class DY>
    Channel(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& y) : dense_(std::in_place, X), y_(y) {}
    template <class DY>
    Channel(const SparseMatrix<T>& X, const Eigen::MatrixBase<DY>& y) : sparse_(&X), y_(y) {}
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    bool is_sparse() const { return sparse_ != nullptr; }
    const MatrixView<T>& dense() const { return *dense_; }
    const SparseMatrix<T>& sparse() const { return *sparse_; }
    const VectorView<T>& labels() const { return y_; }
    Index rows() const { return sparse_ ? sparse_->rows() : dense_->rows(); }
    Index cols() const { return sparse_ ? sparse_->cols() : dense_->cols(); }

private:
    std::optional<MatrixView<T>> dense_;
    const SparseMatrix<T>* sparse_ = nullptr;
    VectorView<T> y_;
};

template <class T>
using RowArray = Eigen::Array<T, 1, Eigen::Dynamic>;

/// Weights, one row per feature: a whole matrix or a block of its columns.
template <class T>
using WeightView = Eigen::Ref<const RowMatrix<T>, 0, Eigen::OuterStride<>>;

/// Dense rows: products are Eigen GEMMs on a thread's share of rows. When training,
/// rows are normalized as they are gathered, which keeps the products well scaled.
template <class T>
class DenseInput {
public:
    explicit DenseInput(const MatrixView<T>& X) : X_(X) {}

    /// Rows are read as (x − mean) · inv_scale from now on.
    void normalize(const RowArray<T>& mean, const RowArray<T>& inv_scale) {
        mean_ = mean;
        inv_scale_ = inv_scale;
    }

    /// A thread's rows: gathered into `buffer`, or viewed in place.
    struct Chunk {
        const T* data = nullptr;
        Index rows = 0, stride = 0;
        RowMatrix<T> buffer;
        Eigen::Map<const RowMatrix<T>, 0, Eigen::OuterStride<>> matrix(Index cols) const {
            return {data, rows, cols, Eigen::OuterStride<>(stride)};
        }
    };

    Index rows() const { return X_.rows(); }
    Index cols() const { return X_.cols(); }

    /// Rows index[0 .. m).
    void gather(Chunk& c, const Index* index, Index m) const { load(c, m, [&](Index r) { return index[r]; }); }

    /// Rows first .. first + m.
    void range(Chunk& c, Index first, Index m) const {
        if (inv_scale_.size()) return load(c, m, [&](Index r) { return first + r; });
        c.data = X_.data() + first * X_.outerStride();
        c.rows = m;
        c.stride = X_.outerStride();
    }

    /// Calls f(column, value) for every entry of row i (not normalized).
    template <class F>
    void for_each_in_row(Index i, F&& f) const {
        for (Index j = 0; j < X_.cols(); ++j) f(j, X_(i, j));
    }

    /// S = rows · W (W has one row per feature). The weights have few columns (a thread's
    /// models): simd::rows_times, which does not pack the rows as a GEMM would.
    void multiply(const Chunk& c, const WeightView<T>& weights, RowMatrix<T>& out) const {
        out.resize(c.rows, weights.cols());
        simd::rows_times(c.data, c.stride, weights.data(), weights.outerStride(), c.rows, X_.cols(), weights.cols(),
                         out.data(), out.cols());
    }
    /// P += rowsᵀ · G.
    void add_transposed(const Chunk& c, const RowMatrix<T>& g, RowMatrix<T>& out) const {
        simd::add_transposed_times(c.data, c.stride, g.data(), g.cols(), c.rows, X_.cols(), g.cols(), out.data(),
                                   out.cols());
    }

private:
    template <class RowOf>
    void load(Chunk& c, Index m, RowOf row_of) const {
        c.buffer.resize(m, X_.cols());
        copy_rows(c.buffer, 0, m, row_of);
        c.data = c.buffer.data();
        c.rows = m;
        c.stride = X_.cols();
    }

    /// buffer rows first .. first + count = the (normalized) rows row_of(r) of X.
    template <class RowOf>
    void copy_rows(RowMatrix<T>& buffer, Index first, Index count, RowOf row_of) const {
        constexpr Index ahead = 8;  // shuffled rows defeat the hardware prefetcher: fetch a few rows ahead
        const Index end = first + count;
        for (Index r = first; r < end; ++r) {
            if (r + ahead < end) prefetch(X_.row(row_of(r + ahead)).data(), X_.cols());
            if (inv_scale_.size())
                buffer.row(r).array() = (X_.row(row_of(r)).array() - mean_) * inv_scale_;
            else
                buffer.row(r) = X_.row(row_of(r));
        }
    }

    static void prefetch(const T* row, Index count) {
#if defined(__GNUC__)
        const char* p = reinterpret_cast<const char*>(row);
        for (std::size_t at = 0; at < std::size_t(count) * sizeof(T); at += 64) __builtin_prefetch(p + at);
#else
        (void)row, (void)count;
#endif
    }

    const MatrixView<T>& X_;
    RowArray<T> mean_, inv_scale_;
};

/// CSR rows: products walk each row's nonzeros; the weight rows they touch are contiguous.
/// Sparse data are scaled, never centered (centering would fill them in).
template <class T>
class SparseInput {
public:
    /// `cols` may exceed X's columns: absent trailing features are zero.
    SparseInput(const SparseMatrix<T>& X, Index cols) : X_(X), cols_(cols) {}

    /// Entries are read as x · inv_scale from now on; sparse data are not centered.
    void normalize(const RowArray<T>&, const RowArray<T>& inv_scale) { inv_scale_ = inv_scale; }

    struct Chunk {
        const Index* index = nullptr;  ///< rows index[0 .. rows) of X, or `first ..` when null
        Index first = 0, rows = 0;
        Index row(Index r) const { return index ? index[r] : first + r; }
    };

    Index rows() const { return X_.rows(); }
    Index cols() const { return cols_; }

    void gather(Chunk& c, const Index* index, Index m) const { c = {index, 0, m}; }
    void range(Chunk& c, Index first, Index m) const { c = {nullptr, first, m}; }

    /// Calls f(column, value) for every nonzero of row i (not normalized).
    template <class F>
    void for_each_in_row(Index i, F&& f) const {
        for (typename SparseMatrix<T>::InnerIterator it(X_, i); it; ++it) f(it.index(), it.value());
    }

    /// S = rows · W: for each nonzero x_ij, S_i += x_ij · W_j (rows of W and S are contiguous).
    void multiply(const Chunk& c, const WeightView<T>& weights, RowMatrix<T>& out) const {
        const Index m = weights.cols(), stride = weights.outerStride();
        out.setZero(c.rows, m);
        for (Index r = 0; r < c.rows; ++r) {
            T* const to = out.data() + r * m;
            for (typename SparseMatrix<T>::InnerIterator it(X_, c.row(r)); it; ++it)
                axpy(value(it), weights.data() + it.index() * stride, to, m);
        }
    }
    /// P += rowsᵀ · G: for each nonzero x_ij, P_j += x_ij · G_i.
    void add_transposed(const Chunk& c, const RowMatrix<T>& g, RowMatrix<T>& out) const {
        const Index m = g.cols();
        for (Index r = 0; r < c.rows; ++r) {
            const T* const from = g.data() + r * m;
            for (typename SparseMatrix<T>::InnerIterator it(X_, c.row(r)); it; ++it)
                axpy(value(it), from, out.data() + it.index() * m, m);
        }
    }

private:
    /// y += a · x over m entries: a plain loop the compiler vectorizes.
    static void axpy(T a, const T* x, T* y, Index m) {
        for (Index k = 0; k < m; ++k) y[k] += a * x[k];
    }

    T value(const typename SparseMatrix<T>::InnerIterator& it) const {
        return inv_scale_.size() ? it.value() * inv_scale_[it.index()] : it.value();
    }

    const SparseMatrix<T>& X_;
    Index cols_;
    RowArray<T> inv_scale_;
};

/// Rows per block of scores: blocks of about a megabyte, from 64 to 4,096 rows.
inline Index score_block_rows(Index cols) { return std::clamp<Index>((Index(1) << 18) / std::max<Index>(cols, 1), 64, 4096); }

/// Calls f(block, first, S) with S = X·W + b for rows first .. first + S.rows() of `input`, the
/// rows in blocks of score_block_rows(W.cols()) (block numbers them), blocks in parallel.
template <class T, class Input, class F>
void for_each_score_block(const Input& input, const RowMatrix<T>& W, const RowArray<T>& b, int threads, F&& f) {
    const Index n = input.rows(), block = score_block_rows(W.cols());
    const Index blocks = (n + block - 1) / block;
    struct Local {
        typename Input::Chunk chunk;
        RowMatrix<T> part;
    };
    const int team = team_size(threads, blocks, static_cast<double>(n) * static_cast<double>(input.cols()) * static_cast<double>(W.cols()));
    parallel_for(team, blocks, Schedule::even, [](int) { return Local(); }, [&](Index k, Local& local) {
        const Index first = k * block, rows = std::min(block, n - first);
        input.range(local.chunk, first, rows);
        local.part.resize(rows, W.cols());
        input.multiply(local.chunk, W, local.part);
        local.part.rowwise() += b.matrix();
        f(k, first, static_cast<const RowMatrix<T>&>(local.part));
    });
}

/// S = X·W + b for every row of `input`.
template <class T, class Input>
RowMatrix<T> linear_scores(const Input& input, const RowMatrix<T>& W, const RowArray<T>& b, int threads) {
    RowMatrix<T> out(input.rows(), W.cols());
    for_each_score_block(input, W, b, threads,
                         [&](Index, Index first, const RowMatrix<T>& part) { out.middleRows(first, part.rows()) = part; });
    return out;
}

}  // namespace detail
}  // namespace shelf::linear
