// The linear learner behind `shelf train --algorithm linear-learner`.
//
// Dense CSV or sparse libsvm channels (libsvm stays CSR). Outputs, as the platform's:
// `score` for every predictor type (binary: probability of class 1, or the raw margin with
// hinge_loss; multiclass: one probability per class; regressor: the value) and, for
// classifiers, `predicted_label`. Metrics: linear::evaluate's, named "<channel>:<metric>".
#pragma once

#include <iostream>
#include <istream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <shelf/linear.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class LinearLearnerModel : public Model {
public:
    explicit LinearLearnerModel(linear::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(model_.params()); }

    Outputs predict(const Table& data, const PredictOptions&) const override {
        return data.sparse ? linear::outputs(model_, *data.sparse) : linear::outputs(model_, MatrixView<float>(data.X));
    }

    Metrics evaluate(const Table& data, const std::string& channel) const override {
        return named(channel, data.sparse ? linear::evaluate(model_, *data.sparse, data.y)
                                          : linear::evaluate(model_, data.X, data.y));
    }

private:
    linear::Model<float> model_;
};

class LinearLearner : public Algorithm {
public:
    const char* name() const override { return "linear-learner"; }
    const char* family() const override { return linear::Params::family; }
    InputSpec input() const override { return {/*supervised=*/true, /*allow_missing=*/false, /*sparse=*/true}; }
    std::vector<ParamInfo> describe() const override { return shelf::describe(linear::Params{}); }

    void check(const std::map<std::string, std::string>& hyperparameters, const Table& data) const override {
        linear::check_labels<float>(from_map<linear::Params>(hyperparameters), data.y, data.source,
                                    RowNames::file_lines(data.lines));
    }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table* validation, const ProgressCallback& progress) const override {
        const auto params = from_map<linear::Params>(hyperparameters);
        const Validation<float> valid = !validation        ? Validation<float>()
                                        : validation->sparse ? Validation<float>(*validation->sparse, validation->y)
                                                             : Validation<float>(validation->X, validation->y);
        linear::Model<float> model = train.sparse ? linear::fit(*train.sparse, train.y, params, valid, progress)
                                                  : linear::fit(train.X, train.y, params, valid, progress);
        if (model.report().plus_minus_one)
            std::cerr << "linear-learner: binary labels given as -1/+1 are read as 0/1 "
                         "(predicted_label will be 0 or 1)\n";
        return wrap(std::move(model));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return wrap(linear::Model<float>::load(in));
    }

private:
    static std::unique_ptr<Model> wrap(linear::Model<float> model) {
        return std::make_unique<LinearLearnerModel>(std::move(model));
    }
};

}  // namespace shelf::cli
