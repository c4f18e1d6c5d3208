// `shelf train --algorithm kmeans`: the platform's k-means.
#pragma once

#include <istream>
#include <memory>

#include <shelf/cluster.hpp>
#include <shelf/cluster/evaluate.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class KmeansModel final : public Model {
public:
    explicit KmeansModel(kmeans::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(model_.params()); }

    Outputs predict(const Table& data, const PredictOptions&) const override { return kmeans::outputs(model_, data.X); }

    Metrics evaluate(const Table& data, const std::string& channel) const override {
        return named(channel, kmeans::evaluate(model_, data.X));
    }

private:
    kmeans::Model<float> model_;
};

class KmeansAlgorithm final : public Algorithm {
public:
    const char* name() const override { return "kmeans"; }
    const char* family() const override { return kmeans::Params::family; }
    InputSpec input() const override { return {/*supervised=*/false, /*allow_missing=*/false, /*sparse=*/false}; }
    std::vector<ParamInfo> describe() const override { return shelf::describe(kmeans::Params{}); }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table*, const ProgressCallback& progress) const override {
        const auto params = from_map<kmeans::Params>(hyperparameters);
        return std::make_unique<KmeansModel>(kmeans::fit(train.X, params, progress));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return std::make_unique<KmeansModel>(kmeans::Model<float>::load(in));
    }
};

}  // namespace shelf::cli
