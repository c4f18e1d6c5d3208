// shelf/neighbors/params.hpp: the k-NN hyperparameters, with the platform's names and defaults.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "shelf/core/params.hpp"

namespace shelf::knn {

/// What the neighbours' labels make.
enum class PredictorType {
    classifier,  ///< the most frequent label among the k nearest (ties: the label of the nearest, then the smallest)
    regressor,   ///< the mean of their labels
};
inline constexpr std::pair<PredictorType, const char*> predictor_type_names[] = {
    {PredictorType::classifier, "classifier"}, {PredictorType::regressor, "regressor"}};
inline const auto& enum_names(PredictorType) { return predictor_type_names; }

/// How the index finds neighbours.
enum class IndexType {
    flat,      ///< exact: every indexed vector is compared with every query
    ivf_flat,  ///< inverted lists around k-means centroids; the lists of the nprobe nearest are searched
    ivf_pq,    ///< the same lists, holding product-quantizer codes of the vectors instead of the vectors
    hnsw,      ///< a navigable small-world graph, walked from its top level down (shelf's, beyond the platform)
};
inline constexpr std::pair<IndexType, const char*> index_type_names[] = {{IndexType::flat, "faiss.Flat"},
                                                                         {IndexType::ivf_flat, "faiss.IVFFlat"},
                                                                         {IndexType::ivf_pq, "faiss.IVFPQ"},
                                                                         {IndexType::hnsw, "hnsw"}};
inline const auto& enum_names(IndexType) { return index_type_names; }

/// What "near" means.
enum class Metric {
    l2,             ///< Euclidean; distances are reported squared, as FAISS reports them
    inner_product,  ///< the largest inner product first; the inner products are reported
    cosine,         ///< the largest cosine similarity first (vectors normalised); the similarities are reported
};
inline constexpr std::pair<Metric, const char*> metric_names[] = {
    {Metric::l2, "L2"}, {Metric::inner_product, "INNER_PRODUCT"}, {Metric::cosine, "COSINE"}};
inline const auto& enum_names(Metric) { return metric_names; }

/// A random projection applied to every vector, at fit and at every query.
enum class Reduction {
    none,
    sign,  ///< random ±1 projection, scaled by 1/√target
    fjlt,  ///< fast Johnson–Lindenstrauss: random signs, a Walsh–Hadamard transform, target coordinates sampled
};
inline constexpr std::pair<Reduction, const char*> reduction_names[] = {
    {Reduction::none, "none"}, {Reduction::sign, "sign"}, {Reduction::fjlt, "fjlt"}};
inline const auto& enum_names(Reduction) { return reduction_names; }

/// What a flat or HNSW index keeps of each vector.
enum class Storage {
    vectors,     ///< the vectors, as floats (or doubles)
    sq8,         ///< 8-bit codes only (a quarter of the float memory); distances are to the decoded vectors
    sq8_rerank,  ///< HNSW: the walk reads 8-bit codes, the candidates found are re-ranked with the vectors, also kept
};
inline constexpr std::pair<Storage, const char*> storage_names[] = {
    {Storage::vectors, "float"}, {Storage::sq8, "sq8"}, {Storage::sq8_rerank, "sq8_rerank"}};
inline const auto& enum_names(Storage) { return storage_names; }

/// The values faiss_index_pq_m may take, as the platform lists them.
inline constexpr int pq_m_values[] = {1, 2, 3, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 96};

/// k-NN hyperparameters. `auto` values (unset optionals) are resolved by fit() and the
/// resolved values are what the model stores.
struct Params {
    static constexpr const char* family = "knn";

    std::optional<int> k;                           ///< neighbours per query (required)
    std::optional<std::int64_t> sample_size;        ///< rows kept in the index (required)
    std::optional<PredictorType> predictor_type;    ///< required
    std::optional<int> feature_dim;                 ///< columns of the data; auto = taken from the data
    IndexType index_type = IndexType::flat;
    std::optional<std::int64_t> faiss_index_ivf_nlists;  ///< IVF lists; auto = √(rows indexed)
    std::optional<int> faiss_index_pq_m;                 ///< IVFPQ codes per vector; auto: see resolve_pq_m
    std::optional<std::int64_t> nprobe;                  ///< IVF lists searched per query; auto = ⌈√nlists⌉
    int M = 16;                                          ///< HNSW links per node (2·M on the lowest level)
    int ef_construction = 200;                           ///< HNSW candidates searched for a new node's links
    std::optional<int> ef_search;                        ///< HNSW candidates of a query's walk; auto = max(k, 64)
    Storage vector_storage = Storage::vectors;           ///< faiss.Flat and hnsw: floats or 8-bit codes
    Metric index_metric = Metric::l2;
    Reduction dimension_reduction_type = Reduction::none;
    std::optional<int> dimension_reduction_target;  ///< required with sign or fjlt
    int mini_batch_size = 5000;                     ///< rows added to the index at a time, a progress report each
    int num_threads = 0;                            ///< OpenMP threads; 0 = all
    std::int64_t seed = 0;                          ///< seed of the sample and of the projection

    template <class V>
    void visit(V&& v) {
        v("k", k, Spec("number of nearest neighbours").at_least(1).required());
        v("sample_size", sample_size,
          Spec("rows kept in the index, drawn at random (all rows when the data has fewer)").at_least(1).required());
        v("predictor_type", predictor_type,
          Spec("classifier: the most frequent label of the k nearest; regressor: the mean of their labels").required());
        v("feature_dim", feature_dim, Spec("number of features; auto = the data's column count").at_least(1));
        v("index_type", index_type,
          Spec("faiss.Flat (exact search), faiss.IVFFlat (inverted lists) or faiss.IVFPQ (inverted lists of "
               "product-quantizer codes)"));
        v("faiss_index_ivf_nlists", faiss_index_ivf_nlists,
          Spec("inverted lists of the IVF indexes; auto = the square root of the rows indexed").at_least(1));
        v("faiss_index_pq_m", faiss_index_pq_m,
          Spec("IVFPQ: one-byte codes per vector, one of 1 2 3 4 8 12 16 20 24 28 32 40 48 56 64 96 (the dimension "
               "is zero-padded to a multiple); auto = the largest that divides the dimension into parts of 4 or more")
              .at_least(1));
        v("nprobe", nprobe, Spec("IVF: lists searched per query; auto = the square root of the lists, rounded up").at_least(1));
        v("M", M, Spec("hnsw: links per node, twice as many on the lowest level").at_least(2).at_most(65535));
        v("ef_construction", ef_construction, Spec("hnsw: candidates searched for a new node's links").at_least(1));
        v("ef_search", ef_search, Spec("hnsw: candidates of a query's walk (below k: k); auto = max(k, 64)").at_least(1));
        v("vector_storage", vector_storage,
          Spec("faiss.Flat and hnsw: float (the vectors), sq8 (8-bit scalar-quantized codes only, a quarter of the "
               "memory) or, for hnsw, sq8_rerank (walk the codes, re-rank the candidates with the vectors)"));
        v("index_metric", index_metric,
          Spec("L2 (squared Euclidean distances), INNER_PRODUCT or COSINE (the largest similarity first)"));
        v("dimension_reduction_type", dimension_reduction_type,
          Spec("none, sign (random sign projection) or fjlt (fast Johnson-Lindenstrauss transform)"));
        v("dimension_reduction_target", dimension_reduction_target,
          Spec("dimension after the reduction; required with sign or fjlt").at_least(1));
        v("mini_batch_size", mini_batch_size, Spec("rows added to the index at a time, a progress report each").at_least(1));
        v("num_threads", num_threads, Spec("threads; 0 = all cores").at_least(0));
        v("seed", seed, Spec("random seed of the sample and the projection").at_least(0));
    }

    void validate() const {
        check_ranges(*this);
        const bool reduced = dimension_reduction_type != Reduction::none;
        if (reduced && !dimension_reduction_target)
            throw invalid_argument(errc::missing_parameter,
                                   "knn: dimension_reduction_type = " + shelf::detail::format_value(dimension_reduction_type) +
                                       " needs dimension_reduction_target");
        // sq8_rerank only for the graph: the flat index's GEMM is no faster on codes, so it would only add memory.
        const bool storable = vector_storage == Storage::vectors || index_type == IndexType::hnsw ||
                              (index_type == IndexType::flat && vector_storage == Storage::sq8);
        if (!storable)
            throw invalid_argument(errc::inconsistent,
                                   "knn: vector_storage = " + shelf::detail::format_value(vector_storage) + " needs index_type = " +
                                       (vector_storage == Storage::sq8 ? "faiss.Flat or hnsw" : "hnsw") + "; it is " +
                                       shelf::detail::format_value(index_type));
        if (faiss_index_pq_m &&
            std::find(std::begin(pq_m_values), std::end(pq_m_values), *faiss_index_pq_m) == std::end(pq_m_values))
            throw invalid_argument(errc::out_of_range,
                                   "knn: faiss_index_pq_m = " + std::to_string(*faiss_index_pq_m) +
                                       "; expected one of 1 2 3 4 8 12 16 20 24 28 32 40 48 56 64 96");
        if (reduced && feature_dim && *dimension_reduction_target >= *feature_dim)
            throw invalid_argument(errc::inconsistent,
                                   "knn: dimension_reduction_target = " + std::to_string(*dimension_reduction_target) +
                                       " must be below feature_dim = " + std::to_string(*feature_dim));
    }

    /// The dimension the index sees: after the reduction, if any.
    int index_dim() const { return dimension_reduction_type == Reduction::none ? *feature_dim : *dimension_reduction_target; }
};

/// faiss_index_pq_m's auto value for a dimension: the largest listed value that divides it into
/// sub-vectors of 4 or more dimensions (the smallest listed otherwise).
inline int resolve_pq_m(int dim) {
    int best = pq_m_values[0];
    for (const int m : pq_m_values)
        if (dim % m == 0 && dim / m >= 4) best = m;
    return best;
}

}  // namespace shelf::knn
