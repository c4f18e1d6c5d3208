// `shelf train --algorithm pca`: principal component analysis, dense or sparse input.
#pragma once

#include <istream>
#include <memory>

#include <shelf/decomposition.hpp>

#include "../algorithm.hpp"

namespace shelf::cli {

class PcaModel final : public Model {
public:
    explicit PcaModel(pca::Model<float> model) : model_(std::move(model)) {}

    void save(std::ostream& out) const override { model_.save(out); }

    Outputs predict(const Table& data) const override {
        return {{"projection", project(data).cast<double>(), false, true}};
    }

    /// The platform's PCA reports no metrics; shelf reports, on the channel's own rows, the share
    /// of their variance (around the model's mean) that the components keep, and the mean
    /// squared reconstruction error per row. On the training rows the share is the sum of the
    /// explained variance ratios.
    Metrics evaluate(const Table& data, const std::string& channel) const override {
        const RowMatrix<double> X = data.sparse ? RowMatrix<double>(data.sparse->toDense().cast<double>())
                                                : RowMatrix<double>(data.X.cast<double>());
        const RowMatrix<double> back = model_.inverse_transform(project(data)).cast<double>();
        const double error = (X - back).squaredNorm();
        const double total = (X.rowwise() - model_.mean().cast<double>().transpose()).squaredNorm();
        return {{channel + ":explained_variance_ratio", total > 0 ? 1.0 - error / total : 1.0},
                {channel + ":reconstruction_mse", error / static_cast<double>(X.rows())}};
    }

private:
    RowMatrix<float> project(const Table& data) const {
        return data.sparse ? model_.transform(*data.sparse) : model_.transform(data.X);
    }

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
