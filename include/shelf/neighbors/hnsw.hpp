// shelf/neighbors/hnsw.hpp: an approximate index — a hierarchical navigable small-world graph
// (Malkov & Yashunin, HNSW), searched greedily from the top level down.
//
// Each stored vector is a node on level 0 and, with probability M^−l, on levels 1 .. l too.
// Level 0 links (up to 2·M a node) sit in one flat array, a fixed stride a node; the upper levels'
// links (up to M) in a second array. A new node is linked to the M nodes chosen by the
// neighbour-selection heuristic among the ef_construction nearest found on each of its levels,
// and each of them links back (pruned again by the heuristic when full).
//
// Levels are drawn from shelf's Rng, one stream per node number, so a node's level does not
// depend on the thread count; with one thread the whole graph is a function of the seed. With
// more, nodes are inserted concurrently under per-node locks (as hnswlib does) and the graph
// depends on the interleaving, the recall does not.
//
// A search walks the graph with a candidate list of ef_search entries (an argument, never
// stored on the index, so searches with different ef can run at once); ef_search = 0 means
// max(k, 64). Removed nodes and those a filter rejects are still walked through but never
// returned, and the walk goes on until ef acceptable nodes are found or the candidates run out.
//
// INNER_PRODUCT is walked as L2 on vectors with one more coordinate, √(R² − ‖x‖²), R the largest
// norm of the first vectors added, and queries with a zero there: ‖q − x‖² = ‖q‖² + R² − 2<q, x>,
// so the L2 order is the inner products' order, and the graph gets the metric its pruning
// assumes (on the raw inner products that pruning leaves answers with no link into them). The
// candidates found are measured again by their inner products. Vectors added later with a
// larger norm get a zero coordinate and are found less surely.
//
// With storage sq8_rerank, every vector is also kept as 8-bit codes (neighbors/scalar_quantizer.hpp).
// The search walks the graph on the codes (a quarter of the float memory traffic) and re-ranks
// the ef candidates found with the vectors, which are kept: the saving is in the walk's memory
// traffic, not in the index's size; the graph is built on the vectors. With sq8 only the codes
// are kept, a quarter of the float memory: the graph is built on the decoded vectors (decoded
// for the time of an add) and the distances returned are to them.
//
// Thread safety: const members (search, save) may run concurrently; add, remove and restore
// may not run beside anything else.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <type_traits>
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
#include "shelf/core/memory.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/params.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/types.hpp"
#include "shelf/simd/kernels.hpp"

namespace shelf::knn {

/// How an HnswIndex is built.
struct HnswOptions {
    int M = 16;                 ///< links per node on the upper levels, 2·M on level 0 (2 .. 65,535)
    int ef_construction = 200;  ///< candidates searched for a new node's links (at least 1)
    std::int64_t seed = 0;      ///< seed of the node levels
    Storage storage = Storage::vectors;  ///< the vectors, their 8-bit codes, or both (see above)
};

/// What an HNSW index file says of its index beside the graph: the family tag, the dimension
/// and the metric (the build options are fields of the index).
struct HnswIndexParams {
    static constexpr const char* family = "knn-hnsw";

    std::optional<int> dim;
    Metric metric = Metric::l2;

    template <class V>
    void visit(V&& v) {
        v("dim", dim, Spec("dimension of the stored vectors").at_least(1).required());
        v("metric", metric, Spec("L2, INNER_PRODUCT or COSINE"));
    }
    void validate() const { check_ranges(*this); }
};

namespace detail {

/// A node found by a search, ordered by distance, then by node number (deterministic ties).
template <class T>
struct HnswCandidate {
    T distance;
    std::uint32_t node;
    friend bool operator<(const HnswCandidate& a, const HnswCandidate& b) noexcept {
        return a.distance < b.distance || (a.distance == b.distance && a.node < b.node);
    }
    friend bool operator>(const HnswCandidate& a, const HnswCandidate& b) noexcept { return b < a; }
};

/// What one search (or one inserting thread) works in: visit marks by epoch, so that nothing is
/// cleared between searches, and the heaps, whose capacity is kept.
template <class T>
struct HnswScratch {
    std::vector<std::uint16_t> visited;
    std::uint16_t epoch = 0;
    std::vector<HnswCandidate<T>> candidates, top, selected, pruned;
    std::vector<std::uint32_t> fresh, links;
    std::vector<std::pair<T, std::int64_t>> found;
    Vector<T> query;
    std::vector<float> codes_query;

    /// A new search over `nodes` nodes: nothing visited.
    void begin(std::size_t nodes) {
        if (visited.size() < nodes) {
            visited.assign(nodes, 0);
            epoch = 0;
        }
        if (++epoch == 0) {  // wrapped: clear once every 65,535 searches
            std::fill(visited.begin(), visited.end(), std::uint16_t{0});
            epoch = 1;
        }
    }
    /// Marks `node` visited; whether it was not before.
    bool visit(std::uint32_t node) noexcept {
        if (visited[node] == epoch) return false;
        visited[node] = epoch;
        return true;
    }
};

/// Scratch kept between the searches of a const index, under a mutex; a copy of the index
/// starts with an empty pool.
template <class S>
class ScratchPool {
public:
    ScratchPool() = default;
    ScratchPool(const ScratchPool&) noexcept {}
    ScratchPool& operator=(const ScratchPool&) noexcept { return *this; }
    ScratchPool(ScratchPool&&) noexcept {}
    ScratchPool& operator=(ScratchPool&&) noexcept { return *this; }

    /// A scratch lent for the lifetime of the lease.
    class Lease {
    public:
        Lease(const ScratchPool& pool, std::unique_ptr<S> s) : pool_(&pool), s_(std::move(s)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (s_) pool_->give_back(std::move(s_));
        }
        S& operator*() const noexcept { return *s_; }

    private:
        const ScratchPool* pool_;
        std::unique_ptr<S> s_;
    };

    Lease lend() const {
        std::unique_ptr<S> s;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            if (!free_.empty()) {
                s = std::move(free_.back());
                free_.pop_back();
            }
        }
        return Lease(*this, s ? std::move(s) : std::make_unique<S>());
    }

private:
    void give_back(std::unique_ptr<S> s) const noexcept {
        const std::lock_guard<std::mutex> lock(mutex_);
        try {
            if (free_.size() < 64) free_.push_back(std::move(s));
        } catch (...) {  // the scratch is freed instead
        }
    }

    mutable std::mutex mutex_;
    mutable std::vector<std::unique_ptr<S>> free_;
};

/// An allocator whose blocks of 2 MiB or more are aligned to 2 MiB and advised to the kernel as
/// huge-page memory (advise_huge_pages): a walk touches vectors at random.
template <class T>
struct HugePageAllocator {
    using value_type = T;
    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        constexpr std::size_t huge = huge_page_bytes;
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T) - huge) throw std::bad_alloc();
        const std::size_t bytes = std::max<std::size_t>(n * sizeof(T), 1);
        const std::size_t align = bytes >= huge ? huge : 64;
        void* p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
        if (!p) throw std::bad_alloc();
        if (align == huge) advise_huge_pages(p, (bytes + align - 1) / align * align);
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t) noexcept { std::free(p); }

    template <class U>
    friend bool operator==(const HugePageAllocator&, const HugePageAllocator<U>&) noexcept { return true; }
    template <class U>
    friend bool operator!=(const HugePageAllocator&, const HugePageAllocator<U>&) noexcept { return false; }
};

template <class T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

/// Asks for the cache lines of [p, p + bytes).
inline void prefetch(const void* p, std::size_t bytes) noexcept {
    const char* c = static_cast<const char*>(p);
    for (std::size_t at = 0; at < bytes; at += 64) __builtin_prefetch(c + at, 0, 3);
}

/// How many vectors of `bytes` a walk asks for ahead of the one it measures: about 2 KiB in
/// flight, 1 to 4 vectors (measured on Fashion-MNIST: one 3 KiB float vector, two or three
/// 784-byte code vectors).
inline std::size_t prefetch_ahead(std::size_t bytes) noexcept { return std::clamp<std::size_t>(2048 / std::max<std::size_t>(bytes, 1), 1, 4); }

}  // namespace detail

template <class T>
class HnswIndex {
public:
    using Scalar = T;

    HnswIndex() = default;
    HnswIndex(Index dim, Metric metric, HnswOptions options = {})
        : dim_(dim), width_(dim + (metric == Metric::inner_product ? 1 : 0)), metric_(metric), options_(options),
          vector_columns_(width_) {
        if (dim < 1) throw invalid_argument(errc::out_of_range, "knn hnsw index: dim = " + std::to_string(dim) + "; expected at least 1");
        check_options(options_, [](errc id, const std::string& what) { throw invalid_argument(id, what); });
    }

    Index dim() const noexcept { return dim_; }
    Metric metric() const noexcept { return metric_; }
    const HnswOptions& options() const noexcept { return options_; }
    /// Vectors stored and not removed.
    Index size() const noexcept { return nodes() - removed_; }
    /// Nodes of the graph, removed ones included (rebuild() drops them).
    Index nodes() const noexcept { return static_cast<Index>(ids_.size()); }
    /// The highest level of the graph (−1 when empty).
    int max_level() const noexcept { return max_level_; }
    /// The ids of the vectors not removed, in the order they were added.
    std::vector<std::int64_t> ids() const {
        std::vector<std::int64_t> live;
        live.reserve(static_cast<std::size_t>(size()));
        for (std::size_t i = 0; i < ids_.size(); ++i)
            if (!removed_flag_[i]) live.push_back(ids_[i]);
        return live;
    }

    /// Adds the rows of X under `ids` (distinct, non-negative, none stored yet), or when `ids`
    /// is empty under the ids that follow the largest so far, inserting on `threads` threads.
    /// COSINE refuses a zero vector. On an exception the index is unchanged.
    void add(const MatrixView<T>& X, const std::vector<std::int64_t>& ids = {}, int threads = 1) {
        const std::string context = "knn hnsw add";
        require_columns(X.cols(), dim_, context);
        require_finite(X, context, Missing::refused, threads);
        const Index n = X.rows(), first = nodes();
        if (!ids.empty()) detail::check_new_ids(this->ids(), ids, n, context);  // a removed id may be given again
        if (n == 0) return;
        if (first + n >= Index{std::numeric_limits<std::uint32_t>::max()})
            throw invalid_argument(errc::out_of_range, context + ": " + std::to_string(first + n) +
                                                           " vectors; an HNSW index holds fewer than 2^32");
        RowMatrix<T> rows(n, width_);
        std::vector<T> norms(static_cast<std::size_t>(n));
        detail::prepare_rows(X, metric_, static_cast<const T*>(nullptr), rows.leftCols(dim_), norms.data(), context,
                             threads);
        if (metric_ == Metric::inner_product) {  // the L2 coordinate (see the head of the file)
            for (Index i = 0; i < n; ++i) norms[static_cast<std::size_t>(i)] = rows.row(i).head(dim_).squaredNorm();
            if (radius2_ < 0) radius2_ = *std::max_element(norms.begin(), norms.end());
            for (Index i = 0; i < n; ++i) rows(i, dim_) = std::sqrt(std::max(T(0), radius2_ - norms[static_cast<std::size_t>(i)]));
        }
        const Index total = first + n;
        if (walks_codes()) {
            if (!quantizer_.trained()) quantizer_.train(rows);
            codes_.resize(static_cast<std::size_t>(total * width_));
            for (Index i = 0; i < n; ++i) quantizer_.encode(rows.row(i).data(), code_of(first + i), width_);
        }
        if (keeps_vectors()) {
            vectors_.insert(vectors_.end(), rows.data(), rows.data() + rows.size());
        } else {  // the graph is built on the decoded vectors, kept for the time of the insertion
            vectors_.resize(static_cast<std::size_t>(total * width_));
            for (Index i = 0; i < total; ++i) quantizer_.decode(code_of(i), vectors_.data() + i * width_, width_);
        }
        for (Index i = 0; i < n; ++i) {
            ids_.push_back(ids.empty() ? next_id_ + i : ids[static_cast<std::size_t>(i)]);
            removed_flag_.push_back(0);
        }
        for (Index i = first; i < total; ++i) next_id_ = std::max(next_id_, ids_[static_cast<std::size_t>(i)] + 1);
        // Levels drawn serially, one stream per node number: the same levels whatever the threads.
        const double scale = 1.0 / std::log(static_cast<double>(options_.M));
        for (Index i = first; i < total; ++i) {
            Rng rng = Rng::for_stream(static_cast<std::uint64_t>(options_.seed), static_cast<std::uint64_t>(i));
            const double level = -std::log(1.0 - rng.uniform()) * scale;
            levels_.push_back(static_cast<std::uint8_t>(std::min(level, double(max_levels - 1))));
            upper_offsets_.push_back(upper_offsets_.back() + std::size_t{levels_.back()} * upper_stride());
        }
        upper_links_.resize(upper_offsets_.back(), 0);
        links0_.resize(static_cast<std::size_t>(total) * level0_stride(), 0);
        insert_nodes(first, total, threads);
        if (!keeps_vectors()) detail::HugePageVector<T>().swap(vectors_);
    }

    /// Marks the vectors with these ids removed (unknown or already removed ids are ignored):
    /// searches still walk through them but never return them; rebuild() drops them. Returns
    /// how many were removed.
    Index remove(std::vector<std::int64_t> removed) {
        std::sort(removed.begin(), removed.end());
        Index count = 0;
        for (std::size_t i = 0; i < ids_.size(); ++i)
            if (!removed_flag_[i] && std::binary_search(removed.begin(), removed.end(), ids_[i])) {
                removed_flag_[i] = 1;
                ++count;
            }
        removed_ += count;
        return count;
    }

    /// A new index of the vectors not removed, with their ids and the same options, built on
    /// `threads` threads.
    HnswIndex rebuild(int threads = 1) const {
        HnswIndex fresh(dim_, metric_, options_);
        fresh.quantizer_ = quantizer_;  // the same codes and inner products' coordinate
        fresh.radius2_ = radius2_;
        RowMatrix<T> live(size(), dim_);
        Vector<T> decoded(width_);
        std::vector<std::int64_t> live_ids;
        for (Index i = 0; i < nodes(); ++i)
            if (!removed_flag_[static_cast<std::size_t>(i)]) {
                T* row = live.row(static_cast<Index>(live_ids.size())).data();
                const T* stored = vector(static_cast<std::uint32_t>(i));
                if (!keeps_vectors()) {
                    quantizer_.decode(code(static_cast<std::uint32_t>(i)), decoded.data(), width_);
                    stored = decoded.data();
                }
                std::copy(stored, stored + dim_, row);
                live_ids.push_back(ids_[static_cast<std::size_t>(i)]);
            }
        fresh.add(live, live_ids, threads);
        fresh.next_id_ = std::max(fresh.next_id_, next_id_);
        return fresh;
    }

    /// The k nearest stored vectors of each row of Q among those `allowed` lets through and not
    /// removed, from a walk with `ef_search` candidates (0: max(k, 64); below k: k).
    Neighbors<T> search(const MatrixView<T>& Q, Index k, int threads = 1, const IdFilter& allowed = {},
                        int ef_search = 0) const {
        const std::string context = "knn hnsw search";
        if (ef_search < 0)
            throw invalid_argument(errc::out_of_range, context + ": ef_search = " + std::to_string(ef_search) +
                                                           "; expected 0 (automatic) or more");
        detail::check_search(Q, k, dim_, threads, context);
        const Index nq = Q.rows();
        Neighbors<T> result = detail::empty_neighbors<T>(nq, k, metric_);
        const Index ef = std::max<Index>(k, ef_search == 0 ? 64 : ef_search);
        const int team = std::max(1, static_cast<int>(std::min<Index>(threads, nq)));
        parallel_for(
            team, nq, Schedule::dynamic, [&](int) { return pool_.lend(); },
            [&](Index q, typename detail::ScratchPool<detail::HnswScratch<T>>::Lease& lease) {
                search_one(Q.row(q).data(), q, k, ef, allowed, *lease, result, context);
            });
        return result;
    }

    /// Writes the index on its own (graph, vectors, ids, options), versioned and checksummed.
    void save(std::ostream& out) const {
        HnswIndexParams p;
        p.dim = static_cast<int>(dim_);
        p.metric = metric_;
        detail::write_index(*this, p, out);
    }

    /// Reads an index written by save(); a damaged file, another family's file or the other
    /// scalar type throws model_error.
    static HnswIndex load(std::istream& in) {
        return detail::read_index<HnswIndex, HnswIndexParams>(
            in, [](const HnswIndexParams&) { return HnswIndex(); },
            [](HnswIndex& index, const HnswIndexParams& p) { index.restore(*p.dim, p.metric); });
    }

    /// What a model file holds of the index (core/model_fields.hpp), under `prefix`. The codes
    /// are stored only when they are all the index keeps; else restore() encodes the vectors again.
    template <class Self, class Fields>
    static void fields(Self& index, Fields& f, const std::string& prefix) {
        f(prefix + "M", index.options_.M);
        f(prefix + "ef_construction", index.options_.ef_construction);
        f(prefix + "seed", index.options_.seed);
        auto storage = static_cast<std::uint8_t>(index.options_.storage);
        f(prefix + "storage", storage);
        if constexpr (!std::is_const_v<Self>) index.options_.storage = static_cast<Storage>(storage);  // restore() checks it
        // The vectors live in huge pages (detail::HugePageAllocator); the files hold a matrix.
        using Stored = Eigen::Map<std::conditional_t<std::is_const_v<Self>, const RowMatrix<T>, RowMatrix<T>>>;
        const Index rows = static_cast<Index>(index.ids_.size()), cols = index.width_;
        RowMatrix<T> matrix = Stored(index.vectors_.data(), index.vectors_.size() == std::size_t(rows * cols) ? rows : 0, cols);
        f(prefix + "vectors", matrix);
        if constexpr (!std::is_const_v<Self>) {
            index.vectors_.assign(matrix.data(), matrix.data() + matrix.size());
            index.vector_columns_ = matrix.cols();
        }
        f(prefix + "ids", index.ids_);
        f(prefix + "removed", index.removed_flag_);
        f(prefix + "levels", index.levels_);
        f(prefix + "links0", index.links0_);
        f(prefix + "upper_links", index.upper_links_);
        f(prefix + "entry", index.entry_);
        f(prefix + "max_level", index.max_level_);
        f(prefix + "next_id", index.next_id_);
        f(prefix + "radius2", index.radius2_);
        f(prefix + "code_low", index.quantizer_.low);
        f(prefix + "code_scale", index.quantizer_.scale);
        std::vector<std::uint8_t> codes;
        if (!index.keeps_vectors()) codes.assign(index.codes_.begin(), index.codes_.end());
        f(prefix + "codes", codes);
        if constexpr (!std::is_const_v<Self>) index.codes_.assign(codes.begin(), codes.end());
    }

    /// After loading: checks everything read against `dim` and `metric` (shapes, link targets,
    /// levels, ids, the quantizer), throwing model_error(malformed) on any disagreement, and
    /// rebuilds what is not stored (the upper levels' offsets, the codes).
    void restore(Index dim, Metric metric) {
        dim_ = dim;
        width_ = dim + (metric == Metric::inner_product ? 1 : 0);
        metric_ = metric;
        const auto bad = [](const std::string& what) { throw model_error(errc::malformed, "the knn hnsw index " + what); };
        check_options(options_, [&](errc, const std::string& what) { bad("has invalid options: " + what); });
        const auto n = static_cast<std::uint64_t>(ids_.size());
        const std::uint64_t entries = n * static_cast<std::uint64_t>(width_);
        if (metric_ == Metric::inner_product ? !(std::isfinite(radius2_) && (radius2_ >= 0 || n == 0)) : radius2_ != -1)
            bad("has the inner products' radius " + std::to_string(radius2_));
        if (dim_ < 1 || vector_columns_ != width_ || vectors_.size() != (keeps_vectors() ? entries : 0) ||
            codes_.size() != (keeps_vectors() ? 0 : entries))
            bad("holds " + std::to_string(vectors_.size()) + " vector entries in " + std::to_string(vector_columns_) +
                " columns and " + std::to_string(codes_.size()) + " codes; expected " +
                (keeps_vectors() ? "vectors" : "codes") + " of " + std::to_string(width_) + " columns, a row per id");
        if (n >= std::numeric_limits<std::uint32_t>::max() || removed_flag_.size() != n ||
            levels_.size() != n)
            bad("holds " + std::to_string(n) + " vectors, " + std::to_string(ids_.size()) + " ids, " +
                std::to_string(removed_flag_.size()) + " removal flags and " + std::to_string(levels_.size()) +
                " levels; expected one of each per vector");
        if (!std::all_of(vectors_.begin(), vectors_.end(), [](T v) { return std::isfinite(v); }))
            bad("holds a vector that is not finite");
        // Levels and the upper links' offsets.
        upper_offsets_.assign(1, 0);
        int top = -1;
        for (std::uint64_t i = 0; i < n; ++i) {
            if (levels_[i] >= max_levels) bad("gives node " + std::to_string(i) + " level " + std::to_string(levels_[i]));
            top = std::max(top, int{levels_[i]});
            upper_offsets_.push_back(upper_offsets_.back() + std::size_t{levels_[i]} * upper_stride());
        }
        if (links0_.size() != n * level0_stride() || upper_links_.size() != upper_offsets_.back())
            bad("has " + std::to_string(links0_.size()) + " level-0 and " + std::to_string(upper_links_.size()) +
                " upper link slots; expected " + std::to_string(n * level0_stride()) + " and " +
                std::to_string(upper_offsets_.back()));
        if (n == 0 ? (entry_ != -1 || max_level_ != -1)
                   : (entry_ < 0 || static_cast<std::uint64_t>(entry_) >= n || max_level_ != top ||
                      levels_[static_cast<std::size_t>(entry_)] != top))
            bad("has entry point " + std::to_string(entry_) + " at level " + std::to_string(max_level_) +
                "; expected a node of the top level " + std::to_string(top) + " among " + std::to_string(n));
        // Every link: a count within the level's capacity, targets that exist on that level.
        for (std::uint64_t i = 0; i < n; ++i)
            for (int level = 0; level <= levels_[i]; ++level) {
                const std::uint32_t* l = links(static_cast<std::uint32_t>(i), level);
                const std::uint32_t capacity = level == 0 ? level0_capacity() : upper_capacity();
                if (l[0] > capacity)
                    bad("gives node " + std::to_string(i) + " " + std::to_string(l[0]) + " links on level " +
                        std::to_string(level) + "; at most " + std::to_string(capacity));
                for (std::uint32_t j = 1; j <= l[0]; ++j)
                    if (l[j] >= n || levels_[l[j]] < level)
                        bad("links node " + std::to_string(i) + " on level " + std::to_string(level) + " to node " +
                            std::to_string(l[j]) + ", which is not on that level");
            }
        // Ids: the live ones distinct and non-negative, next_id past all of them.
        std::vector<std::int64_t> live;
        removed_ = 0;
        for (std::uint64_t i = 0; i < n; ++i) {
            if (removed_flag_[i] > 1) bad("has a removal flag of " + std::to_string(removed_flag_[i]));
            if (removed_flag_[i]) ++removed_;
            else live.push_back(ids_[i]);
            if (ids_[i] < 0 || ids_[i] >= next_id_)
                bad("holds id " + std::to_string(ids_[i]) + " with next id " + std::to_string(next_id_));
        }
        std::sort(live.begin(), live.end());
        if (std::adjacent_find(live.begin(), live.end()) != live.end()) bad("holds an id twice");
        // The quantizer: trained with the first vectors, or not at all.
        if (!walks_codes()) {
            if (quantizer_.trained()) bad("holds a quantizer it does not use");
            return;
        }
        if ((n > 0 || quantizer_.trained()) && !quantizer_.valid(width_))
            bad("holds a quantizer of " + std::to_string(quantizer_.low.size()) + " dimensions; expected " +
                std::to_string(width_) + " finite ones with non-negative scales");
        if (!keeps_vectors()) return;
        codes_.resize(static_cast<std::size_t>(entries));
        for (Index i = 0; i < static_cast<Index>(n); ++i)
            quantizer_.encode(vector(static_cast<std::uint32_t>(i)), code_of(i), width_);
    }

private:
    static constexpr int max_levels = 64;

    template <class Fail>
    static void check_options(const HnswOptions& o, Fail&& fail) {
        if (o.M < 2 || o.M > 65535)
            fail(errc::out_of_range, "knn hnsw index: M = " + std::to_string(o.M) + "; expected 2 to 65535");
        if (o.ef_construction < 1)
            fail(errc::out_of_range,
                 "knn hnsw index: ef_construction = " + std::to_string(o.ef_construction) + "; expected at least 1");
        if (static_cast<unsigned>(o.storage) > static_cast<unsigned>(Storage::sq8_rerank))
            fail(errc::out_of_range, "knn hnsw index: storage " + std::to_string(static_cast<int>(o.storage)) +
                                         " is none of float, sq8 and sq8_rerank");
    }

    /// Whether searches walk the codes, and whether the vectors are kept (see the head of the file).
    bool walks_codes() const noexcept { return options_.storage != Storage::vectors; }
    bool keeps_vectors() const noexcept { return options_.storage != Storage::sq8; }

    std::uint32_t upper_capacity() const noexcept { return static_cast<std::uint32_t>(options_.M); }
    std::uint32_t level0_capacity() const noexcept { return 2 * static_cast<std::uint32_t>(options_.M); }
    std::size_t upper_stride() const noexcept { return std::size_t{upper_capacity()} + 1; }
    std::size_t level0_stride() const noexcept { return std::size_t{level0_capacity()} + 1; }

    /// The links of `node` on `level`: a count, then the capacity's slots.
    std::uint32_t* links(std::uint32_t node, int level) noexcept {
        if (level == 0) return links0_.data() + std::size_t{node} * level0_stride();
        return upper_links_.data() + upper_offsets_[node] + static_cast<std::size_t>(level - 1) * upper_stride();
    }
    const std::uint32_t* links(std::uint32_t node, int level) const noexcept {
        return const_cast<HnswIndex*>(this)->links(node, level);
    }

    const T* vector(std::uint32_t node) const noexcept { return vectors_.data() + std::size_t{node} * static_cast<std::size_t>(width_); }
    const std::uint8_t* code(std::uint32_t node) const noexcept {
        return codes_.data() + std::size_t{node} * static_cast<std::size_t>(width_);
    }
    std::uint8_t* code_of(Index node) noexcept { return codes_.data() + static_cast<std::size_t>(node * width_); }

    /// Whether the walk measures L2 (also for INNER_PRODUCT, see the head of the file) or, for
    /// COSINE, the negated inner product of the normalised vectors.
    bool walks_l2() const noexcept { return metric_ != Metric::cosine; }

    /// The distance the walk ranks by: squared L2, or the negated inner product.
    T exact(const T* a, const T* b) const noexcept {
        return walks_l2() ? simd::squared_l2(a, b, width_) : -simd::inner_product(a, b, width_);
    }

    /// Distances from a query to nodes, on the exact vectors.
    struct ExactDistance {
        const HnswIndex* index;
        const T* query;
        T operator()(std::uint32_t node) const noexcept { return index->exact(query, index->vector(node)); }
        void prefetch(std::uint32_t node) const noexcept {
            detail::prefetch(index->vector(node), sizeof(T) * static_cast<std::size_t>(index->width_));
        }
        std::size_t ahead() const noexcept { return detail::prefetch_ahead(sizeof(T) * static_cast<std::size_t>(index->width_)); }
    };

    /// Distances from a query to nodes, on the codes: `query` is the query less the quantizer's
    /// low ends (L2) or times its scales (inner products).
    struct CodeDistance {
        const HnswIndex* index;
        const float* query;
        T operator()(std::uint32_t node) const noexcept {
            if (index->walks_l2())
                return static_cast<T>(simd::squared_l2_codes(query, index->quantizer_.scale.data(), index->code(node), index->width_));
            return -static_cast<T>(simd::inner_product_codes(query, index->code(node), index->width_));
        }
        void prefetch(std::uint32_t node) const noexcept {
            detail::prefetch(index->code(node), static_cast<std::size_t>(index->width_));
        }
        std::size_t ahead() const noexcept { return detail::prefetch_ahead(static_cast<std::size_t>(index->width_)); }
    };

    /// Copies the links of `node` on `level` into `out`, under the node's lock when building
    /// on several threads.
    void read_links(std::uint32_t node, int level, std::vector<std::uint32_t>& out, std::mutex* locks) const {
        std::unique_lock<std::mutex> lock;
        if (locks) lock = std::unique_lock<std::mutex>(locks[node]);
        const std::uint32_t* l = links(node, level);
        out.assign(l + 1, l + 1 + l[0]);
    }

    /// Greedy descent from `at` on levels top .. last + 1: the nearest node found on each level
    /// starts the next.
    template <class Dist>
    detail::HnswCandidate<T> descend(detail::HnswCandidate<T> at, int top, int last, const Dist& dist,
                                     detail::HnswScratch<T>& s, std::mutex* locks) const {
        for (int level = top; level > last; --level)
            for (bool moved = true; moved;) {
                moved = false;
                read_links(at.node, level, s.links, locks);
                const std::size_t ahead = dist.ahead(), count = s.links.size();
                for (std::size_t j = 0; j < std::min(ahead, count); ++j) dist.prefetch(s.links[j]);
                for (std::size_t j = 0; j < count; ++j) {
                    if (j + ahead < count) dist.prefetch(s.links[j + ahead]);
                    const T d = dist(s.links[j]);
                    if (d < at.distance) at = {d, s.links[j]}, moved = true;
                }
            }
        return at;
    }

    /// The best-first walk of one level from `entry`, keeping the ef nearest nodes `accept`
    /// lets through in s.top (a max-heap). `rejecting`: whether accept may say no, in which case
    /// the walk goes on until ef are found or the candidates run out.
    template <class Dist, class Accept>
    void walk(detail::HnswCandidate<T> entry, int level, Index ef, const Dist& dist, const Accept& accept,
              bool rejecting, detail::HnswScratch<T>& s, std::mutex* locks) const {
        using C = detail::HnswCandidate<T>;
        auto& top = s.top;
        auto& candidates = s.candidates;
        top.clear();
        candidates.clear();
        s.begin(ids_.size());
        s.visit(entry.node);
        T bound = std::numeric_limits<T>::infinity();
        if (accept(entry.node)) {
            top.push_back(entry);
            bound = entry.distance;
        }
        candidates.push_back(entry);
        const auto top_size = [&] { return static_cast<Index>(top.size()); };
        while (!candidates.empty()) {
            const C current = candidates.front();
            if (current.distance > bound && (top_size() >= ef || !rejecting)) break;
            std::pop_heap(candidates.begin(), candidates.end(), std::greater<>{});
            candidates.pop_back();
            // The neighbours not seen yet, then their distances, each vector fetched ahead.
            s.fresh.clear();
            {
                std::unique_lock<std::mutex> lock;
                if (locks) lock = std::unique_lock<std::mutex>(locks[current.node]);
                const std::uint32_t* l = links(current.node, level);
                const std::uint32_t count = l[0];
                for (std::uint32_t j = 1; j <= count; ++j)
                    if (s.visit(l[j])) s.fresh.push_back(l[j]);
            }
            const std::size_t ahead = dist.ahead();
            for (std::size_t j = 0; j < std::min<std::size_t>(ahead, s.fresh.size()); ++j) dist.prefetch(s.fresh[j]);
            for (std::size_t j = 0; j < s.fresh.size(); ++j) {
                if (j + ahead < s.fresh.size()) dist.prefetch(s.fresh[j + ahead]);
                const std::uint32_t next = s.fresh[j];
                const T d = dist(next);
                if (top_size() < ef || d < bound) {
                    candidates.push_back({d, next});
                    std::push_heap(candidates.begin(), candidates.end(), std::greater<>{});
                    __builtin_prefetch(links(next, level));  // read when it is expanded
                    if (accept(next)) {
                        top.push_back({d, next});
                        std::push_heap(top.begin(), top.end());
                        if (top_size() > ef) {
                            std::pop_heap(top.begin(), top.end());
                            top.pop_back();
                        }
                    }
                    if (!top.empty()) bound = top.front().distance;
                }
            }
        }
    }

    /// The heuristic of HNSW's paper (hnswlib's getNeighborsByHeuristic2): from `candidates`
    /// sorted nearest first, a candidate is kept unless it is nearer to one already kept than to
    /// the base; at most `m` are kept. Fewer than m candidates are all kept.
    void select(const std::vector<detail::HnswCandidate<T>>& candidates, std::size_t m,
                std::vector<detail::HnswCandidate<T>>& out) const {
        out.clear();
        if (candidates.size() <= m) {
            out = candidates;
            return;
        }
        for (const auto& c : candidates) {
            if (out.size() >= m) break;
            bool keep = true;
            for (const auto& kept : out)
                if (exact(vector(c.node), vector(kept.node)) < c.distance) {
                    keep = false;
                    break;
                }
            if (keep) out.push_back(c);
        }
    }

    /// Links `node` on `level` to its selection from s.top and each of those back to it.
    /// Returns the nearest one selected (the next level's entry).
    detail::HnswCandidate<T> connect(std::uint32_t node, int level, detail::HnswScratch<T>& s, std::mutex* locks) {
        std::sort_heap(s.top.begin(), s.top.end());  // nearest first
        select(s.top, upper_capacity(), s.selected);
        {
            std::unique_lock<std::mutex> lock;
            if (locks) lock = std::unique_lock<std::mutex>(locks[node]);
            std::uint32_t* l = links(node, level);
            l[0] = static_cast<std::uint32_t>(s.selected.size());
            for (std::size_t j = 0; j < s.selected.size(); ++j) l[j + 1] = s.selected[j].node;
        }
        const std::uint32_t capacity = level == 0 ? level0_capacity() : upper_capacity();
        for (const auto& other : s.selected) {
            std::unique_lock<std::mutex> lock;
            if (locks) lock = std::unique_lock<std::mutex>(locks[other.node]);
            std::uint32_t* l = links(other.node, level);
            if (std::find(l + 1, l + 1 + l[0], node) != l + 1 + l[0]) continue;
            if (l[0] < capacity) {
                l[++l[0]] = node;
                continue;
            }
            // Full: the heuristic chooses among its links and the new node.
            s.pruned.clear();
            const T* base = vector(other.node);
            s.pruned.push_back({other.distance, node});
            for (std::uint32_t j = 1; j <= l[0]; ++j) s.pruned.push_back({exact(base, vector(l[j])), l[j]});
            std::sort(s.pruned.begin(), s.pruned.end());
            auto& kept = s.candidates;  // free here: the walk of this level is over
            select(s.pruned, capacity, kept);
            l[0] = static_cast<std::uint32_t>(kept.size());
            for (std::size_t j = 0; j < kept.size(); ++j) l[j + 1] = kept[j].node;
        }
        return s.selected.front();
    }

    /// Inserts nodes first .. total − 1 on `threads` threads.
    void insert_nodes(Index first, Index total, int threads) {
        const Index n = total - first;
        const int team = std::max(1, std::min<int>(threads, static_cast<int>(std::min<Index>(n, 1 << 20))));
        if (team == 1) {
            detail::HnswScratch<T> scratch;
            for (Index i = first; i < total; ++i) insert(static_cast<std::uint32_t>(i), scratch, nullptr);
            return;
        }
        const std::unique_ptr<std::mutex[]> locks(new std::mutex[static_cast<std::size_t>(total) + 1]);
        parallel_for(
            team, n, Schedule::dynamic, [](int) { return std::make_unique<detail::HnswScratch<T>>(); },
            [&](Index i, std::unique_ptr<detail::HnswScratch<T>>& scratch) {
                insert(static_cast<std::uint32_t>(first + i), *scratch, locks.get());
            });
    }

    /// Inserts node `node` (its vector, level and link slots already in place).
    void insert(std::uint32_t node, detail::HnswScratch<T>& s, std::mutex* locks) {
        const int level = levels_[node];
        std::unique_lock<std::mutex> global;
        if (locks) global = std::unique_lock<std::mutex>(locks[ids_.size()]);  // the last lock guards the entry point
        const int top = max_level_;
        const std::int64_t entry = entry_;
        if (locks && level <= top) global.unlock();  // kept while this node may become the entry point
        if (entry < 0) {
            entry_ = node;
            max_level_ = level;
            return;
        }
        const ExactDistance dist{this, vector(node)};
        const bool rejecting = removed_ > 0;
        const auto accept = [&](std::uint32_t other) { return !removed_flag_[other]; };
        auto at = descend({dist(static_cast<std::uint32_t>(entry)), static_cast<std::uint32_t>(entry)}, top, level,
                          dist, s, locks);
        for (int l = std::min(level, top); l >= 0; --l) {
            walk(at, l, options_.ef_construction, dist, accept, rejecting, s, locks);
            if (s.top.empty()) s.top.push_back(at);  // every node met was removed: link to the entry anyway
            at = connect(node, l, s, locks);
        }
        if (level > top) {
            entry_ = node;
            max_level_ = level;
        }
    }

    /// One query: the walk on the codes or the vectors, then the ef found measured again where
    /// the walk's distances are not the answer's, and sorted by distance and id into row q of
    /// `result`.
    void search_one(const T* q, Index row, Index k, Index ef, const IdFilter& allowed, detail::HnswScratch<T>& s,
                    Neighbors<T>& result, const std::string& context) const {
        if (entry_ < 0) return;
        s.query.setZero(width_);  // INNER_PRODUCT: the query's extra coordinate is zero
        T norm = 0;
        detail::prepare_rows(MatrixView<T>(Eigen::Map<const RowMatrix<T>>(q, 1, dim_)), metric_,
                             static_cast<const T*>(nullptr), Eigen::Map<RowMatrix<T>>(s.query.data(), 1, dim_), &norm,
                             context, 1, row);
        const T* query = s.query.data();
        const bool rejecting = removed_ > 0 || static_cast<bool>(allowed);
        const auto accept = [&](std::uint32_t node) {
            return !removed_flag_[node] && (!allowed || allowed(ids_[node]));
        };
        const auto entry = static_cast<std::uint32_t>(entry_);
        if (walks_codes()) {
            s.codes_query.resize(static_cast<std::size_t>(width_));
            quantizer_.prepare_query(query, walks_l2() ? Metric::l2 : metric_, s.codes_query.data(), width_);
            const CodeDistance dist{this, s.codes_query.data()};
            walk(descend({dist(entry), entry}, max_level_, 0, dist, s, nullptr), 0, ef, dist, accept, rejecting, s,
                 nullptr);
        } else {
            const ExactDistance dist{this, query};
            walk(descend({dist(entry), entry}, max_level_, 0, dist, s, nullptr), 0, ef, dist, accept, rejecting, s,
                 nullptr);
        }
        s.found.clear();
        const bool products = metric_ == Metric::inner_product;
        if (keeps_vectors() && (products || walks_codes())) {  // measured again on the vectors, fetched ahead
            const ExactDistance dist{this, query};
            const std::size_t ahead = dist.ahead(), count = s.top.size();
            for (std::size_t j = 0; j < std::min(ahead, count); ++j) dist.prefetch(s.top[j].node);
            for (std::size_t j = 0; j < count; ++j) {
                if (j + ahead < count) dist.prefetch(s.top[j + ahead].node);
                const T* x = vector(s.top[j].node);
                s.found.emplace_back(products ? -simd::inner_product(query, x, dim_) : dist(s.top[j].node),
                                     ids_[s.top[j].node]);
            }
        } else if (products) {  // codes only: the codes' inner products, less the extra coordinate
            quantizer_.prepare_query(query, Metric::inner_product, s.codes_query.data(), dim_);
            const T offset = quantizer_.inner_product_offset(query, dim_);
            for (const auto& c : s.top)
                s.found.emplace_back(-(static_cast<T>(simd::inner_product_codes(s.codes_query.data(), code(c.node), dim_)) + offset),
                                     ids_[c.node]);
        } else {  // the walk's distances; COSINE's on codes lack the quantizer's constant <query, low>
            const T offset = walks_codes() && !walks_l2() ? quantizer_.inner_product_offset(query, dim_) : T(0);
            for (const auto& c : s.top) s.found.emplace_back(c.distance - offset, ids_[c.node]);
        }
        detail::write_nearest(s.found, k, metric_, result, row);  // similarities for IP and cosine
    }

    Index dim_ = 0;
    Index width_ = 0;  ///< columns stored: dim_, one more for INNER_PRODUCT
    Metric metric_ = Metric::l2;
    HnswOptions options_;
    detail::HugePageVector<T> vectors_;       ///< by node, width_ values as compared: normalised for COSINE (sq8: only while adding)
    Index vector_columns_ = 0;                ///< the vectors' columns as read (restore checks them)
    std::vector<std::int64_t> ids_;           ///< by node
    std::vector<std::uint8_t> removed_flag_;  ///< by node: 1 when removed
    std::vector<std::uint8_t> levels_;        ///< by node: its top level
    std::vector<std::uint32_t> links0_;       ///< level 0: level0_stride() slots a node (count, links)
    std::vector<std::uint32_t> upper_links_;  ///< levels 1 .. level of each node, upper_stride() slots a level
    std::vector<std::size_t> upper_offsets_{0};  ///< where each node's upper links start, then the end (not stored)
    std::int64_t entry_ = -1;                 ///< the entry node (on the top level); −1 when empty
    int max_level_ = -1;
    std::int64_t next_id_ = 0;
    Index removed_ = 0;                       ///< nodes removed (not stored: counted again at restore)
    ScalarQuantizer quantizer_;               ///< of the codes; empty until trained
    detail::HugePageVector<std::uint8_t> codes_;  ///< by node, width_ codes a node (stored only with sq8)
    T radius2_ = -1;                          ///< INNER_PRODUCT: R² (see the head of the file); −1 until set
    detail::ScratchPool<detail::HnswScratch<T>> pool_;
};

}  // namespace shelf::knn
