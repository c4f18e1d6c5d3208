// shelf/anomaly/stream.hpp: the streaming random cut forest — each point scored as it arrives,
// then learnt (reservoir eviction with time decay, O(depth) per tree), shingles built inside.
//
// Rows are taken in blocks: the block's rows go into the point store, then the trees work
// through the block in fixed groups in parallel (a tree's updates are its own), each group
// summing its trees' CoDisps in order, so the scores are the same bits on any thread count.
// Point p's draws in tree t come from a generator seeded by (seed, p, t): a stream saved and
// loaded mid-way continues exactly as one that never stopped.
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

#include "params.hpp"
#include "point_store.hpp"
#include "stream_tree.hpp"
#include "threshold.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/parallel.hpp"

namespace shelf::rcf {

/// What update() says of each row.
struct StreamScores {
    Eigen::VectorXd score;  ///< mean CoDisp over the trees before the point was learnt (0 while the first shingle fills)
    Eigen::VectorXd grade;  ///< 0 below the adaptive threshold, rising to 1 (Thresholder)
    /// Per row, what each coordinate of the point contributed to the score: columns
    /// [0, dimension) above the sample (high), [dimension, 2 dimension) below it (low); they add
    /// up to the score. Empty unless asked for.
    RowMatrix<double> attribution;
};

template <class T>
class Stream {
    static_assert(std::is_floating_point_v<T>, "shelf::rcf::Stream<T> needs float or double");

public:
    using Scalar = T;

    /// An empty forest for rows of `input_dim` values (params.feature_dim, if set, must agree).
    Stream(Params params, Index input_dim) : params_(std::move(params)) {
        params_.streaming = true;
        params_.validate();
        if (input_dim < 1)
            throw invalid_argument(errc::out_of_range, "randomcutforest stream: rows need at least one value, got " +
                                                           std::to_string(input_dim));
        if (params_.feature_dim) require_columns(input_dim, *params_.feature_dim, "randomcutforest stream");
        params_.feature_dim = static_cast<int>(input_dim);
        if (!params_.time_decay) params_.time_decay = 0.1 / params_.num_samples_per_tree;
        store_ = PointStore<T>(input_dim, params_.shingle_size);
        trees_.assign(static_cast<std::size_t>(params_.num_trees), StreamTree<T>(params_.num_samples_per_tree, dimension()));
        configure_thresholder();
    }

    const Params& params() const noexcept { return params_; }
    /// Values per row, and per point (rows × shingle_size).
    Index input_dim() const noexcept { return store_.input_dim(); }
    Index dimension() const noexcept { return store_.dimension(); }
    /// Rows seen so far.
    std::int64_t rows() const noexcept { return store_.rows(); }
    /// The adaptive threshold on the score now (infinite while warming up).
    double threshold() const noexcept { return thresholder_.threshold(); }
    /// Bytes held by the trees, and by the shared points.
    std::size_t tree_memory() const noexcept {
        std::size_t bytes = 0;
        for (const auto& t : trees_) bytes += t.memory();
        return bytes;
    }
    std::size_t point_memory() const noexcept { return store_.memory(); }

    /// Scores each row of X (input_dim values) as it arrives, then learns it. Rows that only
    /// fill the first shingle score 0.
    StreamScores update(const MatrixView<T>& X, bool attribution = false) {
        return update_on(resolve_threads(params_.num_threads), X, attribution);
    }

    /// update() on `threads` threads whatever num_threads says (update_each: one per series).
    StreamScores update_on(int threads, const MatrixView<T>& X, bool attribution = false) {
        const std::string context = "randomcutforest stream";
        require_columns(X.cols(), input_dim(), context);
        require_finite(X, context, Missing::refused, 1);
        StreamScores out;
        out.score = Eigen::VectorXd::Zero(X.rows());
        out.grade = Eigen::VectorXd::Zero(X.rows());
        if (attribution) out.attribution = RowMatrix<double>::Zero(X.rows(), 2 * dimension());
        for (Index first = 0; first < X.rows(); first += block_rows)
            learn_block(X, first, std::min(X.rows(), first + block_rows), threads, out);
        return out;
    }

    /// Mean CoDisp over the trees of a full point (dimension() values), without learning it; its
    /// draws seeded by the point's bits, so it is const and safe on several threads.
    double score(const T* point) const {
        const std::uint64_t key = detail::point_key(seed(), point, dimension());
        double sum = 0;
        for (std::size_t t = 0; t < trees_.size(); ++t) {
            Rng rng = Rng::for_stream(key, t);
            sum += trees_[t].score(store_, point, rng).codisp;
        }
        return sum / static_cast<double>(trees_.size());
    }

    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        PointStore<T>::fields(m.store_, f);
        Thresholder::fields(m.thresholder_, f);
        f("points", m.points_);
        using Flat = typename StreamTree<T>::Flat;
        if constexpr (std::is_const_v<Self>) {
            Flat flat;
            for (const auto& t : m.trees_) t.append_to(flat);
            Flat::fields(flat, f);
        } else {
            Flat::fields(m.flat_, f);
        }
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a stream written by save(); it continues exactly where the saved one stopped.
    static Stream load(std::istream& in) { return load(ModelReader(in)); }

    /// The same from a container already read (holds_stream tells which kind it holds).
    static Stream load(const ModelReader& saved) {
        Stream s;
        load_model(s, saved);
        s.restore();
        return s;
    }

    friend bool operator==(const Stream& a, const Stream& b) { return same_model(a, b); }
    friend bool operator!=(const Stream& a, const Stream& b) { return !(a == b); }

private:
    Stream() = default;

    /// Rows per block: enough to spread a region's cost, few enough to keep the block's points hot.
    static constexpr Index block_rows = 256;
    /// Tree groups worked on in parallel, a fixed number so that sums do not depend on threads.
    static constexpr std::size_t tree_groups = 16;

    std::uint64_t seed() const noexcept { return static_cast<std::uint64_t>(params_.seed); }

    /// Grades against z_factor deviations of about the sample's horizon of scores, after a sample's worth.
    void configure_thresholder() {
        const double horizon = *params_.time_decay > 0 ? 1.0 / *params_.time_decay : HUGE_VAL;
        thresholder_.configure(params_.z_factor, horizon, params_.num_samples_per_tree);
    }

    void learn_block(const MatrixView<T>& X, Index first, Index last, int threads, StreamScores& out) {
        const auto rows = static_cast<std::size_t>(last - first);
        std::vector<std::int32_t> ids(rows);
        std::vector<std::int64_t> point(rows, -1);  // the point's number in the stream
        std::vector<std::uint64_t> key(rows, 0);    // the seed of its draws, a stream per tree
        for (std::size_t r = 0; r < rows; ++r) {
            ids[r] = store_.add(X.row(first + static_cast<Index>(r)).data());
            if (ids[r] < 0) continue;
            point[r] = points_++;
            key[r] = Rng::for_stream(seed(), static_cast<std::uint64_t>(point[r]))();
        }
        const Index d = dimension();
        const bool attribute = out.attribution.size() > 0;
        const std::size_t groups = std::min(tree_groups, trees_.size());
        std::vector<std::vector<double>> sums(groups, std::vector<double>(rows, 0.0));
        std::vector<std::vector<double>> parts(groups);
        std::vector<std::vector<std::int32_t>> held(groups), released(groups);
        const double decay = *params_.time_decay;
        const double work = static_cast<double>(rows) * static_cast<double>(trees_.size()) * static_cast<double>(d) * 40;
        parallel_for(team_size(threads, static_cast<Index>(groups), work), static_cast<Index>(groups), Schedule::dynamic, [&](Index gi) {
            const auto g = static_cast<std::size_t>(gi);
            if (attribute) parts[g].assign(rows * 2 * static_cast<std::size_t>(d), 0.0);
            for (std::size_t t = g * trees_.size() / groups; t < (g + 1) * trees_.size() / groups; ++t) {
                StreamTree<T>& tree = trees_[t];
                for (std::size_t r = 0; r < rows; ++r) {
                    if (ids[r] < 0) continue;
                    const T* x = store_.point(ids[r]);
                    Rng rng = Rng::for_stream(key[r], t);
                    const double u = std::max(rng.uniform(), 0x1.0p-60);
                    const double priority = std::log(-std::log(u)) - decay * static_cast<double>(point[r]);
                    const Walk w = tree.score(store_, x, rng);
                    sums[g][r] += w.codisp;
                    if (attribute) {
                        double* high = parts[g].data() + r * 2 * static_cast<std::size_t>(d);
                        tree.attribute(store_, w, x, high, high + d);
                    }
                    if (!tree.takes(priority)) continue;
                    if (tree.full()) tree.evict(store_, released[g]);
                    tree.insert(store_, ids[r], priority, rng, held[g]);
                }
            }
        });
        // Leaves taken and given up, then the points no leaf holds any more are freed.
        std::vector<std::int32_t> unheld;
        for (const auto& h : held)
            for (const std::int32_t id : h) store_.hold(id);
        for (const auto& rel : released)
            for (const std::int32_t id : rel) store_.release(id), unheld.push_back(id);
        for (const std::int32_t id : ids)
            if (id >= 0) unheld.push_back(id);
        std::sort(unheld.begin(), unheld.end());
        unheld.erase(std::unique(unheld.begin(), unheld.end()), unheld.end());
        for (const std::int32_t id : unheld) store_.free_if_unheld(id);
        store_.maybe_compact();

        const double trees = static_cast<double>(trees_.size());
        for (std::size_t r = 0; r < rows; ++r) {
            if (ids[r] < 0) continue;
            const Index row = first + static_cast<Index>(r);
            double sum = 0;
            for (std::size_t g = 0; g < groups; ++g) sum += sums[g][r];
            out.score[row] = sum / trees;
            out.grade[row] = thresholder_.grade(out.score[row]);
            if (attribute)
                for (std::size_t g = 0; g < groups; ++g)
                    for (Index j = 0; j < 2 * d; ++j)
                        out.attribution(row, j) += parts[g][r * 2 * static_cast<std::size_t>(d) + static_cast<std::size_t>(j)] / trees;
        }
    }

    /// After load_model: the trees out of their flat arrays, each checked (indices in range, one
    /// tree each, leaves holding live points) and the points' holder counts against the leaves.
    void restore() {
        auto bad = [](const std::string& what) { throw model_error(errc::malformed, "the randomcutforest stream's " + what); };
        if (!params_.streaming || !params_.feature_dim || !params_.time_decay)
            bad("hyperparameters are not a stream's (streaming, feature_dim, time_decay)");
        store_.shape(*params_.feature_dim, params_.shingle_size);
        if (!store_.consistent()) bad("points are inconsistent");
        if (!thresholder_.consistent() || points_ < 0) bad("threshold state or point count is invalid");
        configure_thresholder();
        trees_.assign(static_cast<std::size_t>(params_.num_trees), StreamTree<T>());
        typename StreamTree<T>::FlatCursor at;
        std::vector<std::int32_t> holders(store_.holders().size(), 0);
        for (std::size_t t = 0; t < trees_.size(); ++t) {
            if (!trees_[t].read_from(flat_, t, at, params_.num_samples_per_tree, dimension()) || !trees_[t].restore(store_))
                bad("tree " + std::to_string(t) + " is inconsistent");
            trees_[t].count_leaf_points(holders);
        }
        if (holders != store_.holders()) bad("points' holder counts do not match the trees' leaves");
        flat_ = {};
    }

    Params params_;
    PointStore<T> store_;
    std::vector<StreamTree<T>> trees_;
    Thresholder thresholder_;
    std::int64_t points_ = 0;                ///< points (full shingles) seen
    typename StreamTree<T>::Flat flat_;      ///< the trees as read from a file, until restore()
};

/// Many series at once, a forest each: rows[i] goes on through streams[i]. The series are shared
/// among `threads` threads (0 = all), each stream updated on one, so a thousand short series
/// cost no thread team per series and call. The same results as updating each stream alone.
template <class T>
std::vector<StreamScores> update_each(std::vector<Stream<T>>& streams, const std::vector<MatrixView<T>>& rows,
                                      bool attribution = false, int threads = 0) {
    if (rows.size() != streams.size())
        throw data_error(errc::shape_mismatch, "randomcutforest update_each: " + std::to_string(streams.size()) +
                                                   " streams but rows for " + std::to_string(rows.size()));
    std::vector<StreamScores> out(streams.size());
    const int team = std::min<int>(resolve_threads(threads), static_cast<int>(std::max<std::size_t>(streams.size(), 1)));
    parallel_for(team, static_cast<Index>(streams.size()), Schedule::dynamic, [&](Index i) {
        const auto s = static_cast<std::size_t>(i);
        out[s] = streams[s].update_on(1, rows[s], attribution);
    });
    return out;
}

/// Whether a saved random cut forest, read, holds a Stream (else a Model).
inline bool holds_stream(const ModelReader& saved) { return saved.has("trees.root"); }

}  // namespace shelf::rcf
