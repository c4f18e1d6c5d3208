// shelf/forecast.hpp: the DeepAR-style probabilistic forecaster — shelf::deepar::Params, fit,
// Model (forecast: sample paths, mean, quantiles), and the platform's outputs and metrics.
//
//     shelf::deepar::Params p;
//     p.time_freq = shelf::deepar::TimeFreq::hour;
//     p.prediction_length = 24;
//     p.context_length = 72;
//     p.epochs = 20;
//     auto model = shelf::deepar::fit(series, p);          // std::vector<shelf::Series<float>>
//     auto forecasts = model.forecast(series);             // mean and quantiles per series
//     auto metrics = shelf::deepar::evaluate(model, test); // RMSE, mean_wQuantileLoss, ...
#pragma once

#include "forecast/evaluate.hpp"
#include "forecast/fit.hpp"
#include "forecast/model.hpp"
#include "forecast/params.hpp"
