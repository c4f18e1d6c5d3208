// shelf/core/progress.hpp: how long-running training reports progress and is stopped.
#pragma once

#include <functional>
#include <string>
#include <utility>

namespace shelf {

/// One progress report: `done` of `total` units of `stage` (epochs, rounds, iterations).
struct Progress {
    Progress() = default;
    Progress(std::string stage_, long long done_, long long total_, double metric_ = 0.0, std::string metric_name_ = {})
        : stage(std::move(stage_)), done(done_), total(total_), metric(metric_), metric_name(std::move(metric_name_)) {}

    std::string stage;  ///< what is being counted, e.g. "epoch" or "round"
    long long done = 0;
    long long total = 0;
    double metric = 0.0;      ///< the latest value of `metric_name`, when there is one
    std::string metric_name;  ///< empty when no metric is reported
    /// When set, computes the metric on demand instead of `metric`: a pass over the training
    /// data each round that a callback printing one report in ten should not pay. Valid only
    /// during the callback.
    std::function<double()> compute_metric;

    /// The metric: computed now when it is computed on demand.
    double value() const { return compute_metric ? compute_metric() : metric; }
};

/// Called after each unit of work; returning false asks the trainer to stop early
/// (the model trained so far is returned, marked as stopped in its report).
using ProgressCallback = std::function<bool(const Progress&)>;

/// Calls `callback` when set; true means "keep going".
inline bool report(const ProgressCallback& callback, const Progress& progress) {
    return !callback || callback(progress);
}

}  // namespace shelf
