// shelf/core.hpp: types, errors, random numbers, threads, progress, hyperparameters, model files.
#pragma once

#include "core/error.hpp"
#include "core/params.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"
#include "core/serialize.hpp"
#include "core/types.hpp"
