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
// Vectors whose values are whole numbers from 0 to 255 (pixels, SIFT descriptors) are kept as
// bytes too, where the processor has AVX-512 VNNI: their inner products with byte-valued
// queries are then exact integer sums at four times the float rate per instruction
// (simd/byte_products.hpp), and the candidates are re-ranked as above.
//
// With vector_storage = sq8 the index keeps 8-bit codes of the vectors instead of the vectors
// (neighbors/scalar_quantizer.hpp), a quarter of the memory: each chunk is decoded for its GEMM,
// and the candidates are re-ranked by direct distances to their decoded vectors, which are the
// distances returned.
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

#include "index_file.hpp"
#include "params.hpp"
#include "scalar_quantizer.hpp"
#include "vectors.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/params.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/byte_products.hpp"
#include "shelf/simd/distance.hpp"
#include "shelf/simd/kernels.hpp"

namespace shelf::knn {

/// What an index file says of its index beside the vectors: the family tag, the dimension and
/// the metric (core/model_fields.hpp's container, as a model's).
struct IndexParams {
    static constexpr const char* family = "knn-index";

    std::optional<int> dim;
    Metric metric = Metric::l2;
    Storage storage = Storage::vectors;

    template <class V>
    void visit(V&& v) {
        v("dim", dim, Spec("dimension of the stored vectors").at_least(1).required());
        v("metric", metric, Spec("L2, INNER_PRODUCT or COSINE"));
        v("storage", storage, Spec("float or sq8"));
    }
    void validate() const { check_ranges(*this); }
};

template <class T>
class FlatIndex {
public:
    using Scalar = T;

    FlatIndex() = default;
    FlatIndex(Index dim, Metric metric, Storage storage = Storage::vectors)
        : dim_(dim), metric_(metric), storage_(storage), vectors_(0, std::max<Index>(dim, 0)), center_(Vector<T>::Zero(std::max<Index>(dim, 0))) {
        if (dim < 1) throw invalid_argument(errc::out_of_range, "knn index: dim = " + std::to_string(dim) + "; expected at least 1");
        check_storage(storage, [](errc id, const std::string& what) { throw invalid_argument(id, what); });
    }

    Index dim() const noexcept { return dim_; }
    Index size() const noexcept { return static_cast<Index>(ids_.size()); }
    Metric metric() const noexcept { return metric_; }
    Storage storage() const noexcept { return storage_; }
    const std::vector<std::int64_t>& ids() const noexcept { return ids_; }

    /// Adds the rows of X under `ids` (distinct, non-negative, none stored yet), or when `ids`
    /// is empty under the ids that follow the largest so far. COSINE refuses a zero vector.
    void add(const MatrixView<T>& X, const std::vector<std::int64_t>& ids = {}, int threads = 1) {
        const std::string context = "knn index add";
        require_columns(X.cols(), dim_, context);
        require_finite(X, context, Missing::refused, threads);
        const Index n = X.rows(), first = size();
        if (!ids.empty()) detail::check_new_ids(ids_, ids, n, context);
        if (first == 0 && n > 0) center_ = detail::l2_center(X, metric_);
        norms_.conservativeResize(first + n);
        if (coded()) {
            add_codes(X, first, threads, context);
        } else {
            vectors_.conservativeResize(first + n, dim_);
            detail::prepare_rows<T>(X, metric_, center_.data(), vectors_.bottomRows(n), norms_.data() + first, context,
                                    threads);
            add_bytes(X, first, threads);
        }
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
                if (coded())
                    std::copy_n(code(i), dim_, codes_.data() + static_cast<std::size_t>(kept * dim_));
                else
                    vectors_.row(kept) = vectors_.row(i);
                norms_[kept] = norms_[i];
                ids_[static_cast<std::size_t>(kept)] = ids_[static_cast<std::size_t>(i)];
            }
            ++kept;
        }
        const Index count = size() - kept;
        const bool bytes = has_bytes();
        if (coded()) codes_.resize(static_cast<std::size_t>(kept * dim_));
        else vectors_.conservativeResize(kept, dim_);
        norms_.conservativeResize(kept);
        ids_.resize(static_cast<std::size_t>(kept));
        if (bytes) restore_bytes();
        return count;
    }

    /// The k nearest stored vectors of each row of Q among those `allowed` lets through.
    Neighbors<T> search(const MatrixView<T>& Q, Index k, int threads = 1, const IdFilter& allowed = {}) const {
        const std::string context = "knn search";
        detail::check_search(Q, k, dim_, threads, context);
        const Index nq = Q.rows();
        Neighbors<T> result = detail::empty_neighbors<T>(nq, k, metric_);
        // A pass at a time, so that the prepared queries never take much more than a pass's worth.
        const Index pass_rows = query_block * 64;
        RowMatrix<T> queries;
        Vector<T> norms, byte_norms;
        simd::ByteRows bytes;
        for (Index first = 0; first < nq; first += pass_rows) {
            const Index rows = std::min(pass_rows, nq - first);
            queries.resize(rows, dim_);
            norms.resize(rows);
            detail::prepare_rows<T>(Q.middleRows(first, rows), metric_, center_.data(), queries, norms.data(), context,
                                 threads, first);
            const bool exact = has_bytes() && simd::byte_valued(Q.row(first).data(), Q.outerStride(), rows, dim_);
            if (exact) {
                bytes.assign(Q.row(first).data(), Q.outerStride(), rows, dim_);
                byte_norms = Q.middleRows(first, rows).rowwise().squaredNorm();
            }
            search_pass(queries, norms, exact ? &bytes : nullptr, byte_norms, first, k, threads, allowed, result);
        }
        return result;
    }

    /// Writes the index on its own (vectors, ids, dimension, metric), versioned and checksummed.
    void save(std::ostream& out) const {
        IndexParams p;
        p.dim = static_cast<int>(dim_);
        p.metric = metric_;
        p.storage = storage_;
        detail::write_index(*this, p, out);
    }

    /// Reads an index written by save(); a damaged file, a model file or the other scalar type
    /// throws model_error.
    static FlatIndex load(std::istream& in) {
        return detail::read_index<FlatIndex, IndexParams>(
            in, [](const IndexParams&) { return FlatIndex(); },
            [](FlatIndex& index, const IndexParams& p) { index.restore(*p.dim, p.metric, p.storage); });
    }

    /// What a model file holds of the index (core/model_fields.hpp), under `prefix`.
    template <class Self, class Fields>
    static void fields(Self& index, Fields& f, const std::string& prefix) {
        f(prefix + "vectors", index.vectors_);
        f(prefix + "ids", index.ids_);
        f(prefix + "center", index.center_);
        f(prefix + "next_id", index.next_id_);
        f(prefix + "codes", index.codes_);
        f(prefix + "code_low", index.quantizer_.low);
        f(prefix + "code_scale", index.quantizer_.scale);
    }

    /// After loading: checks the shapes against `dim`, `metric` and `storage` and recomputes
    /// the norms.
    void restore(Index dim, Metric metric, Storage storage) {
        dim_ = dim;
        metric_ = metric;
        storage_ = storage;
        const auto bad = [](const std::string& what) { throw model_error(errc::malformed, "the knn index " + what); };
        check_storage(storage_, [&](errc, const std::string& what) { bad("has " + what); });
        const auto n = static_cast<std::uint64_t>(ids_.size()), entries = n * static_cast<std::uint64_t>(dim_);
        const Index vector_rows = coded() ? 0 : static_cast<Index>(n);
        if (vectors_.cols() != dim_ || center_.size() != dim_ || vectors_.rows() != vector_rows ||
            codes_.size() != (coded() ? entries : 0))
            bad("holds " + std::to_string(vectors_.rows()) + " x " + std::to_string(vectors_.cols()) + " vectors, " +
                std::to_string(codes_.size()) + " codes and " + std::to_string(n) + " ids; expected " +
                (coded() ? "8-bit codes" : "vectors") + " of " + std::to_string(dim_) + " columns, one per id");
        if (coded() ? (n > 0 || quantizer_.trained()) && !quantizer_.valid(dim_) : quantizer_.trained())
            bad(coded() ? "holds a quantizer not of " + std::to_string(dim_) + " finite ends and non-negative scales"
                        : "holds a quantizer it does not use");
        norms_.setZero(size());
        if (metric_ != Metric::l2) return;
        if (coded()) {
            encoded_norms(0, size(), 1);
            return;
        }
        Vector<T> copy(dim_);  // the kernel that computed them at add: the same bits
        for (Index i = 0; i < size(); ++i)
            norms_[i] = simd::shifted_copy(vectors_.row(i).data(), static_cast<const T*>(nullptr), copy.data(), dim_);
        restore_bytes();
    }

private:
    template <class Fail>
    static void check_storage(Storage storage, Fail&& fail) {
        if (storage == Storage::sq8_rerank)
            fail(errc::inconsistent, "knn index: storage = sq8_rerank is the HNSW index's; a flat index keeps float or sq8");
    }

    /// Whether the index keeps 8-bit codes instead of the vectors.
    bool coded() const noexcept { return storage_ == Storage::sq8; }
    const std::uint8_t* code(Index row) const noexcept { return codes_.data() + static_cast<std::size_t>(row * dim_); }

    /// Codes of the rows of X, stored from row `first` on (the quantizer trained on the first
    /// rows added), and their norms.
    void add_codes(const MatrixView<T>& X, Index first, int threads, const std::string& context) {
        const Index n = X.rows();
        RowMatrix<T> rows(n, dim_);
        Vector<T> unused(n);
        detail::prepare_rows<T>(X, metric_, center_.data(), rows, unused.data(), context, threads);
        if (!quantizer_.trained() && n > 0) quantizer_.train(rows);
        codes_.resize(static_cast<std::size_t>((first + n) * dim_));
        const int team = team_size(threads, n, static_cast<double>(n) * static_cast<double>(dim_));
        parallel_for(team, n, Schedule::even, [&](Index i) {
            quantizer_.encode(rows.row(i).data(), codes_.data() + static_cast<std::size_t>((first + i) * dim_), dim_);
        });
        if (metric_ == Metric::l2) encoded_norms(first, first + n, threads);
        else norms_.segment(first, n).setZero();
    }

    /// The squared norms of the decoded vectors of rows begin .. end − 1 (what the GEMM's
    /// expansion meets).
    void encoded_norms(Index begin, Index end, int threads) {
        const int team = team_size(threads, end - begin, static_cast<double>(end - begin) * static_cast<double>(dim_));
        parallel_for(
            team, end - begin, Schedule::even, [&](int) { return Vector<T>(dim_); },
            [&](Index i, Vector<T>& decoded) {
                quantizer_.decode(code(begin + i), decoded.data(), dim_);
                norms_[begin + i] = decoded.squaredNorm();
            });
    }

    /// Whether L2 search may take exact byte products: every vector stored is also in bytes_.
    bool has_bytes() const noexcept { return size() > 0 && bytes_.rows() == size(); }

    /// Whether vectors of whole numbers from 0 to 255 are worth keeping as bytes too (the
    /// processor has the byte products, the metric is L2, the products fit an int32).
    bool bytes_possible() const noexcept {
        return simd::byte_products_available && metric_ == Metric::l2 && !coded() && dim_ <= simd::max_byte_depth;
    }

    /// After the rows of X were stored from row `first` on: their bytes too while every vector
    /// stored so far is byte-valued, and none from the first that is not.
    void add_bytes(const MatrixView<T>& X, Index first, int threads) {
        const Index n = X.rows();
        const int team = team_size(threads, n, static_cast<double>(n) * static_cast<double>(dim_));
        std::vector<char> whole(static_cast<std::size_t>(n), 0);
        if (bytes_possible() && bytes_.rows() == first)
            parallel_for(team, n, Schedule::even, [&](Index i) {
                whole[static_cast<std::size_t>(i)] = simd::byte_valued(X.row(i).data(), dim_, 1, dim_);
            });
        if (std::find(whole.begin(), whole.end(), 0) != whole.end()) {
            bytes_.clear();
            byte_norms_.resize(0);
            return;
        }
        if (first == 0) bytes_ = simd::BytePanels(dim_);
        bytes_.resize(first + n);
        byte_norms_.conservativeResize(first + n);
        parallel_for(team, n, Schedule::even, [&](Index i) {  // rows write bytes of their own
            bytes_.set(first + i, X.row(i).data());
            byte_norms_[first + i] = X.row(i).squaredNorm();
        });
    }

    /// bytes_ from the stored vectors (the shift added back, exactly for whole numbers), after
    /// a load or a removal.
    void restore_bytes() {
        bytes_.clear();
        byte_norms_.resize(0);
        if (!bytes_possible() || size() == 0) return;
        const RowMatrix<T> raw = vectors_.rowwise() + center_.transpose();
        add_bytes(raw, 0, 1);
    }

    /// search() for the prepared queries of rows first .. first + queries.rows() − 1; with
    /// `bytes` (the same queries as bytes, and their squared norms), by exact byte products.
    void search_pass(const RowMatrix<T>& queries, const Vector<T>& query_norms, const simd::ByteRows* bytes,
                     const Vector<T>& byte_norms, Index first, Index k, int threads, const IdFilter& allowed,
                     Neighbors<T>& result) const {
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
        // Byte products where the stored vectors are split only by whole chunks (panels of 32).
        const bool exact = bytes && parts == 1;
        const auto run = [&](Index b0, Index b1, Index part) {
            const Index begin = size() * part / parts, end = size() * (part + 1) / parts;
            std::vector<simd::TopK<T>> tops;
            for (Index b = b0; b < b1; ++b) tops.emplace_back(rows_of(b), kept, measure);
            const bool packing = !exact && b1 > b0 && rows_of(b0) >= simd::RowProducts::few_rows;
            simd::PackedRows<T> packed;
            RowMatrix<T> products, decoded;
            Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> whole;
            for (Index c0 = begin; c0 < end; c0 += chunk) {
                const Index c = std::min(chunk, end - c0);
                const T* stored = coded() ? decode_rows(c0, c, decoded) : vectors_.row(c0).data();
                if (packing) simd::pack_for_products(stored, dim_, c, dim_, packed);
                for (Index b = b0; b < b1; ++b) {
                    const Index m = rows_of(b), q0 = b * block;
                    if (exact) {  // the raw vectors' products, ranked with their own norms
                        whole.resize(m, c);
                        simd::byte_products(*bytes, q0, m, bytes_, c0, c, whole.data(), c);
                        products = whole.template cast<T>();
                        tops[static_cast<std::size_t>(b - b0)].add(products.data(), c, c, byte_norms.data() + q0,
                                                                   byte_norms_.data() + c0, c0, pass);
                        continue;
                    }
                    products.resize(m, c);
                    if (m >= simd::RowProducts::few_rows)
                        simd::row_products(queries.row(q0).data(), dim_, m, packed, products.data(), c);
                    else
                        simd::row_products(queries.row(q0).data(), dim_, m, stored, dim_, c, dim_, products.data(), c);
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
            Vector<T> decoded(coded() ? dim_ : 0);
            const auto stored = [&](Index row) {
                if (!coded()) return vectors_.row(row).data();
                quantizer_.decode(code(row), decoded.data(), dim_);
                return static_cast<const T*>(decoded.data());
            };
            for (Index i = 0; i < m; ++i) {
                merged.clear();
                for (Index part = 0; part < parts; ++part) {
                    const auto& c = found[static_cast<std::size_t>(b * parts + part)];
                    for (Index j = 0; j < kept; ++j) {
                        const Index row = c.rows(i, j);
                        if (row < 0) break;
                        const T distance =
                            l2 ? simd::squared_l2(queries.row(q0 + i).data(), stored(row), dim_) : c.distances(i, j);
                        merged.emplace_back(distance, ids_[static_cast<std::size_t>(row)]);
                    }
                }
                detail::write_nearest(merged, k, metric_, result, first + q0 + i);
            }
        });
    }

    /// Rows first .. first + count − 1 decoded into `out`; returns its data.
    const T* decode_rows(Index first, Index count, RowMatrix<T>& out) const {
        out.resize(count, dim_);
        for (Index i = 0; i < count; ++i) quantizer_.decode(code(first + i), out.row(i).data(), dim_);
        return out.data();
    }

    static constexpr Index query_block = 256;  // queries per GEMM: their products with a chunk stay in L2
    static constexpr Index chunk = 1024;       // stored vectors per GEMM

    Index dim_ = 0;
    Metric metric_ = Metric::l2;
    Storage storage_ = Storage::vectors;
    RowMatrix<T> vectors_;  ///< as compared: shifted by center_ (L2) or normalised (COSINE); none with codes
    std::vector<std::uint8_t> codes_;  ///< with sq8: the vectors as compared, dim_ codes a row
    ScalarQuantizer quantizer_;        ///< with sq8: the codes' scales
    Vector<T> norms_;       ///< squared norms of the vectors (decoded) for L2, zeros otherwise; not stored in files
    Vector<T> center_;      ///< the shift of L2 vectors (zeros for the other metrics)
    std::vector<std::int64_t> ids_;
    std::int64_t next_id_ = 0;
    simd::BytePanels bytes_;  ///< L2 on byte-valued vectors (has_bytes()): them as bytes; not stored in files
    Vector<T> byte_norms_;    ///< their squared norms
};

}  // namespace shelf::knn
