// shelf/neighbors/flat.hpp: the exact index — every stored vector against every query.
//
// A block of queries meets a chunk of stored vectors in one GEMM of inner products
// (simd/distance.hpp), and a SIMD pass keeps the k best of each query (simd::TopK). For L2 the
// inner products give distances through ‖q‖² + ‖x‖² − 2<q, x>, which loses digits to
// cancellation, so the index keeps twice k candidates and re-ranks them by direct distances:
// the distances returned are direct sums of squared differences, and so is their order. Stored
// vectors are shifted by the (rounded) mean of the first vectors added: distances do not
// change, and the expansion keeps its digits. Queries are split between threads by blocks, and when there
// are fewer blocks than threads (a single query), the stored vectors are split as well.
//
// Ids are 64-bit, given by the caller or numbered on from the largest so far; results list
// them nearest first, ties in distance by the smaller id, padded with id −1 when fewer than k
// vectors are stored or allowed by the filter.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/params.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/distance.hpp"
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

/// What an index file says of its index beside the vectors: the family tag, the dimension and
/// the metric (core/model_fields.hpp's container, as a model's).
struct IndexParams {
    static constexpr const char* family = "knn-index";

    std::optional<int> dim;
    Metric metric = Metric::l2;

    template <class V>
    void visit(V&& v) {
        v("dim", dim, Spec("dimension of the stored vectors").at_least(1).required());
        v("metric", metric, Spec("L2, INNER_PRODUCT or COSINE"));
    }
    void validate() const { check_ranges(*this); }
};

template <class T>
class FlatIndex {
public:
    using Scalar = T;

    FlatIndex() = default;
    FlatIndex(Index dim, Metric metric) : dim_(dim), metric_(metric), center_(Vector<T>::Zero(dim)) {
        if (dim < 1) throw invalid_argument(errc::out_of_range, "knn index: dim = " + std::to_string(dim) + "; expected at least 1");
    }

    Index dim() const noexcept { return dim_; }
    Index size() const noexcept { return vectors_.rows(); }
    Metric metric() const noexcept { return metric_; }
    const std::vector<std::int64_t>& ids() const noexcept { return ids_; }

    /// Adds the rows of X under `ids` (distinct, non-negative, none stored yet), or when `ids`
    /// is empty under the ids that follow the largest so far. COSINE refuses a zero vector.
    void add(const MatrixView<T>& X, const std::vector<std::int64_t>& ids = {}, int threads = 1) {
        const std::string context = "knn index add";
        require_columns(X.cols(), dim_, context);
        require_finite(X, context, Missing::refused, threads);
        const Index n = X.rows(), first = size();
        if (!ids.empty()) check_new_ids(ids, n);
        if (metric_ == Metric::l2 && first == 0 && n > 0) {
            Eigen::VectorXd sum = Eigen::VectorXd::Zero(dim_);  // row by row: contiguous, unlike colwise()
            for (Index i = 0; i < n; ++i) sum += X.row(i).transpose().template cast<double>();
            center_ = (sum / static_cast<double>(n)).template cast<T>().unaryExpr(&coarse);
        }
        vectors_.conservativeResize(first + n, dim_);
        norms_.conservativeResize(first + n);
        prepare(X, vectors_.bottomRows(n), norms_.data() + first, context, threads);
        for (Index i = 0; i < n; ++i)
            ids_.push_back(ids.empty() ? next_id_ + i : ids[static_cast<std::size_t>(i)]);
        for (Index i = first; i < first + n; ++i) next_id_ = std::max(next_id_, ids_[static_cast<std::size_t>(i)] + 1);
    }

    /// Removes the stored vectors with these ids (unknown ids are ignored), keeping the others
    /// in their order; returns how many were removed.
    Index remove(std::vector<std::int64_t> removed) {
        std::sort(removed.begin(), removed.end());
        Index kept = 0;
        for (Index i = 0; i < size(); ++i) {
            if (std::binary_search(removed.begin(), removed.end(), ids_[static_cast<std::size_t>(i)])) continue;
            if (kept != i) {
                vectors_.row(kept) = vectors_.row(i);
                norms_[kept] = norms_[i];
                ids_[static_cast<std::size_t>(kept)] = ids_[static_cast<std::size_t>(i)];
            }
            ++kept;
        }
        const Index count = size() - kept;
        vectors_.conservativeResize(kept, dim_);
        norms_.conservativeResize(kept);
        ids_.resize(static_cast<std::size_t>(kept));
        return count;
    }

    /// The k nearest stored vectors of each row of Q among those `allowed` lets through.
    Neighbors<T> search(const MatrixView<T>& Q, Index k, int threads = 1, const IdFilter& allowed = {}) const {
        const std::string context = "knn search";
        if (k < 1) throw invalid_argument(errc::out_of_range, context + ": k = " + std::to_string(k) + "; expected at least 1");
        require_columns(Q.cols(), dim_, context);
        require_finite(Q, context, Missing::refused, threads);
        const Index nq = Q.rows();
        const bool l2 = metric_ == Metric::l2;
        Neighbors<T> result{IdMatrix::Constant(nq, k, -1),
                            RowMatrix<T>::Constant(nq, k, l2 ? std::numeric_limits<T>::infinity()
                                                             : -std::numeric_limits<T>::infinity())};
        // A pass at a time, so that the prepared queries never take much more than a pass's worth.
        const Index pass_rows = query_block * 64;
        RowMatrix<T> queries;
        Vector<T> norms;
        for (Index first = 0; first < nq; first += pass_rows) {
            const Index rows = std::min(pass_rows, nq - first);
            queries.resize(rows, dim_);
            norms.resize(rows);
            prepare(Q.middleRows(first, rows), queries, norms.data(), context, threads, first);
            search_pass(queries, norms, first, k, threads, allowed, result);
        }
        return result;
    }

    /// Writes the index on its own (vectors, ids, dimension, metric), versioned and checksummed.
    void save(std::ostream& out) const {
        ModelWriter w(IndexParams::family, scalar_type_of<T>());
        IndexParams p;
        p.dim = static_cast<int>(dim_);
        p.metric = metric_;
        shelf::detail::FieldWriter f(w);
        f.params(p);
        fields(*this, f, "");
        w.write(out);
    }

    /// Reads an index written by save(); a damaged file, a model file or the other scalar type
    /// throws model_error.
    static FlatIndex load(std::istream& in) {
        const ModelReader r(in);
        r.expect(IndexParams::family, scalar_type_of<T>());
        shelf::detail::FieldReader f(r);
        IndexParams p;
        f.params(p);
        FlatIndex index;
        fields(index, f, "");
        index.restore(*p.dim, p.metric);
        return index;
    }

    /// What a model file holds of the index (core/model_fields.hpp), under `prefix`.
    template <class Self, class Fields>
    static void fields(Self& index, Fields& f, const std::string& prefix) {
        f(prefix + "vectors", index.vectors_);
        f(prefix + "ids", index.ids_);
        f(prefix + "center", index.center_);
        f(prefix + "next_id", index.next_id_);
    }

    /// After loading: checks the shapes against `dim` and `metric` and recomputes the norms.
    void restore(Index dim, Metric metric) {
        dim_ = dim;
        metric_ = metric;
        if (vectors_.cols() != dim_ || center_.size() != dim_ || static_cast<Index>(ids_.size()) != vectors_.rows())
            throw model_error(errc::malformed, "the knn index holds " + std::to_string(vectors_.rows()) + " x " +
                                                   std::to_string(vectors_.cols()) + " vectors and " +
                                                   std::to_string(ids_.size()) + " ids; expected " +
                                                   std::to_string(dim_) + " columns and an id per vector");
        norms_.setZero(size());
        if (metric_ != Metric::l2) return;
        Vector<T> copy(dim_);  // the kernel that computed them at add: the same bits
        for (Index i = 0; i < size(); ++i)
            norms_[i] = simd::shifted_copy(vectors_.row(i).data(), static_cast<const T*>(nullptr), copy.data(), dim_);
    }

private:
    /// search() for the prepared queries of rows first .. first + queries.rows() − 1.
    void search_pass(const RowMatrix<T>& queries, const Vector<T>& query_norms, Index first, Index k, int threads,
                     const IdFilter& allowed, Neighbors<T>& result) const {
        const Index nq = queries.rows(), block = std::min(query_block, nq), blocks = (nq + block - 1) / block;
        const bool l2 = metric_ == Metric::l2;
        const Index kept = l2 ? 2 * k : k;  // L2 candidates, re-ranked by direct distances
        const double work = static_cast<double>(nq) * static_cast<double>(size()) * static_cast<double>(dim_);
        const int team = team_size(threads, std::max<Index>(blocks, threads), work);
        // Each thread takes a run of query blocks against every stored vector, or, with fewer
        // blocks than threads (a single query), every block against its part of the vectors.
        const Index parts = blocks >= team ? 1 : team;
        struct Candidates {
            RowMatrix<T> distances;
            Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows;
        };
        std::vector<Candidates> found(static_cast<std::size_t>(blocks * parts));
        const auto measure = l2 ? simd::Measure::squared_l2 : simd::Measure::negated_inner_product;
        const auto pass = [&](Index row) { return !allowed || allowed(ids_[static_cast<std::size_t>(row)]); };
        const auto rows_of = [&](Index b) { return std::min(block, nq - b * block); };
        // Blocks b0 .. b1 − 1 against part `part` of the stored vectors; each chunk of them is
        // packed once for all those blocks.
        const auto run = [&](Index b0, Index b1, Index part) {
            const Index begin = size() * part / parts, end = size() * (part + 1) / parts;
            std::vector<simd::TopK<T>> tops;
            for (Index b = b0; b < b1; ++b) tops.emplace_back(rows_of(b), kept, measure);
            const bool packing = b1 > b0 && rows_of(b0) >= simd::RowProducts::few_rows;
            simd::PackedRows<T> packed;
            RowMatrix<T> products;
            for (Index c0 = begin; c0 < end; c0 += chunk) {
                const Index c = std::min(chunk, end - c0);
                if (packing) simd::pack_for_products(vectors_.row(c0).data(), dim_, c, dim_, packed);
                for (Index b = b0; b < b1; ++b) {
                    const Index m = rows_of(b), q0 = b * block;
                    products.resize(m, c);
                    if (m >= simd::RowProducts::few_rows)
                        simd::row_products(queries.row(q0).data(), dim_, m, packed, products.data(), c);
                    else
                        simd::row_products(queries.row(q0).data(), dim_, m, vectors_.row(c0).data(), dim_, c, dim_,
                                           products.data(), c);
                    tops[static_cast<std::size_t>(b - b0)].add(products.data(), c, c, query_norms.data() + q0,
                                                               norms_.data() + c0, c0, pass);
                }
            }
            for (Index b = b0; b < b1; ++b) {
                auto& out = found[static_cast<std::size_t>(b * parts + part)];
                tops[static_cast<std::size_t>(b - b0)].result(out.distances, out.rows);
            }
        };
        // The team OpenMP gives may be smaller than asked for: threads share out what there is.
        parallel_team(team, [&](int t, int size) {
            if (parts == 1) run(blocks * t / size, blocks * (t + 1) / size, 0);
            else
                for (Index part = t; part < parts; part += size) run(0, blocks, part);
        });
        parallel_for(team, blocks, Schedule::even, [&](Index b) {
            const Index q0 = b * block, m = std::min(block, nq - q0);
            std::vector<std::pair<T, std::int64_t>> merged;
            for (Index i = 0; i < m; ++i) {
                merged.clear();
                for (Index part = 0; part < parts; ++part) {
                    const auto& c = found[static_cast<std::size_t>(b * parts + part)];
                    for (Index j = 0; j < kept; ++j) {
                        const Index row = c.rows(i, j);
                        if (row < 0) break;
                        const T distance = l2 ? simd::squared_l2(queries.row(q0 + i).data(), vectors_.row(row).data(), dim_)
                                              : c.distances(i, j);
                        merged.emplace_back(distance, ids_[static_cast<std::size_t>(row)]);
                    }
                }
                const auto last = merged.begin() + std::min<std::ptrdiff_t>(k, static_cast<std::ptrdiff_t>(merged.size()));
                std::partial_sort(merged.begin(), last, merged.end());
                for (auto at = merged.begin(); at != last; ++at) {
                    const Index j = at - merged.begin();
                    result.ids(first + q0 + i, j) = at->second;
                    result.distances(first + q0 + i, j) = l2 ? at->first : -at->first;  // similarities for IP and cosine
                }
            }
        });
    }

    static constexpr Index query_block = 256;  // queries per GEMM: their products with a chunk stay in L2
    static constexpr Index chunk = 1024;       // stored vectors per GEMM

    /// v to 8 significant bits. The L2 shift is the mean rounded so: it brings the data near the
    /// origin (the expansion keeps its digits), and subtracting it is exact for values of few
    /// significant digits (integers, pixels), whose distances and ties then stay exact.
    static T coarse(T v) {
        if (v == T(0)) return v;
        int exponent = 0;
        std::frexp(v, &exponent);
        const T unit = std::ldexp(T(1), exponent - 8);
        return std::round(v / unit) * unit;
    }

    /// rows of X as the index compares them (shifted for L2, normalised for COSINE) into `out`,
    /// with the squared norms the distance expansion needs (zeros for the inner products).
    template <class Out>
    void prepare(const MatrixView<T>& X, Out&& out, T* norms, const std::string& context, int threads,
                 Index first_row = 0) const {
        const Index n = X.rows();
        const T* shift = metric_ == Metric::l2 ? center_.data() : nullptr;
        parallel_for(team_size(threads, n, static_cast<double>(n) * static_cast<double>(dim_)), n, Schedule::even,
                     [&](Index i) {
                         const T squared = simd::shifted_copy(X.row(i).data(), shift, out.row(i).data(), dim_);
                         norms[i] = metric_ == Metric::l2 ? squared : T(0);
                         if (metric_ != Metric::cosine) return;
                         if (!(squared > T(0)))
                             throw data_error(errc::degenerate, context + ": row " + std::to_string(first_row + i) +
                                                                   " is a zero vector, which has no cosine similarity");
                         out.row(i) /= std::sqrt(squared);
                     });
    }

    void check_new_ids(const std::vector<std::int64_t>& ids, Index n) const {
        if (static_cast<Index>(ids.size()) != n)
            throw invalid_argument(errc::inconsistent, "knn index add: " + std::to_string(ids.size()) + " ids for " +
                                                           std::to_string(n) + " rows");
        std::vector<std::int64_t> all(ids_);
        all.insert(all.end(), ids.begin(), ids.end());
        std::sort(all.begin(), all.end());
        if (!all.empty() && all.front() < 0)
            throw invalid_argument(errc::out_of_range, "knn index add: id " + std::to_string(all.front()) +
                                                           " is negative; expected ids of 0 or more");
        const auto twice = std::adjacent_find(all.begin(), all.end());
        if (twice != all.end())
            throw invalid_argument(errc::inconsistent, "knn index add: id " + std::to_string(*twice) +
                                                           " is given twice or is already stored");
    }

    Index dim_ = 0;
    Metric metric_ = Metric::l2;
    RowMatrix<T> vectors_;  ///< as compared: shifted by center_ (L2) or normalised (COSINE)
    Vector<T> norms_;       ///< squared norms of vectors_ for L2, zeros otherwise; not stored in files
    Vector<T> center_;      ///< the shift of L2 vectors (zeros for the other metrics)
    std::vector<std::int64_t> ids_;
    std::int64_t next_id_ = 0;
};

}  // namespace shelf::knn
