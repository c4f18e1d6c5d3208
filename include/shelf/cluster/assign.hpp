// shelf/cluster/assign.hpp: one pass of points against centers — nearest center,
// squared distance and, when asked, the per-center sums for the next centers.
//
// Every k-means stage is this pass: Lloyd iterations, mini-batches, the local
// reduction of the stream centers, and prediction. Rows are taken in blocks; a
// block is copied, shifted near the origin (against the cancellation of the GEMM
// expansion, see simd/distance.hpp), matched to the centers by simd::nearest, and
// folded into per-thread double sums that are merged in thread order afterwards,
// so float data can be summed over any number of rows and the same thread count
// gives the same centers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/distance.hpp"

namespace shelf::kmeans::detail {

/// The rows a pass reads: row i is X.row(order ? order[i] : i) − shift, with an
/// optional weight per row of X (unit weights when null).
template <class T>
struct RowSource {
    using Map = Eigen::Map<const RowMatrix<T>, 0, Eigen::OuterStride<>>;

    Map X;
    const Index* order = nullptr;
    Index count = 0;
    const T* shift = nullptr;
    const double* weights = nullptr;

    RowSource(const MatrixView<T>& data, const T* shift_ = nullptr, const double* weights_ = nullptr)
        : X(data.data(), data.rows(), data.cols(), Eigen::OuterStride<>(data.outerStride())),
          count(data.rows()),
          shift(shift_),
          weights(weights_) {}

    /// The same rows in the order order[0 .. count − 1].
    RowSource ordered(const Index* order_, Index count_) const {
        RowSource s = *this;
        s.order = order_;
        s.count = count_;
        return s;
    }

    Index dim() const noexcept { return X.cols(); }
    Index row_index(Index i) const noexcept { return order ? order[i] : i; }
    double weight(Index i) const noexcept { return weights ? weights[row_index(i)] : 1.0; }

    /// Copies rows [first, first + rows) into `out` (shifted) and their squared norms into `norms`.
    void gather(Index first, Index rows, RowMatrix<T>& out, Vector<T>& norms) const {
        out.resize(rows, dim());
        norms.resize(rows);
        for (Index r = 0; r < rows; ++r)
            norms[r] = simd::shifted_copy(X.row(row_index(first + r)).data(), shift, out.row(r).data(), dim());
    }

    /// Copies the rows list[0 .. size − 1] into `out` (shifted) and their squared norms into `norms`.
    void gather(const Index* list, Index size, RowMatrix<T>& out, Vector<T>& norms) const {
        out.resize(size, dim());
        norms.resize(size);
        for (Index r = 0; r < size; ++r)
            norms[r] = simd::shifted_copy(X.row(row_index(list[r])).data(), shift, out.row(r).data(), dim());
    }

    /// Row i, shifted, in double.
    Eigen::RowVectorXd row_double(Index i) const {
        Eigen::RowVectorXd x = X.row(row_index(i)).template cast<double>();
        if (shift) x -= Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(shift, dim()).template cast<double>();
        return x;
    }
};

/// Per-center weighted sums of the rows assigned to each center, and pass totals.
/// A block's rows are summed in T (a few hundred terms at most) and each block's
/// sums are added in double, so long passes lose nothing to float rounding.
struct CenterSums {
    RowMatrix<double> sums;  ///< k × d
    Vector<double> weights;  ///< k
    double inertia = 0;      ///< Σ weight · squared distance to the nearest center
    Index changed = 0;       ///< rows whose nearest center differs from the label they had

    CenterSums(Index k, Index d, bool with_sums)
        : sums(with_sums ? RowMatrix<double>::Zero(k, d) : RowMatrix<double>()), weights(Vector<double>::Zero(k)) {}

    void merge(const CenterSums& other) {
        if (sums.size()) sums += other.sums;
        weights += other.weights;
        inertia += other.inertia;
        changed += other.changed;
    }
};

/// Matches every row of `source` to its nearest row of `centers` (already shifted
/// like the source). labels and sqdist (one per source row) receive the answer;
/// labels' previous content is compared to count changes. With `accumulate`, the
/// result also carries the per-center sums and weights.
template <class T>
CenterSums assign(const RowSource<T>& source, const RowMatrix<T>& centers, int threads, Eigen::VectorXi& labels,
                  Vector<T>& sqdist, bool accumulate) {
    const Index n = source.count, d = source.dim(), k = centers.rows();
    const Vector<T> center_norms = centers.rowwise().squaredNorm();
    const Index block = simd::block_rows<T>(d, k);
    const Index blocks = (n + block - 1) / block;
    const int team = team_size(threads, blocks, static_cast<double>(n) * static_cast<double>(d) * static_cast<double>(k + 1));
    std::vector<CenterSums> partial(static_cast<std::size_t>(team), CenterSums(k, d, accumulate));
    struct Local {
        CenterSums* mine = nullptr;
        RowMatrix<T> rows, scratch, block_sums;
        Vector<T> norms;
        std::vector<std::int32_t> nearest;
        std::vector<char> touched;
    };
    auto make_local = [&](int t) {
        Local local;
        local.mine = &partial[static_cast<std::size_t>(t)];
        return local;
    };
    parallel_for(team, blocks, Schedule::even, make_local, [&](Index b, Local& local) {
        CenterSums& mine = *local.mine;
        RowMatrix<T>& rows = local.rows;
        RowMatrix<T>& block_sums = local.block_sums;
        std::vector<char>& touched = local.touched;
        const Index first = b * block, count = std::min(block, n - first);
        local.nearest.resize(static_cast<std::size_t>(count));
        source.gather(first, count, rows, local.norms);
        simd::nearest<T>(centers, center_norms, rows, local.norms, local.scratch, sqdist.data() + first, local.nearest.data());
        if (accumulate && block_sums.rows() != k) block_sums.setZero(k, d), touched.assign(static_cast<std::size_t>(k), 0);
        for (Index r = 0; r < count; ++r) {
            const Index i = first + r;
            const int c = local.nearest[static_cast<std::size_t>(r)];
            const double w = source.weight(i);
            if (labels[i] != c) ++mine.changed, labels[i] = c;
            mine.inertia += w * static_cast<double>(sqdist[i]);
            if (!accumulate) continue;
            mine.weights[c] += w;
            touched[static_cast<std::size_t>(c)] = 1;
            if (w == 1.0)
                block_sums.row(c) += rows.row(r);
            else
                block_sums.row(c) += static_cast<T>(w) * rows.row(r);
        }
        if (!accumulate) return;
        for (Index c = 0; c < k; ++c)
            if (touched[static_cast<std::size_t>(c)]) {
                mine.sums.row(c) += block_sums.row(c).template cast<double>();
                block_sums.row(c).setZero();
                touched[static_cast<std::size_t>(c)] = 0;
            }
    });
    for (int t = 1; t < team; ++t) partial[0].merge(partial[static_cast<std::size_t>(t)]);
    return std::move(partial[0]);
}

}  // namespace shelf::kmeans::detail
