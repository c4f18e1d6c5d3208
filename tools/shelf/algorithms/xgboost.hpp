// The `xgboost` algorithm of the shelf command line: gradient-boosted trees (shelf::gbt),
// with XGBoost's hyperparameter names (and its aliases, e.g. learning_rate for eta).
//
// predict writes {"score": p} per row for binary and regression objectives (the transformed
// output: probability, count, value), {"score": [p0, ..., pK-1], "predicted_label": k} for
// multi:softprob and {"predicted_label": k} for multi:softmax.
#pragma once

#include <memory>
#include <utility>

#include <shelf/trees.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class XgboostModel : public Model {
public:
    explicit XgboostModel(gbt::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }

    Outputs predict(const Table& data) const override {
        const RowMatrix<double> p = model_.predict(data.X).cast<double>();
        if (model_.objective() == "multi:softmax") return {{"predicted_label", p, true, false}};
        if (model_.objective() == "multi:softprob") {
            RowMatrix<double> label(p.rows(), 1);
            for (Index r = 0; r < p.rows(); ++r) {
                Index best = 0;
                p.row(r).maxCoeff(&best);
                label(r, 0) = static_cast<double>(best);
            }
            return {{"score", p, false, true}, {"predicted_label", label, true, false}};
        }
        return {{"score", p, false, false}};
    }

    Metrics evaluate(const Table& data, const std::string& channel) const override {
        Metrics out;
        for (const auto& [name, value] : gbt::evaluate(model_, data.X, data.y)) out.emplace_back(channel + ":" + name, value);
        return out;
    }

private:
    gbt::Model<float> model_;
};

class XgboostAlgorithm : public Algorithm {
public:
    const char* name() const override { return "xgboost"; }
    const char* family() const override { return gbt::Params::family; }
    InputSpec input() const override { return {/*supervised=*/true, /*allow_missing=*/true, /*sparse=*/false}; }
    std::vector<ParamInfo> describe() const override { return shelf::describe(gbt::Params{}); }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table* validation, const ProgressCallback& progress) const override {
        const gbt::Params params = from_map<gbt::Params>(hyperparameters);
        const Validation<float> valid =
            validation ? Validation<float>(validation->X, validation->y) : Validation<float>();
        return std::make_unique<XgboostModel>(gbt::fit(train.X, train.y, params, valid, progress));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return std::make_unique<XgboostModel>(gbt::Model<float>::load(in));
    }
};

}  // namespace shelf::cli
