// `shelf train --algorithm knn`: the platform's k-nearest-neighbours classifier and regressor.
// Dense CSV or libsvm channels, labelled in column 0. Outputs `predicted_label`; with the accept
// type's `verbose=true`, also `labels` and `distances` of the k neighbours, nearest first.
// Metrics: accuracy (classifier) or mse (regressor), named "<channel>:<metric>".
#pragma once

#include <cmath>
#include <istream>
#include <memory>
#include <string>

#include <shelf/neighbors.hpp>
#include <shelf/neighbors/evaluate.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class KnnModel final : public Model {
public:
    explicit KnnModel(knn::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(model_.params()); }

    Outputs predict(const Table& data, const PredictOptions& options) const override {
        return knn::outputs(model_, data.X, options.verbose);
    }

    Metrics evaluate(const Table& data, const std::string& channel) const override {
        return named(channel, knn::evaluate(model_, data.X, data.y));
    }

private:
    knn::Model<float> model_;
};

class KnnAlgorithm final : public Algorithm {
public:
    const char* name() const override { return "knn"; }
    const char* family() const override { return knn::Params::family; }
    InputSpec input() const override { return {/*supervised=*/true, /*allow_missing=*/false, /*sparse=*/false}; }
    std::vector<ParamInfo> describe() const override { return shelf::describe(knn::Params{}); }

    void check(const std::map<std::string, std::string>&, const Table& data) const override {
        const RowNames rows = RowNames::file_lines(data.lines);
        for (Index i = 0; i < data.y.size(); ++i)
            if (!std::isfinite(data.y[i]))
                throw data_error(errc::not_finite, data.source + ": the label in " + rows(i) + " is " +
                                                       (std::isnan(data.y[i]) ? "NaN" : "infinite") +
                                                       "; expected a finite label");
    }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table*, const ProgressCallback& progress) const override {
        return std::make_unique<KnnModel>(knn::fit(train.X, train.y, from_map<knn::Params>(hyperparameters), progress));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return std::make_unique<KnnModel>(knn::Model<float>::load(in));
    }
};

}  // namespace shelf::cli
