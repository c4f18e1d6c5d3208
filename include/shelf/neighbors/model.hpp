// shelf/neighbors/model.hpp: a trained k-NN predictor — the projection, the index of the sampled
// rows, their labels, and the platform's output predicted_label.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "any_index.hpp"
#include "params.hpp"
#include "projection.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/parallel.hpp"

namespace shelf::knn {

/// What training did.
struct FitReport {
    std::int64_t rows = 0;  ///< rows in the index
    bool stopped = false;   ///< the progress callback asked to stop early (the rows added so far are kept)
};

/// A k-NN model. A value — copyable and compared by content; const methods are safe to call
/// from several threads.
template <class T>
class Model {
    static_assert(std::is_floating_point_v<T>, "shelf::knn::Model<T> needs float or double");

public:
    using Scalar = T;

    /// `params` resolved; labels[id] is the label of the indexed row with that id.
    Model(Params params, Projection<T> projection, AnyIndex<T> index, Vector<T> labels, FitReport report)
        : params_(std::move(params)),
          projection_(std::move(projection)),
          index_(std::move(index)),
          labels_(std::move(labels)),
          report_(report) {}

    const Params& params() const noexcept { return params_; }
    const FitReport& report() const noexcept { return report_; }
    const AnyIndex<T>& index() const noexcept { return index_; }
    const Vector<T>& labels() const noexcept { return labels_; }
    Index feature_dim() const noexcept { return projection_.input_dim(); }

    /// The k nearest indexed rows of each row of X (ids and distances, as FlatIndex::search).
    Neighbors<T> neighbors(const MatrixView<T>& X) const {
        const std::string context = "knn predict";
        require_columns(X.cols(), feature_dim(), context);
        const int threads = resolve_threads(params_.num_threads);
        require_finite(X, context, Missing::refused, threads);
        const SearchOptions options{params_.nprobe.value_or(1), params_.ef_search.value_or(0)};
        if (projection_.type() == Reduction::none) return index_.search(X, *params_.k, threads, options);
        return index_.search(projection_.apply(X, threads), *params_.k, threads, options);
    }

    /// The labels of each row's neighbours, nearest first (NaN past the end of a short list).
    RowMatrix<T> neighbor_labels(const Neighbors<T>& found) const {
        RowMatrix<T> out(found.ids.rows(), found.ids.cols());
        for (Index i = 0; i < out.rows(); ++i)
            for (Index j = 0; j < out.cols(); ++j) {
                const std::int64_t id = found.ids(i, j);
                out(i, j) = id < 0 ? std::numeric_limits<T>::quiet_NaN() : labels_[static_cast<Index>(id)];
            }
        return out;
    }

    /// predicted_label of each row: the classifier's vote or the regressor's mean.
    Vector<T> predict(const MatrixView<T>& X) const { return vote(neighbors(X)); }

    /// predicted_label from neighbours already found.
    Vector<T> vote(const Neighbors<T>& found) const {
        const RowMatrix<T> labels = neighbor_labels(found);
        Vector<T> out(labels.rows());
        std::vector<std::pair<T, Index>> tally;  // (label, count), in order of first appearance
        for (Index i = 0; i < labels.rows(); ++i) {
            Index valid = 0;
            while (valid < labels.cols() && found.ids(i, valid) >= 0) ++valid;
            if (*params_.predictor_type == PredictorType::regressor) {
                out[i] = static_cast<T>(labels.row(i).head(valid).template cast<double>().mean());
                continue;
            }
            // The most frequent label; on a tie the one met first (its nearest member is nearer),
            // and among those at the same distance the smallest.
            tally.clear();
            for (Index j = 0; j < valid; ++j) {
                const auto at = std::find_if(tally.begin(), tally.end(), [&](const auto& t) { return t.first == labels(i, j); });
                if (at == tally.end()) tally.emplace_back(labels(i, j), 1);
                else ++at->second;
            }
            Index best = 0;
            for (Index t = 1; t < static_cast<Index>(tally.size()); ++t) {
                const auto& [label, count] = tally[static_cast<std::size_t>(t)];
                const auto& [best_label, best_count] = tally[static_cast<std::size_t>(best)];
                if (count > best_count || (count == best_count && label < best_label &&
                                           first_distance(found, labels, i, label) == first_distance(found, labels, i, best_label)))
                    best = t;
            }
            out[i] = tally[static_cast<std::size_t>(best)].first;
        }
        return out;
    }

    /// What a model file holds (core/model_fields.hpp).
    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        Projection<T>::fields(m.projection_, f);
        if constexpr (!std::is_const_v<Self>) m.index_ = empty_index(m.params_);
        AnyIndex<T>::fields(m.index_, f, "index.");
        f("labels", m.labels_);
        f("report.rows", m.report_.rows);
        f("report.stopped", m.report_.stopped);
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a model written by save(); a damaged file or another family's throws model_error.
    static Model load(std::istream& in) {
        Model m;
        load_model(m, in);
        const Params& p = m.params_;
        const Index d = p.feature_dim.value_or(0);
        const Index t = p.dimension_reduction_target.value_or(0);
        if (!p.k || !p.predictor_type || d < 1 || !m.projection_.restore(p.dimension_reduction_type, d, t))
            throw model_error(errc::malformed, "the knn model's projection does not match its hyperparameters");
        m.index_.restore();
        const std::vector<std::int64_t> ids = m.index_.ids();
        if (m.report_.rows != m.index_.size() ||
            std::any_of(ids.begin(), ids.end(), [&](std::int64_t id) { return id < 0 || id >= m.labels_.size(); }))
            throw model_error(errc::malformed, "the knn model's index holds " + std::to_string(m.index_.size()) +
                                                   " rows whose ids do not match its " +
                                                   std::to_string(m.labels_.size()) + " labels");
        return m;
    }

    /// Same hyperparameters, index, labels and report, bit for bit.
    friend bool operator==(const Model& a, const Model& b) { return same_model(a, b); }
    friend bool operator!=(const Model& a, const Model& b) { return !(a == b); }

private:
    Model() = default;

    /// The index a file's hyperparameters describe, before its contents are read.
    static AnyIndex<T> empty_index(const Params& p) {
        const bool reduced = p.dimension_reduction_type != Reduction::none;
        if (!p.feature_dim || *p.feature_dim < 1 || (reduced && (!p.dimension_reduction_target || *p.dimension_reduction_target < 1)))
            throw model_error(errc::malformed, "the knn model's feature_dim or dimension_reduction_target is missing");
        const Index dim = p.index_dim();
        if (p.index_type == IndexType::flat) return AnyIndex<T>(FlatIndex<T>(dim, p.index_metric, p.vector_storage));
        if (p.index_type == IndexType::hnsw) return AnyIndex<T>(HnswIndex<T>(dim, p.index_metric, hnsw_options(p)));
        const int pq_m = p.index_type == IndexType::ivf_pq ? p.faiss_index_pq_m.value_or(0) : 0;
        if (!p.faiss_index_ivf_nlists || *p.faiss_index_ivf_nlists < 1 || !p.nprobe ||
            (p.index_type == IndexType::ivf_pq && (pq_m < 1 || pq_m > dim)))
            throw model_error(errc::malformed, "the knn model's IVF hyperparameters are missing or out of range");
        return AnyIndex<T>(IvfIndex<T>(dim, p.index_metric, *p.faiss_index_ivf_nlists, pq_m, p.seed));
    }

    /// The distance to row i's nearest neighbour labelled `label`.
    static T first_distance(const Neighbors<T>& found, const RowMatrix<T>& labels, Index i, T label) {
        for (Index j = 0; j < labels.cols(); ++j)
            if (labels(i, j) == label) return found.distances(i, j);
        return std::numeric_limits<T>::infinity();
    }

    Params params_;
    Projection<T> projection_;
    AnyIndex<T> index_;
    Vector<T> labels_;
    FitReport report_;
};

}  // namespace shelf::knn
