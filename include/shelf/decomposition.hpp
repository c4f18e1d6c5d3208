// shelf/decomposition.hpp: PCA — shelf::pca::Params, fit, Accumulator, Model.
//
//     shelf::pca::Params p;
//     p.num_components = 10;
//     auto model = shelf::pca::fit(X, p);                 // X: rows are samples (dense or sparse CSR)
//     shelf::RowMatrix<float> projection = model.transform(X);
//
// Rows that do not fit in memory: shelf::pca::Accumulator<float> acc(p); acc.add(batch) ...; acc.finish().
#pragma once

#include "decomposition/fit.hpp"
#include "decomposition/model.hpp"
#include "decomposition/params.hpp"
#include "decomposition/scatter.hpp"
