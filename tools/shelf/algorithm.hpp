// The interface between the `shelf` command line and one algorithm family.
//
// A family joins the CLI by implementing Algorithm (and the Model it returns) in
// tools/shelf/algorithms/<family>.hpp and adding one line to registry.hpp. All
// argument parsing, file reading and output writing stay in the CLI.
#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <shelf/core/outputs.hpp>
#include <shelf/core/params.hpp>
#include <shelf/core/progress.hpp>
#include <shelf/core/types.hpp>
#include <shelf/io/jsonlines.hpp>

namespace shelf::cli {

/// What an algorithm needs from a channel's file.
struct InputSpec {
    bool supervised = false;     ///< training files carry a label in column 0
    bool allow_missing = false;  ///< empty CSV fields / absent libsvm entries mean NaN
    bool sparse = false;         ///< keeps libsvm input as CSR instead of densifying
    bool series = false;         ///< reads application/jsonlines time series (the forecaster)
    bool labelled_test = false;  ///< an unsupervised family whose test channel carries labels in column 0 (anomalies)
    Index series_horizon = 0;    ///< steps a series' dynamic_feat runs past its target (the forecaster's predict input)
};

/// A forecast request's `configuration`: in an application/json request document, or for JSON
/// lines input in the DEEPAR_INFERENCE_CONFIG environment variable, as the platform reads them.
struct ForecastConfiguration {
    std::optional<int> num_samples;
    std::optional<std::vector<std::string>> output_types;  ///< unset: mean and quantiles
    std::vector<double> quantiles;                         ///< empty: the model's test_quantiles
};

/// One channel's data, read by the CLI.
struct Table {
    std::string source;                    ///< file name, for messages
    RowMatrix<float> X;                    ///< dense features (unless `sparse` is set)
    std::optional<SparseMatrix<float>> sparse;
    Vector<float> y;                       ///< labels; empty when the file has none
    std::vector<std::int64_t> lines;       ///< each row's 1-based line in the file; empty: row r is line r + 1
    std::vector<Series<float>> series;     ///< time series (target, start, cat, dynamic_feat), when read as such
    std::optional<ForecastConfiguration> configuration;  ///< what a forecast request asks for
};

/// Named metrics ("<channel>:<metric>") and output fields, as the library's families give them.
using shelf::Metrics;
using shelf::Output;
using shelf::Outputs;

/// A family's metrics named for the channel they were computed on: "test:msd".
inline Metrics named(const std::string& channel, Metrics metrics) {
    for (auto& metric : metrics) metric.first = channel + ":" + metric.first;
    return metrics;
}

/// How a prediction request asks for its answer.
struct PredictOptions {
    bool verbose = false;  ///< the accept type's `verbose=true`: k-NN adds the neighbours' labels and distances
};

/// A trained or loaded model, as the CLI drives it.
class Model {
public:
    virtual ~Model() = default;
    virtual void save(std::ostream& out) const = 0;
    /// Predictions for features-only rows.
    virtual Outputs predict(const Table& data, const PredictOptions& options) const = 0;
    /// The platform's metrics on labelled data (features only for unsupervised
    /// families), named "<channel>:<metric>".
    virtual Metrics evaluate(const Table& data, const std::string& channel) const = 0;
    /// The resolved hyperparameters, as the model file stores them.
    virtual std::map<std::string, std::string> hyperparameters() const = 0;
    /// What `shelf inspect` shows beyond them, as named numbers (gbt: feature importance).
    virtual Metrics details() const { return {}; }
    /// The model in another library's format (`shelf export --format`); empty: not supported.
    virtual std::string export_as(const std::string& /*format*/) const { return {}; }
    /// Steps a predict input's series carry dynamic features for past their target (0: none).
    virtual Index series_horizon() const { return 0; }
};

/// One algorithm family.
class Algorithm {
public:
    virtual ~Algorithm() = default;
    virtual const char* name() const = 0;    ///< command-line name, e.g. "kmeans"
    virtual const char* family() const = 0;  ///< family tag in model files
    virtual InputSpec input() const = 0;
    virtual std::vector<ParamInfo> describe() const = 0;
    /// Checks a labelled channel against the hyperparameters before any training (the labels
    /// an objective accepts), naming the file and the 1-based row.
    virtual void check(const std::map<std::string, std::string>& /*hyperparameters*/, const Table& /*data*/) const {}
    virtual std::unique_ptr<Model> train(const std::map<std::string, std::string>& hyperparameters,
                                         const Table& train, const Table* validation,
                                         const ProgressCallback& progress) const = 0;
    virtual std::unique_ptr<Model> load(std::istream& in) const = 0;
};

}  // namespace shelf::cli
