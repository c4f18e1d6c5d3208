// The `xgboost` algorithm of the shelf command line: gradient-boosted trees (shelf::gbt),
// with XGBoost's hyperparameter names (and its aliases, e.g. learning_rate for eta).
//
// predict writes {"score": p} per row for binary and regression objectives (the transformed
// output: probability, count, value), {"score": [p0, ..., pK-1], "predicted_label": k} for
// multi:softprob and {"predicted_label": k} for multi:softmax (gbt::outputs).
#pragma once

#include <cstdio>
#include <memory>
#include <utility>

#include <shelf/trees.hpp>
#include <shelf/trees/xgboost_json.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class XgboostModel : public Model {
public:
    explicit XgboostModel(gbt::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }
    Outputs predict(const Table& data, const PredictOptions&) const override { return gbt::outputs(model_, data.X); }
    Metrics evaluate(const Table& data, const std::string& channel) const override {
        return named(channel, gbt::evaluate(model_, data.X, data.y));
    }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(model_.params()); }

    /// Feature importance as XGBoost's get_score: "importance.gain.f3" for every feature that splits.
    Metrics details() const override {
        static constexpr std::pair<gbt::Importance, const char*> kinds[] = {
            {gbt::Importance::weight, "weight"}, {gbt::Importance::gain, "gain"}, {gbt::Importance::cover, "cover"}};
        Metrics out{{"rounds", model_.num_rounds()}};
        for (const auto& [kind, name] : kinds) {
            const Vector<double> values = model_.importance(kind);
            for (Index f = 0; f < values.size(); ++f)
                if (values[f] != 0) out.emplace_back(std::string("importance.") + name + ".f" + std::to_string(f), values[f]);
        }
        return out;
    }

    std::string export_as(const std::string& format) const override {
        return format == "xgboost-json" ? gbt::to_xgboost_json(model_) : std::string();
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

    void check(const std::map<std::string, std::string>& hyperparameters, const Table& data) const override {
        const auto params = from_map<gbt::Params>(hyperparameters);
        gbt::check_labels<float>(data.y, gbt::find_objective(params.objective), params.num_class, data.source,
                                RowNames::file_lines(data.lines));
    }

    std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters, const Table& train,
                                 const Table* validation, const ProgressCallback& progress) const override {
        const auto params = from_map<gbt::Params>(hyperparameters);
        const Validation<float> valid =
            validation ? Validation<float>(validation->X, validation->y) : Validation<float>();
        gbt::Model<float> model = gbt::fit(train.X, train.y, params, valid, progress);
        const gbt::FitReport& report = model.report();
        if (report.stopped_early)
            std::fprintf(stderr, "early stopping: stopped at round %d, best round %d, validation-%s %g\n",
                         static_cast<int>(report.validation.rows()), report.best_iteration + 1,
                         model.params().eval_metric.back().c_str(), report.best_score);
        return std::make_unique<XgboostModel>(std::move(model));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        return std::make_unique<XgboostModel>(gbt::Model<float>::load(in));
    }
};

}  // namespace shelf::cli
