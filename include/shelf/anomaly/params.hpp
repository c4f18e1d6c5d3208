// shelf/anomaly/params.hpp: the random cut forest hyperparameters, with the platform's names and defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/params.hpp"

namespace shelf::rcf {

/// A metric reported on labelled test data (label 1 = anomaly), the prediction being a score
/// above the model's threshold.
enum class EvalMetric {
    accuracy,
    precision_recall_fscore,  ///< precision, recall and F1 of the anomaly class
};
inline constexpr std::pair<EvalMetric, const char*> eval_metric_names[] = {
    {EvalMetric::accuracy, "accuracy"}, {EvalMetric::precision_recall_fscore, "precision_recall_fscore"}};
inline const auto& enum_names(EvalMetric) { return eval_metric_names; }

/// Random cut forest hyperparameters. `auto` values (unset optionals) are resolved by fit()
/// and the resolved values are what the model stores.
struct Params {
    static constexpr const char* family = "randomcutforest";

    int num_trees = 100;                ///< trees in the forest
    int num_samples_per_tree = 256;     ///< points each tree is built from (1 / value ≈ the expected anomaly rate)
    std::optional<int> feature_dim;     ///< columns of the data; auto = taken from the data
    std::vector<EvalMetric> eval_metrics{EvalMetric::accuracy, EvalMetric::precision_recall_fscore};
    double z_factor = 3.0;              ///< a score above the mean plus this many standard deviations is an anomaly
    bool streaming = false;             ///< learn each point as it arrives (Stream) instead of training once (Model)
    int shingle_size = 1;               ///< streaming: a point is the last shingle_size rows end to end
    std::optional<double> time_decay;   ///< streaming: the sample's bias to recent points; auto = 0.1 / num_samples_per_tree
    int num_threads = 0;                ///< OpenMP threads; 0 = all
    std::int64_t seed = 0;              ///< seed of the samples, the cuts and the scoring draws

    template <class V>
    void visit(V&& v) {
        v("num_trees", num_trees, Spec("number of trees").at_least(50).at_most(1000));
        v("num_samples_per_tree", num_samples_per_tree,
          Spec("points sampled for each tree; 1 / value is about the expected anomaly rate").at_least(1).at_most(2048));
        v("feature_dim", feature_dim, Spec("number of features; auto = the data's column count").at_least(1));
        v("eval_metrics", eval_metrics, Spec("metrics reported on labelled test data: accuracy, precision_recall_fscore"));
        v("z_factor", z_factor, Spec("a score above the mean plus z_factor standard deviations is an anomaly").greater_than(0));
        v("streaming", streaming, Spec("learn each point as it arrives, scoring it first (predict continues the stream)"));
        v("shingle_size", shingle_size, Spec("streaming: each point is the last shingle_size rows end to end").at_least(1).at_most(1024));
        v("time_decay", time_decay,
          Spec("streaming: bias of the sample to recent points, about 1 / time_decay points back; 0 = uniform over "
               "everything seen; auto = 0.1 / num_samples_per_tree").at_least(0));
        v("num_threads", num_threads, Spec("threads; 0 = all cores").at_least(0));
        v("seed", seed, Spec("random seed of the samples, the cuts and the scores").at_least(0));
    }

    void validate() const {
        check_ranges(*this);
        if (eval_metrics.empty())
            throw invalid_argument(errc::out_of_range, "randomcutforest: hyperparameter eval_metrics is empty; expected a "
                                                    "list of accuracy, precision_recall_fscore");
        if (!streaming && (shingle_size != 1 || time_decay))
            throw invalid_argument(errc::out_of_range, "randomcutforest: hyperparameters shingle_size and time_decay "
                                                       "need streaming=true");
    }
};

}  // namespace shelf::rcf
