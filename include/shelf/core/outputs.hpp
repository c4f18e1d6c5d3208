// shelf/core/outputs.hpp: a family's platform outputs and metrics, by the platform's names.
//
// Each family's `outputs(model, X)` answers an inference request field by field
// (`closest_cluster`, `score`, `predicted_label`, `projection`, ...) and its
// `evaluate(model, X[, y])` gives the metrics the platform reports on a channel. The CLI
// writes both as they are; a library user gets the same answers without it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "types.hpp"

namespace shelf {

/// One output field, with a row per input row. A field of one column with `list == false` is a
/// scalar per row (`"score": 0.7`), otherwise a list (`"projection": [..]`).
struct Output {
    std::string name;
    RowMatrix<double> values;
    bool integer = false;  ///< whole numbers (labels, cluster indices)
    bool list = false;
    Index sublist = 0;     ///< > 0: a row's list is lists of this many (forecast samples: paths × steps)
};
using Outputs = std::vector<Output>;

/// Named metrics in the platform's order, e.g. {{"msd", 1.5}}.
using Metrics = std::vector<std::pair<std::string, double>>;

}  // namespace shelf
