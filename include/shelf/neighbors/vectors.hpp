// shelf/neighbors/vectors.hpp: what every index does alike — the form of a search's answer,
// the vectors as compared (shifted for L2, normalised for COSINE), the checks of new ids, and
// the last step of a search: candidates sorted into a row of the answer.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/kernels.hpp"

namespace shelf::knn {

/// Row-major ids of a search, queries × k.
using IdMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The k nearest stored vectors of each query, nearest first: their ids (−1 past the end of a
/// short list) and distances (squared L2; inner products or cosine similarities for those
/// metrics, the largest first; +inf or −inf past the end).
template <class T>
struct Neighbors {
    IdMatrix ids;
    RowMatrix<T> distances;
};

/// Which stored ids a search may return (filtered search); empty: every id.
using IdFilter = std::function<bool(std::int64_t)>;

namespace detail {

/// An answer for `queries` × k with every place empty.
template <class T>
Neighbors<T> empty_neighbors(Index queries, Index k, Metric metric) {
    const T none = metric == Metric::l2 ? std::numeric_limits<T>::infinity() : -std::numeric_limits<T>::infinity();
    return {IdMatrix::Constant(queries, k, -1), RowMatrix<T>::Constant(queries, k, none)};
}

/// Refuses a search for fewer than one neighbour, or queries of another width than `dim` or
/// holding NaN or infinity, naming them.
template <class T>
void check_search(const MatrixView<T>& Q, Index k, Index dim, int threads, const std::string& context) {
    if (k < 1) throw invalid_argument(errc::out_of_range, context + ": k = " + std::to_string(k) + "; expected at least 1");
    require_columns(Q.cols(), dim, context);
    require_finite(Q, context, Missing::refused, threads);
}

/// v to 8 significant bits. The L2 shift is the mean rounded so: it brings the data near the
/// origin (the GEMM expansion keeps its digits), and subtracting it is exact for values of few
/// significant digits (integers, pixels), whose distances and ties then stay exact.
template <class T>
T coarse(T v) {
    if (v == T(0)) return v;
    int exponent = 0;
    std::frexp(v, &exponent);
    const T unit = std::ldexp(T(1), exponent - 8);
    return std::round(v / unit) * unit;
}

/// The shift of L2 vectors: the coarse mean of the first rows an index sees (zeros for the
/// other metrics, whose vectors are not shifted).
template <class T>
Vector<T> l2_center(const MatrixView<T>& X, Metric metric) {
    const Index d = X.cols();
    if (metric != Metric::l2 || X.rows() == 0) return Vector<T>::Zero(d);
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(d);  // row by row: contiguous, unlike colwise()
    for (Index i = 0; i < X.rows(); ++i) sum += X.row(i).transpose().template cast<double>();
    return (sum / static_cast<double>(X.rows())).template cast<T>().unaryExpr(&coarse<T>);
}

/// Rows of X as an index compares them — shifted by `center` for L2, normalised for COSINE —
/// into `out`, with the squared norms the distance expansion needs (zeros for the inner
/// products). A zero vector under COSINE is refused, naming its row (first_row + i).
template <class T, class Out>
void prepare_rows(const MatrixView<T>& X, Metric metric, const T* center, Out&& out, T* norms,
                  const std::string& context, int threads, Index first_row = 0) {
    const Index n = X.rows(), d = X.cols();
    const T* shift = metric == Metric::l2 ? center : nullptr;
    parallel_for(team_size(threads, n, static_cast<double>(n) * static_cast<double>(d)), n, Schedule::even,
                 [&](Index i) {
                     const T squared = simd::shifted_copy(X.row(i).data(), shift, out.row(i).data(), d);
                     norms[i] = metric == Metric::l2 ? squared : T(0);
                     if (metric != Metric::cosine) return;
                     if (!(squared > T(0)))
                         throw data_error(errc::degenerate, context + ": row " + std::to_string(first_row + i) +
                                                                " is a zero vector, which has no cosine similarity");
                     out.row(i) /= std::sqrt(squared);
                 });
}

/// Refuses new ids that are not one per row, negative, repeated or already stored.
inline void check_new_ids(const std::vector<std::int64_t>& stored, const std::vector<std::int64_t>& ids, Index n,
                          const std::string& context) {
    if (static_cast<Index>(ids.size()) != n)
        throw invalid_argument(errc::inconsistent, context + ": " + std::to_string(ids.size()) + " ids for " +
                                                       std::to_string(n) + " rows");
    std::vector<std::int64_t> all(stored);
    all.insert(all.end(), ids.begin(), ids.end());
    std::sort(all.begin(), all.end());
    if (!all.empty() && all.front() < 0)
        throw invalid_argument(errc::out_of_range, context + ": id " + std::to_string(all.front()) +
                                                       " is negative; expected ids of 0 or more");
    const auto twice = std::adjacent_find(all.begin(), all.end());
    if (twice != all.end())
        throw invalid_argument(errc::inconsistent, context + ": id " + std::to_string(*twice) +
                                                       " is given twice or is already stored");
}

/// Row `row` of `result` from one query's candidates (distance, id), the distances as ranked:
/// squared L2, or negated similarities for the inner products (given back as similarities).
/// The k best are kept, nearest first, ties to the smaller id; `candidates` is reordered.
template <class T>
void write_nearest(std::vector<std::pair<T, std::int64_t>>& candidates, Index k, Metric metric, Neighbors<T>& result,
                   Index row) {
    const auto last = candidates.begin() + std::min<std::ptrdiff_t>(k, static_cast<std::ptrdiff_t>(candidates.size()));
    std::partial_sort(candidates.begin(), last, candidates.end());
    for (auto at = candidates.begin(); at != last; ++at) {
        const Index j = at - candidates.begin();
        result.ids(row, j) = at->second;
        result.distances(row, j) = metric == Metric::l2 ? at->first : -at->first;
    }
}

}  // namespace detail
}  // namespace shelf::knn
