// shelf/trees/model.hpp: a trained gradient-boosted trees model.
//
// A Model is a value: its trees (XGBoost's node arrays), the resolved hyperparameters, the
// base score and the training report. const member functions are thread-safe.
#pragma once

#include <cmath>
#include <cstdint>
#include <istream>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/params.hpp"
#include "shelf/core/serialize.hpp"
#include "shelf/core/types.hpp"
#include "objective.hpp"
#include "params.hpp"
#include "predict.hpp"
#include "tree.hpp"

namespace shelf::gbt {

/// What training did: rounds kept, the validation metrics of every round, early stopping.
struct FitReport {
    int best_iteration = -1;  ///< round with the best validation score (−1: no validation)
    double best_score = std::numeric_limits<double>::quiet_NaN();
    bool stopped_early = false;    ///< early_stopping_rounds ended training (later rounds dropped)
    bool stopped = false;          ///< the progress callback returned false
    RowMatrix<double> validation;  ///< rounds trained × eval_metric, on the validation data

    bool operator==(const FitReport& o) const {
        const auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
        if (validation.rows() != o.validation.rows() || validation.cols() != o.validation.cols()) return false;
        for (Index i = 0; i < validation.size(); ++i)
            if (!same(validation.data()[i], o.validation.data()[i])) return false;
        return best_iteration == o.best_iteration && same(best_score, o.best_score) &&
               stopped_early == o.stopped_early && stopped == o.stopped;
    }
};

/// Feature importance, as XGBoost's get_score: how often a feature splits (weight), the
/// average or total gain of its splits, the average or total cover (hessian sum) of its splits.
enum class Importance { weight, gain, total_gain, cover, total_cover };

struct PredictOptions {
    bool output_margin = false;  ///< margins instead of transformed outputs
    int iteration_begin = 0;     ///< use rounds [iteration_begin, iteration_end)
    int iteration_end = 0;       ///< 0: the last round
    int num_threads = 0;         ///< 0: every core
};

template <class T>
class Model {
public:
    using Scalar = T;

    /// Assembles a model: `trees` in round order, num_outputs() per round (tree t predicts output
    /// t mod num_outputs()). fit() and the XGBoost importer build models this way.
    Model(Params params, Index num_features, T base_score, std::vector<Tree<T>> trees, FitReport report = {})
        : params_(std::move(params)), num_features_(num_features), base_score_(base_score), trees_(std::move(trees)),
          report_(std::move(report)) {
        check_structure();
        std::vector<int> groups(trees_.size());
        for (std::size_t t = 0; t < trees_.size(); ++t) groups[t] = static_cast<int>(t % static_cast<std::size_t>(num_outputs()));
        forest_ = detail::Forest<T>(trees_, groups, num_features_);
    }

    const Params& params() const { return params_; }
    const std::string& objective() const { return params_.objective; }
    Index num_features() const { return num_features_; }
    /// Margins per row: num_class for multi-class objectives, else 1.
    int num_outputs() const { return find_objective(params_.objective).multiclass ? params_.num_class : 1; }
    int num_rounds() const { return static_cast<int>(trees_.size()) / num_outputs(); }
    T base_score() const { return base_score_; }
    /// base_score mapped to a margin by the objective (e.g. its logit for binary:logistic).
    T base_margin() const {
        return std::visit([&](const auto& obj) { return obj.margin_of(base_score_); }, objective_function());
    }
    const std::vector<Tree<T>>& trees() const { return trees_; }
    const FitReport& report() const { return report_; }

    /// Predictions for the rows of X, one row each: num_class probabilities for multi:softprob,
    /// the class index for multi:softmax, else one value (probability, count, value ...);
    /// margins (num_outputs() per row) with `output_margin`. X has the model's num_features()
    /// columns (a missing feature is a column of NaN). NaN is missing; ±inf is an error.
    RowMatrix<T> predict(const MatrixView<T>& X, const PredictOptions& options = {}) const {
        require_columns(X.cols(), num_features_, "xgboost predict");
        const int rounds = num_rounds();
        const int end = options.iteration_end == 0 ? rounds : options.iteration_end;
        if (options.iteration_begin < 0 || end > rounds || options.iteration_begin > end)
            throw invalid_argument(errc::out_of_range,
                                   "xgboost predict: iteration range [" + std::to_string(options.iteration_begin) + ", " +
                                       std::to_string(end) + ") is not within the model's " +
                                       std::to_string(rounds) + " rounds");
        const int k = num_outputs();
        RowMatrix<T> margin = RowMatrix<T>::Constant(X.rows(), k, base_margin());
        const auto per_round = static_cast<std::size_t>(k);
        // The walk spots infinite values as it copies rows; the first block holding one is
        // scanned again for the message.
        const Index bad = forest_.add_outputs(X, static_cast<std::size_t>(options.iteration_begin) * per_round,
                                              static_cast<std::size_t>(end) * per_round, k, margin.data(),
                                              resolve_threads(options.num_threads));
        if (bad < X.rows())
            require_finite(MatrixView<T>(X.middleRows(bad, std::min(detail::Forest<T>::block, X.rows() - bad))),
                           "xgboost predict", Missing::allowed, 1, bad);
        if (options.output_margin) return margin;
        return margin_to_output(std::move(margin), options.num_threads);
    }

    /// Margins (rows × num_outputs()) mapped to outputs, as predict() does.
    RowMatrix<T> margin_to_output(RowMatrix<T> margin, int num_threads = 0) const {
        const int threads = resolve_threads(num_threads);
        constexpr Index block = 256;  // rows
        const auto outputs = static_cast<std::size_t>(margin.cols());
        const Index rows = margin.rows();
        const int team = team_for(threads, 16.0 * static_cast<double>(margin.size()));  // from 4,096 values: exp() is costly
        std::visit(
            [&](const auto& obj) {
                parallel_for(team, (rows + block - 1) / block, Schedule::even, [&](Index b) {
                    const Index r = b * block;
                    transform_rows(obj, margin.row(r).data(), static_cast<std::size_t>(std::min(block, rows - r)), outputs);
                });
            },
            objective_function());
        if (params_.objective == "multi:softmax") return margin.col(0);
        return margin;
    }

    /// Importance of every feature (0 for features no split uses).
    Vector<double> importance(Importance type) const {
        Vector<double> count = Vector<double>::Zero(num_features_), gain = count, cover = count;
        for (const Tree<T>& tree : trees_)
            for (int n = 0; n < tree.size(); ++n) {
                if (tree.is_leaf(n)) continue;
                const auto i = static_cast<std::size_t>(n);
                const Index f = tree.feature[i];
                count[f] += 1;
                gain[f] += static_cast<double>(tree.loss_change[i]);
                cover[f] += static_cast<double>(tree.sum_hessian[i]);
            }
        switch (type) {
            case Importance::weight: return count;
            case Importance::total_gain: return gain;
            case Importance::total_cover: return cover;
            case Importance::gain: return (count.array() > 0).select(gain.array() / count.array(), 0.0);
            case Importance::cover: return (count.array() > 0).select(cover.array() / count.array(), 0.0);
        }
        return count;
    }

    void save(std::ostream& out) const {
        ModelWriter w(Params::family, scalar_type_of<T>());
        w.params(to_map(params_));
        w.scalar("num_features", static_cast<std::int64_t>(num_features_));
        w.scalar("base_score", base_score_);
        std::vector<std::uint64_t> offsets{0};
        std::vector<std::int32_t> left, right, parent, feature;
        std::vector<T> value, base_weight, loss_change, sum_hessian;
        std::vector<std::uint8_t> default_left;
        for (const Tree<T>& t : trees_) {
            offsets.push_back(offsets.back() + static_cast<std::uint64_t>(t.size()));
            left.insert(left.end(), t.left.begin(), t.left.end());
            right.insert(right.end(), t.right.begin(), t.right.end());
            parent.insert(parent.end(), t.parent.begin(), t.parent.end());
            feature.insert(feature.end(), t.feature.begin(), t.feature.end());
            value.insert(value.end(), t.value.begin(), t.value.end());
            default_left.insert(default_left.end(), t.default_left.begin(), t.default_left.end());
            base_weight.insert(base_weight.end(), t.base_weight.begin(), t.base_weight.end());
            loss_change.insert(loss_change.end(), t.loss_change.begin(), t.loss_change.end());
            sum_hessian.insert(sum_hessian.end(), t.sum_hessian.begin(), t.sum_hessian.end());
        }
        w.array("tree_offsets", offsets);
        w.array("left", left);
        w.array("right", right);
        w.array("parent", parent);
        w.array("feature", feature);
        w.array("value", value);
        w.array("default_left", default_left);
        w.array("base_weight", base_weight);
        w.array("loss_change", loss_change);
        w.array("sum_hessian", sum_hessian);
        w.scalar("best_iteration", static_cast<std::int32_t>(report_.best_iteration));
        w.scalar("best_score", report_.best_score);
        w.scalar("stopped", static_cast<std::uint8_t>((report_.stopped_early ? 1 : 0) | (report_.stopped ? 2 : 0)));
        w.matrix("validation_history", report_.validation);
        w.write(out);
    }

    /// Reads a model written by save(); anything inconsistent is a model_error.
    static Model load(std::istream& in) {
        ModelReader r(in);
        r.expect(Params::family, scalar_type_of<T>());
        Params params = params_from_model<Params>(r.params());
        const auto offsets = r.values<std::uint64_t>("tree_offsets");
        const auto left = r.values<std::int32_t>("left"), right = r.values<std::int32_t>("right"),
                   parent = r.values<std::int32_t>("parent"), feature = r.values<std::int32_t>("feature");
        const auto value = r.values<T>("value"), base_weight = r.values<T>("base_weight"),
                   loss_change = r.values<T>("loss_change"), sum_hessian = r.values<T>("sum_hessian");
        const auto default_left = r.values<std::uint8_t>("default_left");
        const std::size_t nodes = left.size();
        if (offsets.empty() || offsets.front() != 0 || offsets.back() != nodes || right.size() != nodes ||
            parent.size() != nodes || feature.size() != nodes || value.size() != nodes || base_weight.size() != nodes ||
            loss_change.size() != nodes || sum_hessian.size() != nodes || default_left.size() != nodes)
            throw model_error(errc::malformed, "the xgboost model's node arrays have inconsistent sizes");
        std::vector<Tree<T>> trees;
        for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
            if (offsets[t + 1] <= offsets[t] || offsets[t + 1] > nodes)
                throw model_error(errc::malformed, "the xgboost model's tree " + std::to_string(t) + " has no nodes");
            const auto b = static_cast<std::ptrdiff_t>(offsets[t]), e = static_cast<std::ptrdiff_t>(offsets[t + 1]);
            Tree<T> tree;
            tree.left.assign(left.begin() + b, left.begin() + e);
            tree.right.assign(right.begin() + b, right.begin() + e);
            tree.parent.assign(parent.begin() + b, parent.begin() + e);
            tree.feature.assign(feature.begin() + b, feature.begin() + e);
            tree.value.assign(value.begin() + b, value.begin() + e);
            tree.default_left.assign(default_left.begin() + b, default_left.begin() + e);
            tree.base_weight.assign(base_weight.begin() + b, base_weight.begin() + e);
            tree.loss_change.assign(loss_change.begin() + b, loss_change.begin() + e);
            tree.sum_hessian.assign(sum_hessian.begin() + b, sum_hessian.begin() + e);
            trees.push_back(std::move(tree));
        }
        FitReport report;
        report.best_iteration = r.scalar<std::int32_t>("best_iteration");
        report.best_score = r.scalar<double>("best_score");
        const auto stopped = r.scalar<std::uint8_t>("stopped");
        report.stopped_early = (stopped & 1) != 0;
        report.stopped = (stopped & 2) != 0;
        report.validation = r.matrix<double>("validation_history");
        return Model(std::move(params), static_cast<Index>(r.scalar<std::int64_t>("num_features")),
                     r.scalar<T>("base_score"), std::move(trees), std::move(report));
    }

    /// Same hyperparameters, trees, base score and report.
    bool operator==(const Model& o) const {
        return to_map(params_) == to_map(o.params_) && num_features_ == o.num_features_ &&
               base_score_ == o.base_score_ && trees_ == o.trees_ && report_ == o.report_;
    }
    bool operator!=(const Model& o) const { return !(*this == o); }

private:
    Model() = default;

    AnyObjective objective_function() const { return make_objective(params_.objective, objective_settings(params_)); }

    /// Every tree must be a proper binary tree over the model's features.
    void check_structure() const {
        const auto bad = [](const std::string& what) { throw model_error(errc::malformed, "xgboost model: " + what); };
        if (num_features_ < 0) bad("negative number of features");
        if (trees_.size() % static_cast<std::size_t>(num_outputs()) != 0)
            bad(std::to_string(trees_.size()) + " trees is not a whole number of rounds of " +
                std::to_string(num_outputs()) + " trees");
        for (std::size_t t = 0; t < trees_.size(); ++t) {
            const Tree<T>& tree = trees_[t];
            const auto n = static_cast<std::size_t>(tree.size());
            const std::string where = "tree " + std::to_string(t);
            if (n == 0 || tree.right.size() != n || tree.parent.size() != n || tree.feature.size() != n ||
                tree.value.size() != n || tree.default_left.size() != n || tree.base_weight.size() != n ||
                tree.loss_change.size() != n || tree.sum_hessian.size() != n)
                bad(where + " has inconsistent node arrays");
            if (tree.parent[0] != -1) bad(where + ": node 0 is not the root");
            std::vector<int> reached(n, 0);
            for (std::size_t i = 0; i < n; ++i) {
                const bool leaf = tree.left[i] < 0;
                if (leaf != (tree.right[i] < 0)) bad(where + ": node " + std::to_string(i) + " has one child");
                if (leaf) continue;
                if (tree.feature[i] < 0 || tree.feature[i] >= num_features_)
                    bad(where + ": node " + std::to_string(i) + " splits on feature " + std::to_string(tree.feature[i]) +
                        " of " + std::to_string(num_features_));
                for (const std::int32_t c : {tree.left[i], tree.right[i]}) {
                    if (c <= static_cast<std::int32_t>(i) || static_cast<std::size_t>(c) >= n ||
                        tree.parent[static_cast<std::size_t>(c)] != static_cast<std::int32_t>(i) ||
                        reached[static_cast<std::size_t>(c)]++)
                        bad(where + ": node " + std::to_string(i) + " has an invalid child " + std::to_string(c));
                }
            }
        }
    }

    Params params_;
    Index num_features_ = 0;
    T base_score_ = T(0.5);
    std::vector<Tree<T>> trees_;
    FitReport report_;
    detail::Forest<T> forest_;
};

}  // namespace shelf::gbt
