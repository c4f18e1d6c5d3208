// shelf/anomaly/model.hpp: a trained random cut forest — its trees, the scale of its scores and
// its threshold — and the platform's output `score`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "forest.hpp"
#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/parallel.hpp"

namespace shelf::rcf {

/// What training did.
struct FitReport {
    std::int64_t rows = 0;  ///< training rows
    int trees = 0;          ///< trees built (num_trees unless the progress callback stopped training)
    bool stopped = false;   ///< the progress callback asked to stop early (the trees built so far are kept)
};

/// A random cut forest. A value — copyable and compared by content; const methods are safe to
/// call from several threads.
template <class T>
class Model {
    static_assert(std::is_floating_point_v<T>, "shelf::rcf::Model<T> needs float or double");

public:
    using Scalar = T;

    /// `params` resolved; `scale` turns a mean CoDisp into a score (1 / the training rows' mean
    /// CoDisp); `threshold`: the score above which a row is called an anomaly.
    Model(Params params, Forest<T> forest, double scale, double threshold, FitReport report)
        : params_(std::move(params)), forest_(std::move(forest)), scale_(scale), threshold_(threshold), report_(report) {}

    const Params& params() const noexcept { return params_; }
    const FitReport& report() const noexcept { return report_; }
    const Forest<T>& forest() const noexcept { return forest_; }
    Index feature_dim() const noexcept { return forest_.dimension(); }
    /// The training rows' mean score plus z_factor (3: the platform's rule of thumb) standard deviations.
    double threshold() const noexcept { return threshold_; }

    /// score of each row of X: its CoDisp averaged over the trees, scaled so that the training
    /// rows' mean is 1; anomalies score several times that.
    Vector<T> score(const MatrixView<T>& X) const {
        const std::string context = "randomcutforest predict";
        require_columns(X.cols(), feature_dim(), context);
        const int threads = resolve_threads(params_.num_threads);
        require_finite(X, context, Missing::refused, threads);
        Vector<T> out(X.rows());
        // Work per row: a walk down each tree, counted generously as the forest's size.
        const double per_row = static_cast<double>(forest_.nodes()) * static_cast<double>(X.cols());
        const int team = team_size(threads, X.rows(), static_cast<double>(X.rows()) * per_row);
        parallel_for(team, X.rows(), Schedule::even,
                     [&](Index i) { out[i] = static_cast<T>(scale_ * mean_displacement(forest_, seed(), X.row(i).data())); });
        return out;
    }

    /// 1 where the score is above threshold() (an anomaly), else 0.
    Vector<T> predict(const MatrixView<T>& X) const {
        const Vector<T> s = score(X);
        Vector<T> out(s.size());
        for (Index i = 0; i < s.size(); ++i) out[i] = s[i] > threshold_ ? T(1) : T(0);
        return out;
    }

    /// What a model file holds (core/model_fields.hpp).
    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        f("tree_first", m.forest_.tree_first);
        f("left", m.forest_.left);
        f("right", m.forest_.right);
        f("dim", m.forest_.dim);
        f("cut", m.forest_.cut);
        f("mass", m.forest_.mass);
        f("lower", m.forest_.lower);
        f("upper", m.forest_.upper);
        f("scale", m.scale_);
        f("threshold", m.threshold_);
        f("report.rows", m.report_.rows);
        f("report.trees", m.report_.trees);
        f("report.stopped", m.report_.stopped);
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a model written by save(); a damaged file or another family's throws model_error.
    static Model load(std::istream& in) { return load(ModelReader(in)); }

    /// The same from a container already read (rcf::holds_stream tells which kind it holds).
    static Model load(const ModelReader& saved) {
        Model m;
        load_model(m, saved);
        m.check_loaded();
        m.forest_.measure();
        return m;
    }

    /// Same hyperparameters, trees, scale, threshold and report, bit for bit.
    friend bool operator==(const Model& a, const Model& b) { return same_model(a, b); }
    friend bool operator!=(const Model& a, const Model& b) { return !(a == b); }

private:
    Model() = default;

    std::uint64_t seed() const noexcept { return static_cast<std::uint64_t>(params_.seed); }

    /// Every index of a loaded forest within bounds and every child after its parent, so that
    /// scoring cannot leave the arrays or loop.
    void check_loaded() const {
        const Forest<T>& f = forest_;
        const auto nodes = static_cast<std::int64_t>(f.dim.size());
        auto bad = [](const std::string& what) {
            throw model_error(errc::malformed, "the randomcutforest model's " + what);
        };
        if (!params_.feature_dim || f.dimension() != *params_.feature_dim || f.lower.rows() != nodes ||
            f.upper.rows() != nodes || f.upper.cols() != f.lower.cols() || f.left.size() != f.dim.size() ||
            f.right.size() != f.dim.size() || f.cut.size() != f.dim.size() || f.mass.size() != f.dim.size())
            bad("node arrays do not agree with each other or with feature_dim");
        if (f.tree_first.empty() || f.tree_first.front() != 0 || f.tree_first.back() != nodes ||
            f.trees() != report_.trees || report_.trees < 1 || report_.trees > params_.num_trees)
            bad("trees do not match its node count or report.trees");
        for (Index t = 0; t < f.trees(); ++t) {
            const std::int64_t first = f.tree_first[static_cast<std::size_t>(t)];
            const std::int64_t size = f.tree_first[static_cast<std::size_t>(t) + 1] - first;
            if (size < 1) bad("tree " + std::to_string(t) + " has no nodes");
            for (std::int64_t i = 0; i < size; ++i) {
                const auto at = static_cast<std::size_t>(first + i);
                if (f.mass[at] < 1) bad("node masses must be positive");
                if (f.dim[at] < 0) continue;
                if (f.dim[at] >= f.dimension() || f.left[at] <= i || f.right[at] <= i || f.left[at] >= size ||
                    f.right[at] >= size)
                    bad("tree " + std::to_string(t) + " has a cut or child out of range");
            }
        }
        if (!(scale_ > 0) || !std::isfinite(scale_) || !std::isfinite(threshold_)) bad("scale or threshold is not finite");
    }

    Params params_;
    Forest<T> forest_;
    double scale_ = 1, threshold_ = 0;
    FitReport report_;
};

}  // namespace shelf::rcf
