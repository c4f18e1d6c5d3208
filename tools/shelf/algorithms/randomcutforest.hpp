// `shelf train --algorithm randomcutforest`: the platform's random cut forest.
#pragma once

#include <istream>
#include <memory>

#include <shelf/anomaly.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class RandomCutForestModel final : public Model {
public:
    explicit RandomCutForestModel(rcf::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(model_.params()); }

    Outputs predict(const Table& data, const PredictOptions&) const override { return rcf::outputs(model_, data.X); }

    /// The metrics need anomaly labels: the training channel has none, a test channel has them in column 0.
    Metrics evaluate(const Table& data, const std::string& channel) const override {
        if (data.y.size() == 0) return {};
        return named(channel, rcf::evaluate<float>(model_, data.X, data.y));
    }

    Metrics details() const override { return {{"threshold", model_.threshold()}}; }

private:
    rcf::Model<float> model_;
};

class RandomCutForestAlgorithm final : public Algorithm {
public:
    const char* name() const override { return "randomcutforest"; }
    const char* family() const override { return rcf::Params::family; }
    InputSpec input() const override {
        InputSpec spec;
        spec.labelled_test = true;
        return spec;
    }
    std::vector<ParamInfo> describe() const override { return shelf::describe(rcf::Params{}); }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table*, const ProgressCallback& progress) const override {
        const auto params = from_map<rcf::Params>(hyperparameters);
        return std::make_unique<RandomCutForestModel>(rcf::fit(train.X, params, progress));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return std::make_unique<RandomCutForestModel>(rcf::Model<float>::load(in));
    }
};

}  // namespace shelf::cli
