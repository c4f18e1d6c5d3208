// shelf/trees/params.hpp: the hyperparameters of gradient-boosted trees, with XGBoost's names and meanings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/params.hpp"
#include "metric.hpp"
#include "objective.hpp"

namespace shelf::gbt {

/// How a tree is grown: level by level (XGBoost's `depthwise`) or best leaf first (`lossguide`).
enum class GrowPolicy { depthwise, lossguide };
inline constexpr std::pair<GrowPolicy, const char*> grow_policy_names[] = {{GrowPolicy::depthwise, "depthwise"},
                                                                            {GrowPolicy::lossguide, "lossguide"}};
inline const auto& enum_names(GrowPolicy) { return grow_policy_names; }

/// Only the histogram method exists here; `auto` means `hist`, as in XGBoost >= 2.0.
enum class TreeMethod { automatic, hist };
inline constexpr std::pair<TreeMethod, const char*> tree_method_names[] = {{TreeMethod::automatic, "auto"},
                                                                            {TreeMethod::hist, "hist"}};
inline const auto& enum_names(TreeMethod) { return tree_method_names; }

/// XGBoost's hyperparameters (the platform's names; from_map also takes XGBoost's aliases:
/// learning_rate, min_split_loss, reg_lambda, reg_alpha, random_state, nthread).
struct Params {
    static constexpr const char* family = "xgboost";

    std::optional<int> num_round;  ///< boosting rounds (required)
    std::string objective = "reg:squarederror";
    int num_class = 0;  ///< classes, for multi:softmax and multi:softprob
    double eta = 0.3;
    double gamma = 0.0;  ///< minimum loss reduction to split (min_split_loss)
    int max_depth = 6;   ///< 0: no limit (lossguide only)
    double min_child_weight = 1.0;
    std::optional<double> max_delta_step;  ///< auto: 0.7 for count:poisson, else 0 (no limit)
    double subsample = 1.0;
    double colsample_bytree = 1.0;
    double colsample_bylevel = 1.0;
    double colsample_bynode = 1.0;
    double lambda = 1.0;  ///< L2 regularisation of leaf weights (reg_lambda)
    double alpha = 0.0;   ///< L1 regularisation of leaf weights (reg_alpha)
    TreeMethod tree_method = TreeMethod::automatic;
    double scale_pos_weight = 1.0;
    GrowPolicy grow_policy = GrowPolicy::depthwise;
    int max_leaves = 0;  ///< 0: no limit
    int max_bin = 256;
    std::optional<double> base_score;  ///< auto: estimated where XGBoost 1.7 estimates it, else 0.5
    std::vector<std::string> eval_metric;  ///< empty: the objective's default; early stopping uses the last
    std::int64_t seed = 0;
    double tweedie_variance_power = 1.5;
    double huber_slope = 1.0;
    std::optional<int> early_stopping_rounds;  ///< auto: no early stopping
    int num_threads = 0;  ///< 0: every core (XGBoost's nthread)

    template <class V>
    void visit(V&& v) {
        v("num_round", num_round, Spec("number of boosting rounds").at_least(1).required());
        v("objective", objective, Spec("learning objective, e.g. reg:squarederror, binary:logistic, multi:softprob"));
        v("num_class", num_class, Spec("number of classes (multi:softmax, multi:softprob)").at_least(0));
        v("eta", eta, Spec("learning rate: shrinkage of each tree's leaf weights").at_least(0).alias("learning_rate"));
        v("gamma", gamma, Spec("minimum loss reduction required to split a node").at_least(0).alias("min_split_loss"));
        v("max_depth", max_depth, Spec("maximum tree depth (0: unlimited, lossguide only)").at_least(0));
        v("min_child_weight", min_child_weight, Spec("minimum sum of hessians in a child").at_least(0));
        v("max_delta_step", max_delta_step, Spec("maximum absolute leaf weight before eta (0: no limit)").at_least(0));
        v("subsample", subsample, Spec("fraction of rows sampled for each tree").greater_than(0).at_most(1));
        v("colsample_bytree", colsample_bytree, Spec("fraction of features sampled per tree").greater_than(0).at_most(1));
        v("colsample_bylevel", colsample_bylevel, Spec("fraction of the tree's features sampled per level").greater_than(0).at_most(1));
        v("colsample_bynode", colsample_bynode, Spec("fraction of the level's features sampled per node").greater_than(0).at_most(1));
        v("lambda", lambda, Spec("L2 regularisation of leaf weights").at_least(0).alias("reg_lambda"));
        v("alpha", alpha, Spec("L1 regularisation of leaf weights").at_least(0).alias("reg_alpha"));
        v("tree_method", tree_method, Spec("split finding: the histogram method (auto = hist)"));
        v("scale_pos_weight", scale_pos_weight, Spec("weight multiplier of positive rows (binary objectives)").greater_than(0));
        v("grow_policy", grow_policy, Spec("depthwise: level by level; lossguide: best loss reduction first"));
        v("max_leaves", max_leaves, Spec("maximum number of leaves (0: unlimited)").at_least(0));
        v("max_bin", max_bin, Spec("maximum number of histogram bins per feature").between(2, 65535));
        v("base_score", base_score, Spec("initial prediction of every row, in output space"));
        v("eval_metric", eval_metric, Spec("metrics evaluated each round, e.g. [auc, logloss]; early stopping uses the last"));
        v("seed", seed, Spec("random seed for row and feature sampling").at_least(0).alias("random_state"));
        v("tweedie_variance_power", tweedie_variance_power, Spec("variance power of reg:tweedie").greater_than(1).less_than(2));
        v("huber_slope", huber_slope, Spec("delta of reg:pseudohubererror").greater_than(0));
        v("early_stopping_rounds", early_stopping_rounds,
          Spec("stop when the validation metric has not improved for this many rounds").at_least(1));
        v("num_threads", num_threads, Spec("threads (0: all cores)").at_least(0).alias("nthread"));
    }

    /// Ranges, then what depends on several fields: the objective's name and class count,
    /// the growth limits, the metrics and base_score's domain.
    void validate() const {
        check_ranges(*this);
        const ObjectiveInfo& info = find_objective(objective);
        if (info.multiclass && num_class < 2)
            throw invalid_argument(errc::inconsistent, std::string("xgboost: objective ") + info.name +
                                                           " needs num_class >= 2, got num_class = " +
                                                           std::to_string(num_class));
        if (!info.multiclass && num_class > 1)
            throw invalid_argument(errc::inconsistent, "xgboost: num_class = " + std::to_string(num_class) +
                                                           " needs objective multi:softmax or multi:softprob, not " +
                                                           objective);
        if (grow_policy == GrowPolicy::depthwise && max_depth == 0)
            throw invalid_argument(errc::inconsistent,
                                   "xgboost: max_depth = 0 (unlimited) needs grow_policy = lossguide");
        for (const auto& name : eval_metric) check_metric(name, info.multiclass);
        if (base_score) check_base_score(info, *base_score);
    }
};

/// max_delta_step when unset: 0.7 under count:poisson (its hessian and the trees, as in
/// XGBoost), else 0 (no limit).
inline double resolved_max_delta_step(const Params& p) {
    if (p.max_delta_step) return *p.max_delta_step;
    return find_objective(p.objective).name == std::string("count:poisson") ? 0.7 : 0.0;
}

/// What the objectives read from the hyperparameters.
inline ObjectiveSettings objective_settings(const Params& p) {
    ObjectiveSettings s;
    s.scale_pos_weight = p.scale_pos_weight;
    s.poisson_max_delta_step = resolved_max_delta_step(p);
    s.tweedie_variance_power = p.tweedie_variance_power;
    s.huber_slope = p.huber_slope;
    s.num_class = p.num_class;
    return s;
}

}  // namespace shelf::gbt
