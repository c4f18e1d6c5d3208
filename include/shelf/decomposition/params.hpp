// shelf/decomposition/params.hpp: the PCA hyperparameters, with the platform's names and defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "shelf/core/params.hpp"

namespace shelf::pca {

/// How the components are computed.
enum class Mode {
    regular,     ///< exact: mean and scatter matrix in one pass, then a symmetric eigendecomposition
    randomized,  ///< Halko–Martinsson–Tropp randomized range finder with power iterations
};
inline constexpr std::pair<Mode, const char*> mode_names[] = {{Mode::regular, "regular"},
                                                            {Mode::randomized, "randomized"}};
inline const auto& enum_names(Mode) { return mode_names; }

/// PCA hyperparameters. `auto` values (unset optionals, extra_components = −1) are
/// resolved by fit() and the resolved values are what the model stores.
struct Params {
    static constexpr const char* family = "pca";

    std::optional<int> num_components;    ///< principal components kept (required)
    std::optional<int> feature_dim;       ///< columns of the data; auto = taken from the data
    int mini_batch_size = 1000;           ///< rows a thread processes at once
    Mode algorithm_mode = Mode::regular;  ///< regular (exact) or randomized
    bool subtract_mean = true;            ///< center the data (in training and in transform)
    int extra_components = -1;            ///< randomized oversampling; −1 = max(10, num_components)
    std::optional<int> power_iterations;  ///< shelf extension: randomized power iterations; auto: see docs
    int num_threads = 0;                  ///< OpenMP threads; 0 = all
    std::int64_t seed = 0;                ///< seed of the randomized mode's test matrix

    template <class V>
    void visit(V&& v) {
        v("num_components", num_components, Spec("number of principal components").at_least(1).required());
        v("feature_dim", feature_dim, Spec("number of features; auto = the data's column count").at_least(1));
        v("mini_batch_size", mini_batch_size, Spec("rows processed together by a thread").at_least(1));
        v("algorithm_mode", algorithm_mode,
          Spec("regular: exact, from the scatter matrix; randomized: Halko-Martinsson-Tropp range finder"));
        v("subtract_mean", subtract_mean, Spec("subtract the mean before projecting, in training and inference"));
        v("extra_components", extra_components,
          Spec("randomized mode's oversampling; -1 = max(10, num_components)").at_least(-1));
        v("power_iterations", power_iterations,
          Spec("randomized mode's power iterations; auto = 4").at_least(0));
        v("num_threads", num_threads, Spec("threads; 0 = all cores").at_least(0));
        v("seed", seed, Spec("random seed (randomized mode)").at_least(0));
    }

    void validate() const { check_ranges(*this); }
};

}  // namespace shelf::pca
