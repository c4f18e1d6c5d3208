// shelf/anomaly/threshold.hpp: scores to anomaly grades with a threshold that follows the stream.
//
// The threshold is the recent scores' mean plus z standard deviations, both running averages
// over about `horizon` scores (all of them until that many have been seen). A score above it
// gets a grade in (0, 1], reaching 1 at a further z standard deviations; before `warmup` scores
// every grade is 0. Each score is learnt after it is graded, clipped to the threshold, so that
// an anomaly does not raise the bar for the next one.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace shelf::rcf {

class Thresholder {
public:
    /// z deviations over about `horizon` scores, grading from the `warmup`-th score on.
    void configure(double z, double horizon, std::int64_t warmup) noexcept { z_ = z, horizon_ = horizon, warmup_ = warmup; }

    /// The score above which a point is an anomaly now (infinite during the warm-up).
    double threshold() const noexcept {
        return seen_ < warmup_ ? HUGE_VAL : mean_ + z_ * std::sqrt(variance_);
    }

    /// The grade of `score`, which is then learnt.
    double grade(double score) noexcept {
        const double bar = threshold();
        double g = 0;
        if (score > bar) {
            const double unit = z_ * std::sqrt(variance_);
            g = unit > 0 ? std::min(1.0, (score - bar) / unit) : 1.0;
        }
        learn(std::min(score, bar));
        return g;
    }

    template <class Self, class Fields>
    static void fields(Self& t, Fields& f) {
        f("threshold.mean", t.mean_);
        f("threshold.variance", t.variance_);
        f("threshold.seen", t.seen_);
    }
    bool consistent() const noexcept { return std::isfinite(mean_) && variance_ >= 0 && std::isfinite(variance_) && seen_ >= 0; }

private:
    void learn(double score) noexcept {
        ++seen_;
        const double weight = std::max(1.0 / static_cast<double>(seen_), 1.0 / horizon_);
        const double delta = score - mean_;
        mean_ += weight * delta;
        variance_ = (1 - weight) * (variance_ + weight * delta * delta);  // exponentially weighted (West 1979)
    }

    double z_ = 3, horizon_ = 1e300;
    std::int64_t warmup_ = 0;
    double mean_ = 0, variance_ = 0;
    std::int64_t seen_ = 0;
};

}  // namespace shelf::rcf
