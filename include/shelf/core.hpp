// shelf/core.hpp: types, errors, input checks, random numbers, threads, progress, hyperparameters,
// validation data, model files.
#pragma once

#include "core/checks.hpp"
#include "core/error.hpp"
#include "core/model_fields.hpp"
#include "core/outputs.hpp"
#include "core/params.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"
#include "core/serialize.hpp"
#include "core/series.hpp"
#include "core/types.hpp"
#include "core/validation.hpp"
