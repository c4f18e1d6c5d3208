// shelf/cluster/params.hpp: the k-means hyperparameters, with the platform's names and defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "shelf/core/params.hpp"

namespace shelf::kmeans {

/// How initial centers are chosen.
enum class Init {
    random,            ///< distinct data rows drawn uniformly (by weight, for weighted points)
    kmeans_plus_plus,  ///< greedy k-means++: 2 + ⌊ln k⌋ candidates per step, the best one kept (as scikit-learn)
};
inline constexpr std::pair<Init, const char*> init_names[] = {{Init::random, "random"},
                                                            {Init::kmeans_plus_plus, "kmeans++"}};
inline const auto& enum_names(Init) { return init_names; }

/// The training method.
enum class Mode {
    minibatch,  ///< the platform's: web-scale mini-batch k-means on k·extra_center_factor centers, reduced to k by a local Lloyd run
    lloyd,      ///< full-batch Lloyd iterations on all rows
};
inline constexpr std::pair<Mode, const char*> mode_names[] = {{Mode::minibatch, "minibatch"}, {Mode::lloyd, "lloyd"}};
inline const auto& enum_names(Mode) { return mode_names; }

/// A metric reported on test data.
enum class EvalMetric {
    msd,  ///< mean squared distance of a row to its closest center
    ssd,  ///< sum of those squared distances
};
inline constexpr std::pair<EvalMetric, const char*> eval_metric_names[] = {{EvalMetric::msd, "msd"},
                                                                         {EvalMetric::ssd, "ssd"}};
inline const auto& enum_names(EvalMetric) { return eval_metric_names; }

/// k-means hyperparameters. `auto` values (unset optionals) are resolved by fit()
/// and the resolved values are what the model stores.
struct Params {
    static constexpr const char* family = "kmeans";

    std::optional<int> k;                         ///< number of clusters (required)
    std::optional<int> feature_dim;               ///< columns of the data; auto = taken from the data
    Mode mode = Mode::minibatch;                  ///< shelf extension: minibatch (the platform's method) or lloyd
    int mini_batch_size = 5000;                   ///< rows per mini-batch
    int epochs = 1;                               ///< passes over the data in minibatch mode
    Init init_method = Init::random;              ///< initial centers (of the k·factor stream centers, or of Lloyd)
    std::optional<int> extra_center_factor;       ///< stream centers = k · factor; auto = max(2, ⌈log₂ k⌉)
    int local_lloyd_max_iter = 300;               ///< Lloyd iterations (the local run, or the lloyd mode)
    double local_lloyd_tol = 1e-4;                ///< stop when the inertia falls by less than this fraction
    std::optional<int> local_lloyd_num_trials;    ///< Lloyd runs from different starts, the best kept; auto: see docs
    Init local_lloyd_init_method = Init::kmeans_plus_plus;  ///< initial centers of the local Lloyd run
    int half_life_time_size = 0;                  ///< rows after which an observation's weight halves; 0 = no decay
    std::vector<EvalMetric> eval_metrics{EvalMetric::msd};  ///< metrics reported on test data
    int num_threads = 0;                          ///< OpenMP threads; 0 = all
    std::int64_t seed = 0;                        ///< seed of every random choice

    template <class V>
    void visit(V&& v) {
        v("k", k, Spec("number of clusters").at_least(1).required());
        v("feature_dim", feature_dim, Spec("number of features; auto = the data's column count").at_least(1));
        v("mode", mode, Spec("minibatch: the platform's web-scale mini-batch k-means, then a local Lloyd run; "
                             "lloyd: full-batch Lloyd iterations"));
        v("mini_batch_size", mini_batch_size, Spec("rows per mini-batch").at_least(1));
        v("epochs", epochs, Spec("passes over the training data (minibatch mode)").at_least(1));
        v("init_method", init_method, Spec("how initial centers are chosen"));
        v("extra_center_factor", extra_center_factor,
          Spec("the stream keeps k * extra_center_factor centers, reduced to k at the end; "
               "auto = max(2, ceil(log2 k))")
              .at_least(1));
        v("local_lloyd_max_iter", local_lloyd_max_iter, Spec("maximum Lloyd iterations per trial").at_least(1));
        v("local_lloyd_tol", local_lloyd_tol,
          Spec("stop Lloyd's iterations when the inertia falls by less than this fraction").at_least(0).less_than(1));
        v("local_lloyd_num_trials", local_lloyd_num_trials,
          Spec("Lloyd runs from different initial centers, the lowest inertia kept; auto = 10 for the local run, "
               "and in lloyd mode 1 with kmeans++ or 10 with random init")
              .at_least(1));
        v("local_lloyd_init_method", local_lloyd_init_method, Spec("initial centers of the local Lloyd run"));
        v("half_life_time_size", half_life_time_size,
          Spec("rows after which an observation's weight in its center halves; 0 = no decay").at_least(0));
        v("eval_metrics", eval_metrics, Spec("metrics reported on test data: msd, ssd"));
        v("num_threads", num_threads, Spec("threads; 0 = all cores").at_least(0));
        v("seed", seed, Spec("random seed").at_least(0));
    }

    void validate() const {
        check_ranges(*this);
        if (eval_metrics.empty())
            throw invalid_argument(errc::out_of_range,
                                   "kmeans: hyperparameter eval_metrics is empty; expected a list of msd, ssd");
    }
};

}  // namespace shelf::kmeans
