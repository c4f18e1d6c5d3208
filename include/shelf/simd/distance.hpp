// shelf/simd/distance.hpp: squared Euclidean distances between blocks of rows, and
// what to keep of them (the nearest candidate, or the k nearest).
//
// Distances come from the expansion ‖a − b‖² = ‖a‖² + ‖b‖² − 2<a, b>: the inner
// products of a block are one packed GEMM (row_products.hpp), near the machine's peak, and
// the rest is a cheap SIMD pass over the block (faiss's exhaustive_L2sqr_blas does
// the same). The expansion loses digits when the points sit far from the origin
// compared with their spread, so callers shift their data near the origin first
// (k-means subtracts the data mean) and the results are clamped at 0.
//
// Everything here is serial: drivers split their rows into blocks
// (block_rows) and run one block per thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "kernels.hpp"
#include "row_products.hpp"
#include "shelf/core/types.hpp"

namespace shelf::simd {

/// Rows per block for a pass over `dim`-dimensional points against `candidates`
/// candidates: a block and its inner products take about 2 MiB (a multiple of 16,
/// between 64 and 1024 rows). Each GEMM call packs the candidates once, so blocks
/// of a few hundred rows keep that cost small; larger ones would fall out of cache.
template <class T>
Index block_rows(Index dim, Index candidates) noexcept {
    const Index bytes_per_row = static_cast<Index>(sizeof(T)) * std::max<Index>(1, dim + candidates);
    const Index rows = (Index{2} << 20) / bytes_per_row;
    return std::clamp<Index>(rows / 16 * 16, 64, 1024);
}

/// out = A·Bᵀ (rows of A against rows of B), by row_products.hpp's packed GEMM.
template <class T>
void inner_products(const MatrixView<T>& A, const MatrixView<T>& B, RowMatrix<T>& out) {
    out.resize(A.rows(), B.rows());
    row_products(A.data(), A.outerStride(), A.rows(), B.data(), B.outerStride(), B.rows(), A.cols(), out.data(),
                 out.cols());
}

/// out(r, c) = ‖a_r − b_c‖², given the squared norms of the rows of A and B.
template <class T>
void squared_distances(const MatrixView<T>& A, const VectorView<T>& a_norms, const MatrixView<T>& B,
                       const VectorView<T>& b_norms, RowMatrix<T>& out) {
    inner_products(A, B, out);
    out = ((T(-2) * out.array()).colwise() + a_norms.array()).rowwise() + b_norms.transpose().array();
    out = out.cwiseMax(T(0));
}

/// The nearest candidate of each point of a block: best[j] = min_r ‖c_r − x_j‖²
/// and best_row[j] = that r (the lowest r on ties). `scratch` is reused between
/// calls; candidates are taken in chunks so their inner products stay in cache.
template <class T>
void nearest(const MatrixView<T>& candidates, const VectorView<T>& candidate_norms, const MatrixView<T>& points,
             const VectorView<T>& point_norms, RowMatrix<T>& scratch, T* best, std::int32_t* best_row) {
    const Index b = points.rows();
    std::fill(best, best + b, std::numeric_limits<T>::infinity());
    std::fill(best_row, best_row + b, std::int32_t{-1});
    const Index chunk = std::max<Index>(16, (Index{1} << 20) / (static_cast<Index>(sizeof(T)) * std::max<Index>(b, 1)));
    for (Index c0 = 0; c0 < candidates.rows(); c0 += chunk) {
        const Index rows = std::min(chunk, candidates.rows() - c0);
        inner_products<T>(candidates.middleRows(c0, rows), points, scratch);
        argmin_columns(scratch.data(), b, rows, b, candidate_norms.data() + c0, static_cast<std::int32_t>(c0), best,
                       best_row);
    }
    for (Index j = 0; j < b; ++j) best[j] = std::max(best[j] + point_norms[j], T(0));
}

/// nearest() that also gives the squared distance to the second-nearest candidate
/// (+inf when there is only one).
template <class T>
void nearest2(const MatrixView<T>& candidates, const VectorView<T>& candidate_norms, const MatrixView<T>& points,
              const VectorView<T>& point_norms, RowMatrix<T>& scratch, T* best, T* second, std::int32_t* best_row) {
    const Index b = points.rows();
    std::fill(best, best + b, std::numeric_limits<T>::infinity());
    std::fill(second, second + b, std::numeric_limits<T>::infinity());
    std::fill(best_row, best_row + b, std::int32_t{-1});
    const Index chunk = std::max<Index>(16, (Index{1} << 20) / (static_cast<Index>(sizeof(T)) * std::max<Index>(b, 1)));
    for (Index c0 = 0; c0 < candidates.rows(); c0 += chunk) {
        const Index rows = std::min(chunk, candidates.rows() - c0);
        inner_products<T>(candidates.middleRows(c0, rows), points, scratch);
        argmin2_columns(scratch.data(), b, rows, b, candidate_norms.data() + c0, static_cast<std::int32_t>(c0), best,
                        second, best_row);
    }
    for (Index j = 0; j < b; ++j) {
        best[j] = std::max(best[j] + point_norms[j], T(0));
        second[j] = std::max(second[j] + point_norms[j], T(0));
    }
}

/// What TopK ranks candidates by: the squared Euclidean distance (from inner products and
/// squared norms), or the negated inner product (the most similar first; norms given as zeros).
enum class Measure { squared_l2, negated_inner_product };

/// A filter that lets every candidate through.
struct AllowAll {
    constexpr bool operator()(Index) const noexcept { return true; }
};

/// The k nearest candidates of each query, kept over any number of candidate blocks.
///
/// Feed it blocks of inner products (queries in rows, candidates in columns) in
/// increasing candidate order; a SIMD pass skips every candidate that cannot enter
/// a full list, so the cost after warm-up is close to reading the block once.
/// Ties in distance keep the lower candidate index.
template <class T>
class TopK {
public:
    TopK(Index queries, Index k, Measure measure = Measure::squared_l2)
        : k_(k), measure_(measure), heaps_(static_cast<std::size_t>(queries)) {
        for (auto& h : heaps_) h.reserve(static_cast<std::size_t>(k));
    }

    Index queries() const noexcept { return static_cast<Index>(heaps_.size()); }
    Index k() const noexcept { return k_; }

    /// Offers candidates first .. first + cols − 1: ip(q, c) = <query q, candidate c>
    /// (row-major, leading dimension ld), with the squared norms of both (zeros for
    /// negated inner products); only candidates c with allowed(first + c) enter a list.
    template <class Allowed = AllowAll>
    void add(const T* ip, Index ld, Index cols, const T* query_norms, const T* candidate_norms, Index first,
             Allowed&& allowed = {}) {
        if (k_ <= 0) return;
        const bool l2 = measure_ == Measure::squared_l2;
        const T scale = l2 ? T(2) : T(1), floor = l2 ? T(0) : -std::numeric_limits<T>::infinity();
        for (Index q = 0; q < queries(); ++q) {
            auto& heap = heaps_[static_cast<std::size_t>(q)];
            T threshold = full(heap) ? heap.front().distance : std::numeric_limits<T>::infinity();
            scan_below(ip + q * ld, candidate_norms, query_norms[q], cols, scale, floor, threshold, [&](Index j, T distance) {
                if (allowed(first + j)) push(heap, {distance, first + j}, threshold);
            });
        }
    }

    /// Offers candidates first .. first + n − 1 to query q by their distances, as ranked
    /// (computed elsewhere: a product quantizer's table sums).
    template <class Allowed = AllowAll>
    void offer(Index q, const T* distances, Index n, Index first, Allowed&& allowed = {}) {
        if (k_ <= 0) return;
        auto& heap = heaps_[static_cast<std::size_t>(q)];
        T threshold = full(heap) ? heap.front().distance : std::numeric_limits<T>::infinity();
        for (Index j = 0; j < n; ++j)
            if (distances[j] <= threshold && allowed(first + j)) push(heap, {distances[j], first + j}, threshold);
    }

    /// The lists so far, nearest first: queries × k squared distances and candidate
    /// indices; a query that has seen fewer than k candidates is padded with +inf and −1.
    void result(RowMatrix<T>& distances, Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& indices) const {
        distances.setConstant(queries(), k_, std::numeric_limits<T>::infinity());
        indices.setConstant(queries(), k_, Index{-1});
        for (Index q = 0; q < queries(); ++q) {
            auto sorted = heaps_[static_cast<std::size_t>(q)];
            std::sort(sorted.begin(), sorted.end());
            for (std::size_t i = 0; i < sorted.size(); ++i) {
                distances(q, static_cast<Index>(i)) = sorted[i].distance;
                indices(q, static_cast<Index>(i)) = sorted[i].index;
            }
        }
    }

private:
    struct Entry {
        T distance;
        Index index;
        bool operator<(const Entry& other) const noexcept {
            return distance < other.distance || (distance == other.distance && index < other.index);
        }
    };
    bool full(const std::vector<Entry>& heap) const noexcept { return static_cast<Index>(heap.size()) >= k_; }

    /// Keeps `entry` in `heap` when it is among the k best so far; `threshold` follows the worst kept.
    void push(std::vector<Entry>& heap, const Entry& entry, T& threshold) const {
        if (!full(heap)) {
            heap.push_back(entry);
            std::push_heap(heap.begin(), heap.end());
        } else if (entry < heap.front()) {
            std::pop_heap(heap.begin(), heap.end());
            heap.back() = entry;
            std::push_heap(heap.begin(), heap.end());
        }
        if (full(heap)) threshold = heap.front().distance;
    }

    Index k_;
    Measure measure_;
    std::vector<std::vector<Entry>> heaps_;  // max-heaps: the worst kept entry on top
};

}  // namespace shelf::simd
