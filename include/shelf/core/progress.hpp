// shelf/core/progress.hpp: how long-running training reports progress and is stopped.
#pragma once

#include <functional>
#include <string>

namespace shelf {

/// One progress report: `done` of `total` units of `stage` (epochs, rounds, iterations).
struct Progress {
    std::string stage;  ///< what is being counted, e.g. "epoch" or "round"
    long long done = 0;
    long long total = 0;
    double metric = 0.0;      ///< the latest value of `metric_name`, when there is one
    std::string metric_name;  ///< empty when no metric is reported
};

/// Called after each unit of work; returning false asks the trainer to stop early
/// (the model trained so far is returned, marked as stopped in its report).
using ProgressCallback = std::function<bool(const Progress&)>;

/// Calls `callback` when set; true means "keep going".
inline bool report(const ProgressCallback& callback, const Progress& progress) {
    return !callback || callback(progress);
}

}  // namespace shelf
