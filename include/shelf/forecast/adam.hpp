// shelf/forecast/adam.hpp: Adam (Kingma & Ba) on the flat weight vector, after clipping the
// gradient's global norm.
#pragma once

#include <cmath>

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

private:
    Vector<T> m_, v_;
    double rate_, clip_;
    int t_ = 0;
};

}  // namespace shelf::deepar::detail
