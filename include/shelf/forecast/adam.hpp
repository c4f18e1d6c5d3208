// shelf/forecast/adam.hpp: Adam (Kingma & Ba) on the flat weight vector, after clipping the
// gradient's global norm, and the learning rate's decay when the loss stops falling.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "shelf/core/types.hpp"

namespace shelf::deepar::detail {

template <class T>
class Adam {
public:
    Adam(Index size, double learning_rate, double clip_norm)
        : m_(Vector<T>::Zero(size)), v_(Vector<T>::Zero(size)), rate_(learning_rate), clip_(clip_norm) {}

    /// One step of `w` down `g` (which is rescaled in place when its norm exceeds the clip).
    void step(Vector<T>& w, Vector<T>& g) {
        const double norm = std::sqrt(g.template cast<double>().squaredNorm());
        if (norm > clip_) g *= static_cast<T>(clip_ / norm);
        ++t_;
        constexpr double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        const double step = rate_ * std::sqrt(1 - std::pow(beta2, t_)) / (1 - std::pow(beta1, t_));
        m_ = T(beta1) * m_ + T(1 - beta1) * g;
        v_ = T(beta2) * v_ + T(1 - beta2) * g.cwiseAbs2();
        w.array() -= T(step) * m_.array() / (v_.array().sqrt() + T(eps));
    }

    void set_rate(double rate) noexcept { rate_ = rate; }

private:
    Vector<T> m_, v_;
    double rate_, clip_;
    int t_ = 0;
};

/// GluonTS's Trainer schedule: the rate is multiplied by `factor` after `patience` epochs in a
/// row without a lower loss than the best so far, never below `floor` (nor raised to it).
class Plateau {
public:
    Plateau(double rate, double factor, int patience, double floor)
        : rate_(rate), factor_(factor), floor_(std::min(floor, rate)), patience_(patience) {}

    /// The rate for the next epoch, after one whose loss was `loss`.
    double after_epoch(double loss) {
        if (loss < best_) {
            best_ = loss, flat_ = 0;
        } else if (++flat_ >= patience_) {
            rate_ = std::max(floor_, rate_ * factor_), flat_ = 0;
        }
        return rate_;
    }

private:
    double rate_, factor_, floor_;
    int patience_, flat_ = 0;
    double best_ = std::numeric_limits<double>::infinity();
};

}  // namespace shelf::deepar::detail
