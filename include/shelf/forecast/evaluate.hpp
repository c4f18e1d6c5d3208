// shelf/forecast/evaluate.hpp: the forecaster's platform outputs and test metrics.
//
//   outputs:  mean and quantiles (one list of prediction_length values per series and level),
//             samples when asked for
//   metrics:  RMSE, mean_wQuantileLoss and wQuantileLoss[τ] per test quantile, on the last
//             prediction_length points of each test series, forecast from the points before them
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "model.hpp"
#include "shelf/core/outputs.hpp"
#include "shelf/metrics/forecasting.hpp"
#include "shelf/metrics/regression.hpp"

namespace shelf::deepar {

/// Each test series without its last prediction_length points (its dynamic features kept whole,
/// which then cover the forecast steps).
template <class T>
std::vector<Series<T>> without_horizon(const std::vector<Series<T>>& test, Index prediction_length,
                                       const std::string& who) {
    std::vector<Series<T>> out(test);
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i].target.size() < prediction_length)
            throw data_error(errc::shape_mismatch, detail::series_name(who, i) + ": the target has " +
                                                       std::to_string(out[i].target.size()) +
                                                       " points; scoring needs prediction_length = " +
                                                       std::to_string(prediction_length) + " of them at least");
        out[i].target.conservativeResize(out[i].target.size() - prediction_length);
    }
    return out;
}

/// The platform's test metrics: RMSE of the mean forecast, and the weighted quantile loss
/// 2 Σ pinball / Σ |y| per test quantile and their mean, over every observed point of every
/// series' last prediction_length steps.
template <class T>
Metrics evaluate(const Model<T>& model, const std::vector<Series<T>>& test) {
    const std::string who = std::string(Params::family) + " evaluate";
    if (test.empty()) throw data_error(errc::empty_data, who + ": there are no test series");
    const Index P = *model.params().prediction_length;
    const std::vector<Forecast<T>> forecasts = model.forecast(without_horizon(test, P, who));
    const auto& levels = model.params().test_quantiles;
    std::vector<T> y, mean;
    std::vector<std::vector<T>> q(levels.size());
    for (std::size_t i = 0; i < test.size(); ++i) {
        const Index n = test[i].target.size();
        for (Index t = 0; t < P; ++t) {
            const T value = test[i].target[n - P + t];
            if (std::isnan(value)) continue;
            y.push_back(value);
            mean.push_back(forecasts[i].mean[t]);
            for (std::size_t k = 0; k < levels.size(); ++k) q[k].push_back(forecasts[i].quantiles(t, static_cast<Index>(k)));
        }
    }
    if (y.empty()) throw data_error(errc::empty_data, who + ": the test series' last steps hold no observed point");
    const auto view = [](const std::vector<T>& v) { return Eigen::Map<const Vector<T>>(v.data(), static_cast<Index>(v.size())); };
    Metrics out{{"RMSE", metrics::rmse<T>(view(y), view(mean))}};
    double sum = 0;
    Metrics per_level;
    for (std::size_t k = 0; k < levels.size(); ++k) {
        const double wql = metrics::weighted_quantile_loss<T>(view(y), view(q[k]), levels[k]);
        sum += wql;
        per_level.push_back({"wQuantileLoss[" + shelf::detail::format_value(levels[k]) + "]", wql});
    }
    out.push_back({"mean_wQuantileLoss", sum / double(levels.size())});
    out.insert(out.end(), per_level.begin(), per_level.end());
    return out;
}

/// The response fields a request asks for: the platform's `configuration.output_types`.
struct OutputTypes {
    bool mean = true;
    bool quantiles = true;
    bool samples = false;

    /// From the platform's names ("mean", "quantiles", "samples"); an unknown or repeated
    /// name throws invalid_argument naming it.
    static OutputTypes parse(const std::vector<std::string>& names) {
        OutputTypes types{false, false, false};
        for (const std::string& name : names) {
            bool* field = name == "mean" ? &types.mean : name == "quantiles" ? &types.quantiles
                                                       : name == "samples"   ? &types.samples
                                                                             : nullptr;
            if (!field)
                throw invalid_argument(errc::bad_value, std::string(Params::family) + " output_types: unknown type \"" +
                                                               name + "\"; expected mean, quantiles or samples");
            if (*field)
                throw invalid_argument(errc::inconsistent,
                                       std::string(Params::family) + " output_types: \"" + name + "\" is given twice");
            *field = true;
        }
        return types;
    }
};

/// The platform's response fields, a row per series, as `types` selects them: `mean`, then
/// `quantiles.<level>` per level (the CLI nests these as {"quantiles": {"0.1": [...]}}), then
/// `samples`, each row's paths × prediction_length values as one list of lists. The forecast
/// keeps its sample paths when `types.samples` asks for them, whatever `options.samples` says.
template <class T>
Outputs outputs(const Model<T>& model, const std::vector<Series<T>>& series, ForecastOptions options = {},
                const OutputTypes& types = {}) {
    options.samples = types.samples;
    const std::vector<Forecast<T>> forecasts = model.forecast(series, options);
    const Index n = static_cast<Index>(forecasts.size()), P = *model.params().prediction_length;
    Outputs out;
    const auto add = [&](std::string name, Index width, Index sublist = 0) -> RowMatrix<double>& {
        out.push_back({std::move(name), RowMatrix<double>(n, width), false, true, sublist});
        return out.back().values;
    };
    if (types.mean) {
        RowMatrix<double>& mean = add("mean", P);
        for (Index i = 0; i < n; ++i) mean.row(i) = forecasts[static_cast<std::size_t>(i)].mean.transpose().template cast<double>();
    }
    if (types.quantiles && n > 0) {
        const std::vector<double>& levels = forecasts.front().levels;
        for (std::size_t k = 0; k < levels.size(); ++k) {
            RowMatrix<double>& q = add("quantiles." + shelf::detail::format_value(levels[k]), P);
            for (Index i = 0; i < n; ++i)
                q.row(i) = forecasts[static_cast<std::size_t>(i)].quantiles.col(static_cast<Index>(k)).transpose().template cast<double>();
        }
    }
    if (types.samples && n > 0) {
        RowMatrix<double>& paths = add("samples", forecasts.front().samples.size(), P);
        for (Index i = 0; i < n; ++i)  // row-major paths × steps: path after path
            paths.row(i) = Eigen::Map<const Vector<T>>(forecasts[static_cast<std::size_t>(i)].samples.data(),
                                                      paths.cols()).transpose().template cast<double>();
    }
    return out;
}

}  // namespace shelf::deepar
