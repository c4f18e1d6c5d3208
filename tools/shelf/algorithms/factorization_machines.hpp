// `shelf train --algorithm factorization-machines`: the platform's factorization machines.
//
// Dense CSV or sparse libsvm channels (libsvm stays CSR, the usual form of one-hot data),
// labelled in column 0. Outputs `score` (the regressor's value, the classifier's probability of
// label 1) and, for a binary_classifier, `predicted_label`. Metrics: fm::evaluate's, named
// "<channel>:<metric>". The validation channel drives early stopping.
#pragma once

#include <istream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <shelf/factorization.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class FactorizationMachinesModel final : public Model {
public:
    explicit FactorizationMachinesModel(fm::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(model_.params()); }

    Outputs predict(const Table& data, const PredictOptions&) const override {
        return data.sparse ? fm::outputs(model_, *data.sparse) : fm::outputs(model_, MatrixView<float>(data.X));
    }

    Metrics evaluate(const Table& data, const std::string& channel) const override {
        return named(channel, data.sparse ? fm::evaluate(model_, *data.sparse, data.y)
                                          : fm::evaluate(model_, data.X, data.y));
    }

private:
    fm::Model<float> model_;
};

class FactorizationMachines final : public Algorithm {
public:
    const char* name() const override { return "factorization-machines"; }
    const char* family() const override { return fm::Params::family; }
    InputSpec input() const override { return {/*supervised=*/true, /*allow_missing=*/false, /*sparse=*/true}; }
    std::vector<ParamInfo> describe() const override { return shelf::describe(fm::Params{}); }

    void check(const std::map<std::string, std::string>& hyperparameters, const Table& data) const override {
        fm::check_labels<float>(from_map<fm::Params>(hyperparameters), data.y, data.source,
                                RowNames::file_lines(data.lines));
    }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table* validation, const ProgressCallback& progress) const override {
        const auto params = from_map<fm::Params>(hyperparameters);
        const Validation<float> valid = !validation          ? Validation<float>()
                                        : validation->sparse ? Validation<float>(*validation->sparse, validation->y)
                                                             : Validation<float>(validation->X, validation->y);
        return std::make_unique<FactorizationMachinesModel>(
            train.sparse ? fm::fit(*train.sparse, train.y, params, valid, progress)
                         : fm::fit(train.X, train.y, params, valid, progress));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return std::make_unique<FactorizationMachinesModel>(fm::Model<float>::load(in));
    }
};

}  // namespace shelf::cli
