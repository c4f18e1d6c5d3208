// `shelf train --algorithm pca`: principal component analysis, dense or sparse input.
#pragma once

#include <istream>
#include <memory>

#include <shelf/decomposition.hpp>
#include <shelf/decomposition/evaluate.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class PcaModel final : public Model {
public:
    explicit PcaModel(pca::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(model_.params()); }

    Outputs predict(const Table& data, const PredictOptions&) const override {
        return data.sparse ? pca::outputs(model_, *data.sparse) : pca::outputs(model_, data.X);
    }

    Metrics evaluate(const Table& data, const std::string& channel) const override {
        return named(channel, data.sparse ? pca::evaluate(model_, *data.sparse) : pca::evaluate(model_, data.X));
    }

private:
    pca::Model<float> model_;
};

class PcaAlgorithm final : public Algorithm {
public:
    const char* name() const override { return "pca"; }
    const char* family() const override { return pca::Params::family; }
    InputSpec input() const override { return {/*supervised=*/false, /*allow_missing=*/false, /*sparse=*/true}; }
    std::vector<ParamInfo> describe() const override { return shelf::describe(pca::Params{}); }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table*, const ProgressCallback& progress) const override {
        const auto params = from_map<pca::Params>(hyperparameters);
        return std::make_unique<PcaModel>(train.sparse ? pca::fit(*train.sparse, params, progress)
                                                        : pca::fit(train.X, params, progress));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return std::make_unique<PcaModel>(pca::Model<float>::load(in));
    }
};

}  // namespace shelf::cli
