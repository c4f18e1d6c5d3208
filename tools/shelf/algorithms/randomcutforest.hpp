// `shelf train --algorithm randomcutforest`: the platform's random cut forest, trained once or
// (streaming=true) learning a stream.
#pragma once

#include <istream>
#include <memory>
#include <string>

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

/// streaming=true: a forest that learns each point as it arrives. predict and evaluate go on
/// from where training (or the saved stream) stopped, on a copy: the model directory keeps it.
class RandomCutForestStream final : public Model {
public:
    explicit RandomCutForestStream(rcf::Stream<float> stream) : stream_(std::move(stream)) {}

    void save(std::ostream& out) const override { stream_.save(out); }
    std::map<std::string, std::string> hyperparameters() const override { return to_map(stream_.params()); }

    /// The accept type's verbose=true adds each point's attribution.
    Outputs predict(const Table& data, const PredictOptions& options) const override {
        return rcf::outputs(stream_, data.X, options.verbose);
    }

    Metrics evaluate(const Table& data, const std::string& channel) const override {
        if (data.y.size() == 0) return {};
        return named(channel, rcf::evaluate<float>(stream_, data.X, data.y));
    }

    Metrics details() const override {
        return {{"rows_seen", static_cast<double>(stream_.rows())},
                {"threshold", stream_.threshold()},
                {"bytes_per_tree", static_cast<double>(stream_.tree_memory()) / stream_.params().num_trees},
                {"point_bytes", static_cast<double>(stream_.point_memory())}};
    }

private:
    rcf::Stream<float> stream_;
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
        if (!params.streaming) return std::make_unique<RandomCutForestModel>(rcf::fit(train.X, params, progress));
        rcf::Stream<float> stream(params, train.X.cols());
        stream.update(train.X);
        return std::make_unique<RandomCutForestStream>(std::move(stream));
    }

    std::unique_ptr<Model> load(std::istream& in) const override {
        const ModelReader saved(in);
        if (rcf::holds_stream(saved)) return std::make_unique<RandomCutForestStream>(rcf::Stream<float>::load(saved));
        return std::make_unique<RandomCutForestModel>(rcf::Model<float>::load(saved));
    }
};

}  // namespace shelf::cli
