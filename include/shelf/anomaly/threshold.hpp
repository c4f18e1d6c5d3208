// shelf/anomaly/threshold.hpp: scores to anomaly grades with a threshold that follows the stream,
// alerting at an event's onset rather than on every row of it.
//
// A score's deviation is z = (score − mean) / sd of the scores before it, the mean and variance
// running averages over about `horizon` scores (all of them until that many have been seen). A
// score is graded when z is above the threshold z_factor and above every z of the last
// `alert_spacing` rows: the onset of an event, or a worsening of it, but not each row it lasts.
// Its grade is 1 − z_factor / z, in (0, 1), growing with the deviation; other rows grade 0, as
// do all before `warmup` scores. (On NAB, grades with this spacing score 53.9, where alerting on
// every row above the threshold scores no better than never alerting: docs/rcf.md.)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace shelf::rcf {

class Thresholder {
public:
    /// Rows over which an alert is not repeated.
    static constexpr std::size_t alert_spacing = 100;

    /// z_factor deviations over about `horizon` scores, grading from the `warmup`-th score on.
    void configure(double z_factor, double horizon, std::int64_t warmup) noexcept {
        z_factor_ = z_factor, horizon_ = horizon, warmup_ = warmup;
    }

    /// The score above which a point is an anomaly now (infinite during the warm-up).
    double threshold() const noexcept { return seen_ < warmup_ ? HUGE_VAL : mean_ + z_factor_ * std::sqrt(variance_); }

    /// The grade of `score`, which is then learnt.
    double grade(double score) {
        const double z = variance_ > 0 ? (score - mean_) / std::sqrt(variance_) : 0.0;
        if (recent_.size() != alert_spacing) recent_.assign(alert_spacing, -HUGE_VAL);
        const double before = *std::max_element(recent_.begin(), recent_.end());
        recent_[static_cast<std::size_t>(seen_) % alert_spacing] = z;
        const double g = seen_ >= warmup_ && z > z_factor_ && z > before ? 1 - z_factor_ / z : 0.0;
        learn(score);
        return g;
    }

    template <class Self, class Fields>
    static void fields(Self& t, Fields& f) {
        f("threshold.mean", t.mean_);
        f("threshold.variance", t.variance_);
        f("threshold.seen", t.seen_);
        f("threshold.recent", t.recent_);
    }
    bool consistent() const noexcept {
        return std::isfinite(mean_) && variance_ >= 0 && std::isfinite(variance_) && seen_ >= 0 &&
               (recent_.empty() || recent_.size() == alert_spacing);
    }

private:
    void learn(double score) noexcept {
        ++seen_;
        const double weight = std::max(1.0 / static_cast<double>(seen_), 1.0 / horizon_);
        const double delta = score - mean_;
        mean_ += weight * delta;
        variance_ = (1 - weight) * (variance_ + weight * delta * delta);  // exponentially weighted (West 1979)
    }

    double z_factor_ = 3, horizon_ = HUGE_VAL;
    std::int64_t warmup_ = 0;
    double mean_ = 0, variance_ = 0;
    std::int64_t seen_ = 0;
    std::vector<double> recent_;  ///< the last alert_spacing deviations, a ring indexed by seen_
};

}  // namespace shelf::rcf
