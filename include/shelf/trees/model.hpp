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
#include "shelf/core/model_fields.hpp"
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

    /// What a model file holds (core/model_fields.hpp): trees as XGBoost keeps them, node arrays
    /// concatenated in tree order.
    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        f("num_features", m.num_features_);
        f("base_score", m.base_score_);
        f.ragged("tree_offsets", m.trees_, [](auto& t, auto& field) {
            field("left", t.left);
            field("right", t.right);
            field("parent", t.parent);
            field("feature", t.feature);
            field("value", t.value);
            field("default_left", t.default_left);
            field("base_weight", t.base_weight);
            field("loss_change", t.loss_change);
            field("sum_hessian", t.sum_hessian);
        });
        f("best_iteration", m.report_.best_iteration);
        f("best_score", m.report_.best_score);
        f("stopped_early", m.report_.stopped_early);
        f("stopped", m.report_.stopped);
        f("validation_history", m.report_.validation);
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a model written by save(); anything inconsistent is a model_error.
    static Model load(std::istream& in) {
        Model m;
        load_model(m, in);
        return Model(std::move(m.params_), m.num_features_, m.base_score_, std::move(m.trees_), std::move(m.report_));
    }

    /// Same hyperparameters, trees, base score and report, bit for bit.
    bool operator==(const Model& o) const { return same_model(*this, o); }
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
