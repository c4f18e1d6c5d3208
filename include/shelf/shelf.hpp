// shelf/shelf.hpp: every family, the core and the metrics in one include.
//
// The file readers live in <shelf/io.hpp> (target shelf::io), which adds the
// fast_float dependency; include them where you read files.
#pragma once

#include "core.hpp"
#include "metrics.hpp"
#include "anomaly.hpp"
#include "cluster.hpp"
#include "decomposition.hpp"
#include "factorization.hpp"
#include "forecast.hpp"
#include "linear.hpp"
#include "neighbors.hpp"
#include "trees.hpp"
