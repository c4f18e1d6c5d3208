// Every algorithm the CLI knows: one line per family.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "algorithm.hpp"
#include "algorithms/deepar.hpp"
#include "algorithms/factorization_machines.hpp"
#include "algorithms/kmeans.hpp"
#include "algorithms/knn.hpp"
#include "algorithms/linear_learner.hpp"
#include "algorithms/pca.hpp"
#include "algorithms/randomcutforest.hpp"
#include "algorithms/xgboost.hpp"

namespace shelf::cli {

inline const std::vector<std::unique_ptr<Algorithm>>& algorithms() {
    static const std::vector<std::unique_ptr<Algorithm>> all = [] {
        std::vector<std::unique_ptr<Algorithm>> list;
        list.push_back(std::make_unique<KmeansAlgorithm>());
        list.push_back(std::make_unique<PcaAlgorithm>());
        list.push_back(std::make_unique<KnnAlgorithm>());
        list.push_back(std::make_unique<LinearLearner>());
        list.push_back(std::make_unique<XgboostAlgorithm>());
        list.push_back(std::make_unique<RandomCutForestAlgorithm>());
        list.push_back(std::make_unique<FactorizationMachines>());
        list.push_back(std::make_unique<DeepARAlgorithm>());
        return list;
    }();
    return all;
}

/// The algorithm called `name`; unknown names list the known ones.
inline const Algorithm& find_algorithm(const std::string& name) {
    std::vector<std::string> names;
    for (const auto& a : algorithms()) {
        if (name == a->name()) return *a;
        names.emplace_back(a->name());
    }
    throw invalid_argument(errc::bad_value, "unknown algorithm '" + name + "'" + shelf::detail::suggestion(name, names) +
                                                "; available: " + (names.empty() ? "none yet" : shelf::detail::join(names)));
}

/// The algorithm that writes models of family `family`.
inline const Algorithm& find_family(const std::string& family) {
    for (const auto& a : algorithms())
        if (family == a->family()) return *a;
    throw model_error(errc::wrong_family, "no algorithm in this shelf reads '" + family + "' models");
}

}  // namespace shelf::cli
