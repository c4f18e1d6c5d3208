// shelf/neighbors/any_index.hpp: one of the index types behind one interface — what a k-NN
// model holds, chosen by its index_type.
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "flat.hpp"
#include "hnsw.hpp"
#include "ivf.hpp"
#include "params.hpp"
#include "vectors.hpp"

namespace shelf::knn {

/// How much of an approximate index a search reads; the exact index ignores it.
struct SearchOptions {
    Index nprobe = 1;   ///< IVF: lists searched per query
    int ef_search = 0;  ///< HNSW: candidates of the walk (0: the index's default)
};

/// The HNSW build options a model's hyperparameters give.
inline HnswOptions hnsw_options(const Params& p) { return {p.M, p.ef_construction, p.seed, p.vector_storage}; }

template <class T>
class AnyIndex {
public:
    AnyIndex() = default;
    explicit AnyIndex(FlatIndex<T> index) : index_(std::move(index)) {}
    explicit AnyIndex(IvfIndex<T> index) : index_(std::move(index)) {}
    explicit AnyIndex(HnswIndex<T> index) : index_(std::move(index)) {}

    Index dim() const {
        return std::visit([](const auto& i) { return i.dim(); }, index_);
    }
    Index size() const {
        return std::visit([](const auto& i) { return i.size(); }, index_);
    }
    std::vector<std::int64_t> ids() const {
        return std::visit([](const auto& i) { return std::vector<std::int64_t>(i.ids()); }, index_);
    }
    /// The index itself: std::get<FlatIndex<T>>(...) and so on.
    const std::variant<FlatIndex<T>, IvfIndex<T>, HnswIndex<T>>& get() const noexcept { return index_; }

    void add(const MatrixView<T>& X, int threads) {
        std::visit([&](auto& i) { i.add(X, {}, threads); }, index_);
    }

    Neighbors<T> search(const MatrixView<T>& Q, Index k, int threads, const SearchOptions& options = {},
                        const IdFilter& allowed = {}) const {
        return std::visit(
            [&](const auto& i) {
                using Type = std::decay_t<decltype(i)>;
                if constexpr (std::is_same_v<Type, IvfIndex<T>>)
                    return i.search(Q, k, threads, allowed, options.nprobe);
                else if constexpr (std::is_same_v<Type, HnswIndex<T>>)
                    return i.search(Q, k, threads, allowed, options.ef_search);
                else
                    return i.search(Q, k, threads, allowed);
            },
            index_);
    }

    /// What a model file holds of the index, under `prefix`. Reading needs the index already
    /// constructed as the file's hyperparameters say; the flat and HNSW indexes are then restore()d.
    template <class Self, class Fields>
    static void fields(Self& any, Fields& f, const std::string& prefix) {
        std::visit([&](auto& i) { std::decay_t<decltype(i)>::fields(i, f, prefix); }, any.index_);
    }

    /// After fields() has read a file: the checks and rebuilds that reading leaves to the index.
    void restore() {
        if (auto* flat = std::get_if<FlatIndex<T>>(&index_)) flat->restore(flat->dim(), flat->metric(), flat->storage());
        if (auto* graph = std::get_if<HnswIndex<T>>(&index_)) graph->restore(graph->dim(), graph->metric());
    }

private:
    std::variant<FlatIndex<T>, IvfIndex<T>, HnswIndex<T>> index_;
};

}  // namespace shelf::knn
