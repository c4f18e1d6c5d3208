// shelf/neighbors/ivf.hpp: the inverted-file indexes, the platform's faiss.IVFFlat and faiss.IVFPQ.
//
// k-means (cluster/lloyd.hpp) splits the space into `nlists` cells around centroids; each vector
// is stored in the list of its nearest centroid, and a query searches only the lists of its
// `nprobe` nearest centroids (nprobe is an argument of search, not state of the index).
//
// IVFFlat keeps the vectors as the flat index does (shifted for L2, normalised for COSINE). The
// queries of a block that probe a list meet its vectors in one GEMM; L2 keeps 2k candidates and
// re-ranks them by direct distances, so with nprobe = nlists the answer is the flat index's.
//
// IVFPQ keeps, instead of a vector, its residual from its centroid coded by a product quantizer:
// the dimensions (zero-padded to a multiple of pq_m) are cut into pq_m sub-vectors, each coded
// by the index of the nearest of up to 256 sub-centroids, one byte. A distance is then a sum of
// table entries: per query, the inner products of its sub-vectors with every sub-centroid; per
// list, ‖r‖² + 2<c, r> of every sub-centroid r (FAISS's precomputed tables), so that
// ‖q − c − r‖² = ‖q − c‖² + Σ (‖r_s‖² + 2<c_s, r_s> − 2<q_s, r_s>). The distances returned are
// these approximations (as FAISS's); the vectors themselves are not kept.
#pragma once

#include <algorithm>
#include <cstdint>
#include <istream>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "index_file.hpp"
#include "params.hpp"
#include "vectors.hpp"
#include "shelf/cluster/init.hpp"
#include "shelf/cluster/lloyd.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/random.hpp"
#include "shelf/simd/distance.hpp"
#include "shelf/simd/kernels.hpp"

namespace shelf::knn {

/// What an IVF index file says of its index beside the lists.
struct IvfIndexParams {
    static constexpr const char* family = "knn-ivf-index";

    std::optional<int> dim;
    Metric metric = Metric::l2;
    std::optional<std::int64_t> nlists;
    int pq_m = 0;
    std::int64_t seed = 0;

    template <class V>
    void visit(V&& v) {
        v("dim", dim, Spec("dimension of the stored vectors").at_least(1).required());
        v("metric", metric, Spec("L2, INNER_PRODUCT or COSINE"));
        v("nlists", nlists, Spec("inverted lists (k-means cells)").at_least(1).required());
        v("pq_m", pq_m, Spec("product-quantizer codes per vector; 0: the vectors are kept (IVFFlat)").at_least(0));
        v("seed", seed, Spec("seed of the k-means runs").at_least(0));
    }
    void validate() const { check_ranges(*this); }
};

template <class T>
class IvfIndex {
public:
    using Scalar = T;

    /// Sub-centroids per sub-vector at most: one byte of code.
    static constexpr Index max_codewords = 256;
    /// Lloyd iterations of each k-means run, as FAISS's default.
    static constexpr int kmeans_iterations = 25;
    /// Training rows per centroid at most (FAISS's max_points_per_centroid): more add little.
    static constexpr Index rows_per_centroid = 256;

    /// Rows train() learns from at most, for `nlists` lists: more add little.
    static Index training_rows(Index nlists) noexcept { return rows_per_centroid * std::max(nlists, max_codewords); }

    IvfIndex() = default;
    /// An untrained index of `nlists` lists; pq_m = 0 keeps the vectors (IVFFlat), pq_m > 0 codes
    /// them with pq_m bytes each (IVFPQ). `seed` decides the k-means samples and starts.
    IvfIndex(Index dim, Metric metric, Index nlists, int pq_m = 0, std::int64_t seed = 0)
        : dim_(dim), metric_(metric), nlists_(nlists), pq_m_(pq_m), seed_(seed), center_(Vector<T>::Zero(dim)) {
        const std::string context = "knn ivf index";
        if (dim < 1) throw invalid_argument(errc::out_of_range, context + ": dim = " + std::to_string(dim) + "; expected at least 1");
        if (nlists < 1)
            throw invalid_argument(errc::out_of_range,
                                   context + ": nlists = " + std::to_string(nlists) + "; expected at least 1");
        if (pq_m < 0 || pq_m > dim)
            throw invalid_argument(errc::out_of_range, context + ": pq_m = " + std::to_string(pq_m) +
                                                           "; expected 0 (IVFFlat) up to the dimension " + std::to_string(dim));
        if (seed < 0) throw invalid_argument(errc::out_of_range, context + ": seed = " + std::to_string(seed) + "; expected 0 or more");
    }

    Index dim() const noexcept { return dim_; }
    Metric metric() const noexcept { return metric_; }
    Index nlists() const noexcept { return nlists_; }
    int pq_m() const noexcept { return pq_m_; }
    bool trained() const noexcept { return centroids_.rows() > 0; }
    Index size() const noexcept {
        Index n = 0;
        for (const List& list : lists_) n += static_cast<Index>(list.ids.size());
        return n;
    }
    /// The stored ids, list by list.
    std::vector<std::int64_t> ids() const {
        std::vector<std::int64_t> all;
        for (const List& list : lists_) all.insert(all.end(), list.ids.begin(), list.ids.end());
        return all;
    }

    /// Learns the centroids (and the product quantizer) from the rows of X, which needs at
    /// least nlists rows; k-means runs on at most 256 rows per centroid, drawn by the seed.
    void train(const MatrixView<T>& X, int threads = 1) {
        const std::string context = "knn index train";
        require_columns(X.cols(), dim_, context);
        require_finite(X, context, Missing::refused, threads);
        const Index n = X.rows();
        if (n < nlists_)
            throw data_error(errc::empty_data, context + ": " + std::to_string(nlists_) + " lists need at least as many training rows; got " +
                                                   std::to_string(n));
        center_ = detail::l2_center(X, metric_);
        Rng rng(static_cast<std::uint64_t>(seed_));
        const std::vector<Index> rows = sample_rows(n, training_rows(nlists_), rng);
        RowMatrix<T> sample(static_cast<Index>(rows.size()), dim_);
        for (Index i = 0; i < sample.rows(); ++i) sample.row(i) = X.row(rows[static_cast<std::size_t>(i)]);
        Vector<T> norms(sample.rows());
        detail::prepare_rows<T>(sample, metric_, center_.data(), sample, norms.data(), context, threads);

        const Index coarse_rows = std::min<Index>(sample.rows(), rows_per_centroid * nlists_);
        centroids_ = cluster(sample.topRows(coarse_rows), nlists_, 0, threads);
        if (metric_ == Metric::cosine)  // the nearest in angle: unit centroids under the inner product
            for (Index c = 0; c < nlists_; ++c)
                if (centroids_.row(c).norm() > T(0)) centroids_.row(c).normalize();
        set_centroid_norms();
        lists_.assign(static_cast<std::size_t>(nlists_), List{});
        if (pq_m_ == 0) return;

        // The quantizer learns from as many rows as FAISS's: 256 per sub-centroid.
        const Index pq_rows = std::min<Index>(sample.rows(), rows_per_centroid * max_codewords);
        const RowMatrix<T> residuals = padded_residuals(sample.topRows(pq_rows), norms.head(pq_rows), threads);
        const Index ksub = std::min<Index>(max_codewords, residuals.rows()), width = sub_dim();
        codebook_.resize(pq_m_ * ksub, width);
        for (Index s = 0; s < pq_m_; ++s)
            codebook_.middleRows(s * ksub, ksub) = cluster(residuals.middleCols(s * width, width), ksub, 2 + s, threads);
        set_list_terms();
    }

    /// Adds the rows of X under `ids` (distinct, non-negative, none stored yet), or when `ids`
    /// is empty under the ids that follow the largest so far. The index must be trained.
    void add(const MatrixView<T>& X, const std::vector<std::int64_t>& ids = {}, int threads = 1) {
        const std::string context = "knn index add";
        if (!trained())
            throw invalid_argument(errc::inconsistent, context + ": the IVF index is not trained; train() it first");
        require_columns(X.cols(), dim_, context);
        require_finite(X, context, Missing::refused, threads);
        const Index n = X.rows();
        if (!ids.empty()) detail::check_new_ids(this->ids(), ids, n, context);
        RowMatrix<T> prepared(n, dim_);
        Vector<T> norms(n);
        detail::prepare_rows<T>(X, metric_, center_.data(), prepared, norms.data(), context, threads);
        const std::vector<Index> home = nearest_lists(prepared, norms, threads);
        std::vector<std::uint8_t> codes;
        if (pq_m_ > 0) codes = encode(prepared, home, threads);
        for (Index i = 0; i < n; ++i) {
            List& list = lists_[static_cast<std::size_t>(home[static_cast<std::size_t>(i)])];
            const std::int64_t id = ids.empty() ? next_id_ + i : ids[static_cast<std::size_t>(i)];
            list.ids.push_back(id);
            if (pq_m_ > 0) {
                const auto* code = codes.data() + i * pq_m_;
                list.codes.insert(list.codes.end(), code, code + pq_m_);
            } else {
                list.vectors.insert(list.vectors.end(), prepared.row(i).data(), prepared.row(i).data() + dim_);
                list.norms.push_back(norms[i]);
            }
        }
        for (const List& list : lists_)
            for (const std::int64_t id : list.ids) next_id_ = std::max(next_id_, id + 1);
    }

    /// Removes the stored vectors with these ids (unknown ids are ignored), keeping the others
    /// in their order; returns how many were removed.
    Index remove(std::vector<std::int64_t> removed) {
        std::sort(removed.begin(), removed.end());
        Index count = 0;
        for (List& list : lists_) {
            std::size_t kept = 0;
            for (std::size_t i = 0; i < list.ids.size(); ++i) {
                if (std::binary_search(removed.begin(), removed.end(), list.ids[i])) continue;
                if (kept != i) {
                    list.ids[kept] = list.ids[i];
                    if (pq_m_ > 0) std::copy_n(&list.codes[i * pq_m_], pq_m_, &list.codes[kept * pq_m_]);
                    else {
                        std::copy_n(&list.vectors[i * dim_], dim_, &list.vectors[kept * dim_]);
                        list.norms[kept] = list.norms[i];
                    }
                }
                ++kept;
            }
            count += static_cast<Index>(list.ids.size() - kept);
            list.ids.resize(kept);
            list.codes.resize(pq_m_ > 0 ? kept * pq_m_ : 0);
            list.vectors.resize(pq_m_ > 0 ? 0 : kept * dim_);
            list.norms.resize(pq_m_ > 0 ? 0 : kept);
        }
        return count;
    }

    /// The k nearest stored vectors of each row of Q among those `allowed` lets through, in
    /// the lists of the `nprobe` centroids nearest to it (all of them when nprobe ≥ nlists).
    Neighbors<T> search(const MatrixView<T>& Q, Index k, int threads = 1, const IdFilter& allowed = {},
                        Index nprobe = 1) const {
        const std::string context = "knn search";
        if (nprobe < 1)
            throw invalid_argument(errc::out_of_range, context + ": nprobe = " + std::to_string(nprobe) + "; expected at least 1");
        detail::check_search(Q, k, dim_, threads, context);
        const Index nq = Q.rows();
        Neighbors<T> result = detail::empty_neighbors<T>(nq, k, metric_);
        if (!trained() || nq == 0) return result;
        const Index probes = std::min(nprobe, nlists_);
        const Index blocks = (nq + query_block - 1) / query_block;
        const double work = static_cast<double>(nq) * static_cast<double>(size()) * static_cast<double>(dim_) *
                            static_cast<double>(probes) / static_cast<double>(nlists_);
        parallel_for(team_size(threads, blocks, work), blocks, Schedule::dynamic, [&](Index b) {
            const Index q0 = b * query_block, m = std::min(query_block, nq - q0);
            RowMatrix<T> queries(m, dim_);
            Vector<T> norms(m);
            detail::prepare_rows<T>(Q.middleRows(q0, m), metric_, center_.data(), queries, norms.data(), context, 1, q0);
            search_block(queries, norms, k, probes, allowed, result, q0);
        });
        return result;
    }

    /// Writes the index on its own, versioned and checksummed.
    void save(std::ostream& out) const {
        detail::write_index(*this, IvfIndexParams{static_cast<int>(dim_), metric_, nlists_, pq_m_, seed_}, out);
    }

    /// Reads an index written by save(); a damaged file or another kind of file throws model_error.
    static IvfIndex load(std::istream& in) {
        return detail::read_index<IvfIndex, IvfIndexParams>(
            in,
            [](const IvfIndexParams& p) {
                if (*p.dim < 1 || *p.nlists < 1 || p.pq_m > *p.dim)
                    throw model_error(errc::malformed, "the knn IVF index file's dim, nlists and pq_m do not fit together");
                return IvfIndex(*p.dim, p.metric, *p.nlists, p.pq_m, p.seed);
            },
            [](IvfIndex&, const IvfIndexParams&) {});  // fields() checks what it reads
    }

    /// What a file holds of the index, under `prefix`: the lists as one array per member, with
    /// each list's length. Reading needs the index constructed with the file's dimension,
    /// metric, lists and pq_m; it checks what it reads against them (model_error).
    template <class Self, class Fields>
    static void fields(Self& index, Fields& f, const std::string& prefix) {
        f(prefix + "center", index.center_);
        f(prefix + "centroids", index.centroids_);
        f(prefix + "codebook", index.codebook_);
        f(prefix + "next_id", index.next_id_);
        Stored stored;
        if constexpr (std::is_const_v<Self>) stored = index.stored();
        f(prefix + "list_sizes", stored.sizes);
        f(prefix + "ids", stored.ids);
        f(prefix + "vectors", stored.vectors);
        f(prefix + "codes", stored.codes);
        if constexpr (!std::is_const_v<Self>) index.unpack(stored);
    }

private:
    struct List {
        std::vector<std::int64_t> ids;
        std::vector<T> vectors;           ///< IVFFlat: rows × dim, as compared
        std::vector<T> norms;             ///< IVFFlat: their squared norms for L2 (zeros otherwise)
        std::vector<std::uint8_t> codes;  ///< IVFPQ: rows × pq_m
    };
    /// The lists as a file holds them.
    struct Stored {
        std::vector<std::uint64_t> sizes;
        std::vector<std::int64_t> ids;
        std::vector<T> vectors;
        std::vector<std::uint8_t> codes;
    };
    using Rows = Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    static constexpr Index query_block = 256;  // queries searched together: a list's vectors are read once for them

    /// After fields() has read a file: checks every shape, id and code against the index's
    /// dimension, lists and quantizer, then rebuilds the lists and what files do not hold
    /// (norms, tables).
    void unpack(const Stored& stored) {
        const auto malformed = [](const std::string& what) { return model_error(errc::malformed, "the knn IVF index " + what); };
        if (center_.size() != dim_) throw malformed("has a center of the wrong dimension");
        const bool untrained = centroids_.rows() == 0;
        if (!untrained && (centroids_.rows() != nlists_ || centroids_.cols() != dim_))
            throw malformed("holds " + std::to_string(centroids_.rows()) + " x " + std::to_string(centroids_.cols()) +
                            " centroids; expected " + std::to_string(nlists_) + " x " + std::to_string(dim_));
        const Index ksub = pq_m_ > 0 && !untrained ? codebook_.rows() / pq_m_ : 0;
        if (pq_m_ > 0 && !untrained &&
            (codebook_.rows() % pq_m_ != 0 || ksub < 1 || ksub > max_codewords || codebook_.cols() != sub_dim()))
            throw malformed("has a product quantizer of the wrong shape");
        if ((pq_m_ == 0 || untrained) && codebook_.size() != 0) throw malformed("has a product quantizer it does not use");
        if (static_cast<Index>(stored.sizes.size()) != (untrained ? 0 : nlists_)) throw malformed("has the wrong number of lists");
        std::uint64_t total = 0;
        for (const std::uint64_t s : stored.sizes) {
            if (s > stored.ids.size()) throw malformed("has a list longer than its ids");
            total += s;
        }
        if (total != stored.ids.size() || stored.vectors.size() != (pq_m_ > 0 ? 0 : total * dim_) ||
            stored.codes.size() != (pq_m_ > 0 ? total * pq_m_ : 0))
            throw malformed("holds " + std::to_string(stored.ids.size()) + " ids, " + std::to_string(stored.vectors.size()) +
                            " vector values and " + std::to_string(stored.codes.size()) + " codes, which do not match its " +
                            std::to_string(total) + " listed vectors");
        std::vector<std::int64_t> sorted = stored.ids;
        std::sort(sorted.begin(), sorted.end());
        if (!sorted.empty() && (sorted.front() < 0 || sorted.back() >= next_id_ ||
                                std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()))
            throw malformed("has negative, repeated or unnumbered ids");
        if (std::any_of(stored.codes.begin(), stored.codes.end(), [&](std::uint8_t c) { return c >= ksub; }))
            throw malformed("has a code past its " + std::to_string(ksub) + " sub-centroids");
        lists_.assign(stored.sizes.size(), List{});
        std::size_t at = 0;
        for (std::size_t l = 0; l < lists_.size(); ++l) {
            List& list = lists_[l];
            const std::size_t s = static_cast<std::size_t>(stored.sizes[l]);
            list.ids.assign(stored.ids.begin() + static_cast<std::ptrdiff_t>(at), stored.ids.begin() + static_cast<std::ptrdiff_t>(at + s));
            if (pq_m_ > 0) {
                const auto* codes = stored.codes.data() + at * static_cast<std::size_t>(pq_m_);
                list.codes.assign(codes, codes + s * static_cast<std::size_t>(pq_m_));
            } else {
                const T* v = stored.vectors.data() + at * static_cast<std::size_t>(dim_);
                list.vectors.assign(v, v + s * static_cast<std::size_t>(dim_));
                list.norms.resize(s);
                Vector<T> copy(dim_);  // the kernel that computed them at add: the same bits
                for (std::size_t i = 0; i < s; ++i)
                    list.norms[i] = metric_ == Metric::l2
                                        ? simd::shifted_copy(list.vectors.data() + i * dim_, static_cast<const T*>(nullptr), copy.data(), dim_)
                                        : T(0);
            }
            at += s;
        }
        if (untrained) return;
        set_centroid_norms();
        if (pq_m_ > 0) set_list_terms();
    }

    Index sub_dim() const noexcept { return (dim_ + pq_m_ - 1) / pq_m_; }
    Index padded_dim() const noexcept { return pq_m_ * sub_dim(); }
    Index codewords() const noexcept { return codebook_.rows() / std::max(pq_m_, 1); }
    simd::Measure measure() const noexcept {
        return metric_ == Metric::l2 ? simd::Measure::squared_l2 : simd::Measure::negated_inner_product;
    }
    /// A candidate of a search: its list and place there in one number.
    static Index slot(Index list, Index place) noexcept { return (list << 32) | place; }

    Stored stored() const {
        Stored s;
        for (const List& list : lists_) {
            s.sizes.push_back(list.ids.size());
            s.ids.insert(s.ids.end(), list.ids.begin(), list.ids.end());
            s.vectors.insert(s.vectors.end(), list.vectors.begin(), list.vectors.end());
            s.codes.insert(s.codes.end(), list.codes.begin(), list.codes.end());
        }
        return s;
    }

    /// `count` k-means centers of the rows (Lloyd's iterations from random rows, seed stream `stream`).
    RowMatrix<T> cluster(const MatrixView<T>& rows, Index count, std::uint64_t stream, int threads) const {
        const kmeans::detail::RowSource<T> source(rows);
        Rng rng = Rng::for_stream(static_cast<std::uint64_t>(seed_), stream + 1);
        RowMatrix<T> start = kmeans::detail::initial_centers(kmeans::Init::random, source, count, rng, threads);
        return kmeans::detail::lloyd_run(source, std::move(start), kmeans_iterations, 0.0, threads, {}).centers;
    }

    void set_centroid_norms() {
        centroid_norms_ = metric_ == Metric::l2 ? Vector<T>(centroids_.rowwise().squaredNorm())
                                                : Vector<T>(Vector<T>::Zero(centroids_.rows()));
    }

    /// The centroids' sub-vectors (zero-padded) against every sub-centroid: for L2, per list and
    /// sub-vector, ‖r‖² + 2<c_s, r> of each sub-centroid r.
    void set_list_terms() {
        list_terms_.clear();
        if (metric_ != Metric::l2) return;
        const Index ksub = codewords(), width = sub_dim(), row = pq_m_ * ksub;
        RowMatrix<T> padded = RowMatrix<T>::Zero(nlists_, padded_dim());
        padded.leftCols(dim_) = centroids_;
        list_terms_.resize(static_cast<std::size_t>(nlists_ * row));
        RowMatrix<T> products(nlists_, ksub);
        for (Index s = 0; s < pq_m_; ++s) {
            simd::row_products(padded.data() + s * width, padded.cols(), nlists_, codebook_.row(s * ksub).data(), width,
                               ksub, width, products.data(), ksub);
            const Vector<T> code_norms = codebook_.middleRows(s * ksub, ksub).rowwise().squaredNorm();
            for (Index l = 0; l < nlists_; ++l)
                for (Index j = 0; j < ksub; ++j)
                    list_terms_[static_cast<std::size_t>(l * row + s * ksub + j)] = code_norms[j] + T(2) * products(l, j);
        }
    }

    /// The `probes` centroids nearest to each prepared row, nearest first, with their distances
    /// as ranked (squared L2, or negated inner products).
    void nearest_centroids(const MatrixView<T>& rows, const T* norms, Index probes, RowMatrix<T>& distances,
                           Rows& lists) const {
        simd::TopK<T> top(rows.rows(), probes, measure());
        RowMatrix<T> products;
        simd::inner_products<T>(rows, centroids_, products);
        top.add(products.data(), products.cols(), nlists_, norms, centroid_norms_.data(), 0);
        top.result(distances, lists);
    }

    /// The list of each prepared row.
    std::vector<Index> nearest_lists(const MatrixView<T>& prepared, const VectorView<T>& norms, int threads) const {
        const Index n = prepared.rows(), blocks = (n + query_block - 1) / query_block;
        std::vector<Index> home(static_cast<std::size_t>(n));
        parallel_for(team_size(threads, blocks, static_cast<double>(n * nlists_ * dim_)), blocks, Schedule::even, [&](Index b) {
            const Index r0 = b * query_block, m = std::min(query_block, n - r0);
            RowMatrix<T> distances;
            Rows lists;
            nearest_centroids(prepared.middleRows(r0, m), norms.data() + r0, 1, distances, lists);
            for (Index i = 0; i < m; ++i) home[static_cast<std::size_t>(r0 + i)] = lists(i, 0);
        });
        return home;
    }

    /// Each prepared row minus its nearest centroid, zero-padded to pq_m sub-vectors.
    RowMatrix<T> padded_residuals(const MatrixView<T>& prepared, const VectorView<T>& norms, int threads) const {
        const std::vector<Index> home = nearest_lists(prepared, norms, threads);
        RowMatrix<T> residuals = RowMatrix<T>::Zero(prepared.rows(), padded_dim());
        for (Index i = 0; i < prepared.rows(); ++i)
            residuals.row(i).head(dim_) = prepared.row(i) - centroids_.row(home[static_cast<std::size_t>(i)]);
        return residuals;
    }

    /// pq_m codes per prepared row: the nearest sub-centroid of each sub-vector of its residual.
    std::vector<std::uint8_t> encode(const RowMatrix<T>& prepared, const std::vector<Index>& home, int threads) const {
        const Index n = prepared.rows(), ksub = codewords(), width = sub_dim(), blocks = (n + query_block - 1) / query_block;
        std::vector<std::uint8_t> codes(static_cast<std::size_t>(n * pq_m_));
        Vector<T> code_norms = codebook_.rowwise().squaredNorm();
        parallel_for(team_size(threads, blocks, static_cast<double>(n * ksub * padded_dim())), blocks, Schedule::even, [&](Index b) {
            const Index r0 = b * query_block, m = std::min(query_block, n - r0);
            RowMatrix<T> residuals = RowMatrix<T>::Zero(m, padded_dim()), scratch, sub(m, width);
            for (Index i = 0; i < m; ++i)
                residuals.row(i).head(dim_) = prepared.row(r0 + i) - centroids_.row(home[static_cast<std::size_t>(r0 + i)]);
            const Vector<T> zeros = Vector<T>::Zero(m);
            Vector<T> best(m);
            std::vector<std::int32_t> best_row(static_cast<std::size_t>(m));
            for (Index s = 0; s < pq_m_; ++s) {
                sub = residuals.middleCols(s * width, width);
                simd::nearest<T>(codebook_.middleRows(s * ksub, ksub), code_norms.segment(s * ksub, ksub), sub, zeros,
                                 scratch, best.data(), best_row.data());
                for (Index i = 0; i < m; ++i)
                    codes[static_cast<std::size_t>((r0 + i) * pq_m_ + s)] = static_cast<std::uint8_t>(best_row[static_cast<std::size_t>(i)]);
            }
        });
        return codes;
    }

    /// search() for one block of prepared queries, rows q0 .. q0 + queries.rows() − 1 of the result.
    void search_block(const RowMatrix<T>& queries, const Vector<T>& norms, Index k, Index probes,
                      const IdFilter& allowed, Neighbors<T>& result, Index q0) const {
        const Index m = queries.rows();
        const bool exact = pq_m_ == 0, l2 = metric_ == Metric::l2;
        const Index kept = exact && l2 ? 2 * k : k;  // L2 candidates, re-ranked by direct distances
        RowMatrix<T> probe_distances;
        Rows probe_lists;
        nearest_centroids(queries, norms.data(), probes, probe_distances, probe_lists);
        std::vector<simd::TopK<T>> tops(static_cast<std::size_t>(m), simd::TopK<T>(1, kept, measure()));
        const auto pass = [&](Index candidate) {
            return !allowed || allowed(lists_[static_cast<std::size_t>(candidate >> 32)].ids[static_cast<std::size_t>(candidate & 0xffffffff)]);
        };
        if (exact) scan_vectors(queries, norms, probe_lists, pass, tops);
        else scan_codes(queries, probe_distances, probe_lists, pass, tops);

        std::vector<std::pair<T, std::int64_t>> candidates;
        RowMatrix<T> distances;
        Rows found;
        for (Index i = 0; i < m; ++i) {
            tops[static_cast<std::size_t>(i)].result(distances, found);
            candidates.clear();
            for (Index j = 0; j < kept && found(0, j) >= 0; ++j) {
                const List& list = lists_[static_cast<std::size_t>(found(0, j) >> 32)];
                const std::size_t place = static_cast<std::size_t>(found(0, j) & 0xffffffff);
                const T distance = exact && l2 ? simd::squared_l2(queries.row(i).data(), list.vectors.data() + place * dim_, dim_)
                                               : distances(0, j);
                candidates.emplace_back(distance, list.ids[place]);
            }
            detail::write_nearest(candidates, k, metric_, result, q0 + i);
        }
    }

    /// IVFFlat: the queries of the block that probe a list meet its vectors in one GEMM.
    template <class Pass>
    void scan_vectors(const RowMatrix<T>& queries, const Vector<T>& norms, const Rows& probe_lists, Pass& pass,
                      std::vector<simd::TopK<T>>& tops) const {
        const Index m = queries.rows();
        std::vector<std::pair<Index, Index>> visits;  // (list, query), grouped by list
        for (Index i = 0; i < m; ++i)
            for (Index p = 0; p < probe_lists.cols(); ++p)
                if (probe_lists(i, p) >= 0) visits.emplace_back(probe_lists(i, p), i);
        std::sort(visits.begin(), visits.end());
        RowMatrix<T> gathered, products;
        for (std::size_t v0 = 0; v0 < visits.size();) {
            const Index l = visits[v0].first;
            std::size_t v1 = v0;
            while (v1 < visits.size() && visits[v1].first == l) ++v1;
            const List& list = lists_[static_cast<std::size_t>(l)];
            const Index count = static_cast<Index>(list.ids.size()), mq = static_cast<Index>(v1 - v0);
            if (count > 0) {
                gathered.resize(mq, dim_);
                for (Index j = 0; j < mq; ++j) gathered.row(j) = queries.row(visits[v0 + static_cast<std::size_t>(j)].second);
                products.resize(mq, count);
                simd::row_products(gathered.data(), dim_, mq, list.vectors.data(), dim_, count, dim_, products.data(), count);
                for (Index j = 0; j < mq; ++j) {
                    const Index i = visits[v0 + static_cast<std::size_t>(j)].second;
                    tops[static_cast<std::size_t>(i)].add(products.row(j).data(), count, count, norms.data() + i,
                                                          list.norms.data(), slot(l, 0), pass);
                }
            }
            v0 = v1;
        }
    }

    /// IVFPQ: per query, its sub-vectors' inner products with every sub-centroid; per probed
    /// list, those turned into a table of distance terms, summed along each vector's codes.
    template <class Pass>
    void scan_codes(const RowMatrix<T>& queries, const RowMatrix<T>& probe_distances, const Rows& probe_lists, Pass& pass,
                    std::vector<simd::TopK<T>>& tops) const {
        const Index m = queries.rows(), ksub = codewords(), width = sub_dim(), row = pq_m_ * ksub;
        const bool l2 = metric_ == Metric::l2;
        RowMatrix<T> padded = RowMatrix<T>::Zero(m, padded_dim());
        padded.leftCols(dim_) = queries;
        RowMatrix<T> products(m, row);  // <q_s, r> for every sub-centroid r of every sub-vector s
        for (Index s = 0; s < pq_m_; ++s)
            simd::row_products(padded.data() + s * width, padded.cols(), m, codebook_.row(s * ksub).data(), width, ksub,
                               width, products.data() + s * ksub, row);
        std::vector<T> table(static_cast<std::size_t>(row)), distances;
        for (Index i = 0; i < m; ++i)
            for (Index p = 0; p < probe_lists.cols(); ++p) {
                const Index l = probe_lists(i, p);
                if (l < 0) continue;
                const List& list = lists_[static_cast<std::size_t>(l)];
                const Index count = static_cast<Index>(list.ids.size());
                if (count == 0) continue;
                // L2: ‖q − c‖² + Σ_s (‖r‖² + 2<c_s, r> − 2<q_s, r>); inner products: −<q, c> − Σ_s <q_s, r>.
                const T base = probe_distances(i, p);
                Eigen::Map<Vector<T>> lookup(table.data(), row);
                if (l2) lookup = Eigen::Map<const Vector<T>>(list_terms_.data() + l * row, row) - T(2) * products.row(i).transpose();
                else lookup = -products.row(i).transpose();
                distances.resize(static_cast<std::size_t>(count));
                const std::uint8_t* code = list.codes.data();
                for (Index v = 0; v < count; ++v, code += pq_m_) {
                    T sum = base;
                    for (Index s = 0; s < pq_m_; ++s) sum += table[static_cast<std::size_t>(s * ksub + code[s])];
                    distances[static_cast<std::size_t>(v)] = l2 ? std::max(sum, T(0)) : sum;
                }
                tops[static_cast<std::size_t>(i)].offer(0, distances.data(), count, slot(l, 0), pass);
            }
    }

    Index dim_ = 0;
    Metric metric_ = Metric::l2;
    Index nlists_ = 0;
    int pq_m_ = 0;
    std::int64_t seed_ = 0;
    Vector<T> center_;           ///< the shift of L2 vectors (zeros for the other metrics)
    RowMatrix<T> centroids_;     ///< nlists × dim, as compared; empty until trained
    Vector<T> centroid_norms_;   ///< their squared norms for L2, zeros otherwise; not stored in files
    RowMatrix<T> codebook_;      ///< IVFPQ: pq_m blocks of sub-centroids, each codewords() × sub_dim()
    std::vector<T> list_terms_;  ///< IVFPQ, L2: nlists × pq_m × codewords() table terms; not stored in files
    std::vector<List> lists_;
    std::int64_t next_id_ = 0;
};

}  // namespace shelf::knn
