// `shelf train --algorithm deepar`: the platform's DeepAR-style forecaster.
//
// application/jsonlines channels, one series per line ({"start", "target", "cat",
// "dynamic_feat"}). predict writes per series {"mean": [...], "quantiles": {"0.1": [...], ...}}
// for the prediction_length steps after its last point, at the model's test_quantiles, unless
// the request's configuration (application/json {"instances", "configuration"}, or
// DEEPAR_INFERENCE_CONFIG beside JSON lines) asks for other num_samples, output_types, quantiles.
// evaluate forecasts each test series' last prediction_length points from the points before
// them: RMSE, mean_wQuantileLoss, wQuantileLoss[τ]. The validation channel drives early stopping.
#pragma once

#include <istream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <shelf/forecast.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class DeepARModel final : public Model {
public:
    explicit DeepARModel(deepar::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(model_.params()); }

    Outputs predict(const Table& data, const PredictOptions&) const override {
        deepar::ForecastOptions options;
        deepar::OutputTypes types;
        if (data.configuration) {
            options.num_samples = data.configuration->num_samples;
            options.quantiles = data.configuration->quantiles;
            try {
                if (data.configuration->output_types) types = deepar::OutputTypes::parse(*data.configuration->output_types);
            } catch (const invalid_argument& e) {
                throw data_error(errc::parse_error, data.source + ": configuration: " + e.message());
            }
        }
        return deepar::outputs(model_, series_of(data), options, types);
    }

    Metrics evaluate(const Table& data, const std::string& channel) const override {
        return named(channel, deepar::evaluate(model_, series_of(data)));
    }

    /// The forecast's steps need the dynamic features too.
    Index series_horizon() const override { return *model_.params().prediction_length; }

private:
    static const std::vector<Series<float>>& series_of(const Table& data) {
        if (data.series.empty())
            throw data_error(errc::parse_error, data.source + ": deepar reads application/jsonlines time series "
                                                              "({\"start\": ..., \"target\": [...]} per line)");
        return data.series;
    }

    deepar::Model<float> model_;
};

class DeepARAlgorithm final : public Algorithm {
public:
    const char* name() const override { return "deepar"; }
    const char* family() const override { return deepar::Params::family; }
    InputSpec input() const override {
        InputSpec spec;
        spec.series = true;
        return spec;
    }
    std::vector<ParamInfo> describe() const override { return shelf::describe(deepar::Params{}); }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table* validation, const ProgressCallback& progress) const override {
        const auto params = from_map<deepar::Params>(hyperparameters);
        const std::vector<Series<float>> none;
        return std::make_unique<DeepARModel>(
            deepar::fit(train.series, params, validation ? validation->series : none, progress));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return std::make_unique<DeepARModel>(deepar::Model<float>::load(in));
    }
};

}  // namespace shelf::cli
