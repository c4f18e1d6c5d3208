// shelf: train, predict and evaluate shelf models with the managed platform's
// hyperparameter names and channel formats.
//
//   shelf train    --algorithm NAME --train PATH [--validation PATH] [--test PATH]
//                  [--content-type text/csv|text/libsvm|application/jsonlines]
//                  [--hyperparameters FILE.json] [--hp key=value]... --model-dir DIR
//   shelf predict  --model-dir DIR --input PATH [--content-type ...] [--accept ...] [--output PATH]
//   shelf evaluate --model-dir DIR --test PATH [--content-type ...]
//   shelf list
//
// Exit status: 0 success, 2 usage error (including bad hyperparameters), 1 data or model error.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <shelf/core/error.hpp>
#include <shelf/core/serialize.hpp>

#include "data.hpp"
#include "output.hpp"
#include "progress_bar.hpp"
#include "registry.hpp"

namespace fs = std::filesystem;
using namespace shelf::cli;

namespace {

const char* const model_file = "model.shelf";
const char* const metrics_file = "metrics.json";

/// A usage error: exit status 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Hyperparameters from a JSON file (values may be strings, as the platform
/// passes them, or JSON numbers and booleans) and then --hp key=value pairs.
std::map<std::string, std::string> gather_hyperparameters(const std::string& file, const std::vector<std::string>& pairs) {
    std::map<std::string, std::string> hp;
    if (!file.empty()) {
        std::ifstream in(file);
        if (!in) throw usage_error("cannot open hyperparameter file '" + file + "'");
        nlohmann::json j;
        try {
            in >> j;
        } catch (const nlohmann::json::exception& e) {
            throw usage_error("hyperparameter file '" + file + "' is not valid JSON: " + e.what());
        }
        if (!j.is_object()) throw usage_error("hyperparameter file '" + file + "' must hold one JSON object");
        for (const auto& [key, value] : j.items()) hp[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
    for (const auto& pair : pairs) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) throw usage_error("--hp expects key=value, got '" + pair + "'");
        hp[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    return hp;
}

std::string metrics_json(const Metrics& metrics) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [name, value] : metrics) j[name] = value;
    return j.dump(2);
}

struct LoadedModel {
    const Algorithm* algorithm;
    std::unique_ptr<Model> model;
};

LoadedModel load_model(const std::string& dir) {
    const fs::path path = fs::path(dir) / model_file;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw shelf::model_error(shelf::errc::not_a_model, "cannot open model file " + path.string());
    const std::string family = shelf::ModelReader(in).family();
    const Algorithm& algorithm = find_family(family);
    in.clear();
    in.seekg(0);
    return {&algorithm, algorithm.load(in)};
}

int train(const std::string& algorithm_name, const std::string& train_path, const std::string& validation_path,
          const std::string& test_path, const std::string& content_type, const std::string& hp_file,
          const std::vector<std::string>& hp_pairs, const std::string& model_dir) {
    const Algorithm& algorithm = find_algorithm(algorithm_name);
    const auto hp = gather_hyperparameters(hp_file, hp_pairs);
    const InputSpec spec = algorithm.input();
    const Table train_data = read_table(train_path, content_type, spec, spec.supervised);
    std::optional<Table> validation;
    if (!validation_path.empty()) validation = read_table(validation_path, content_type, spec, spec.supervised);

    ProgressBar bar;
    auto model = algorithm.train(hp, train_data, validation ? &*validation : nullptr, bar.callback());
    bar.finish();

    Metrics metrics = model->evaluate(train_data, "train");
    if (validation) {
        const Metrics v = model->evaluate(*validation, "validation");
        metrics.insert(metrics.end(), v.begin(), v.end());
    }
    if (!test_path.empty()) {
        const Metrics t = model->evaluate(read_table(test_path, content_type, spec, spec.supervised), "test");
        metrics.insert(metrics.end(), t.begin(), t.end());
    }

    fs::create_directories(model_dir);
    {
        std::ofstream out(fs::path(model_dir) / model_file, std::ios::binary);
        model->save(out);
        if (!out) throw shelf::model_error(shelf::errc::malformed, "could not write " + model_dir + "/" + model_file);
    }
    const std::string report = metrics_json(metrics);
    std::ofstream(fs::path(model_dir) / metrics_file) << report << "\n";
    std::cout << report << std::endl;
    return 0;
}

int predict(const std::string& model_dir, const std::string& input, const std::string& content_type,
            const std::string& accept, const std::string& output) {
    const auto [algorithm, model] = load_model(model_dir);
    const Table data = read_table(input, content_type, algorithm->input(), /*labelled=*/false);
    const Outputs outputs = model->predict(data);
    std::ofstream file;
    if (!output.empty()) {
        file.open(output);
        if (!file) throw usage_error("cannot write output file '" + output + "'");
    }
    std::ostream& out = output.empty() ? std::cout : file;
    if (accept == "text/csv")
        write_csv_rows(out, outputs);
    else
        write_json_lines(out, outputs);
    return 0;
}

int evaluate(const std::string& model_dir, const std::string& test, const std::string& content_type) {
    const auto [algorithm, model] = load_model(model_dir);
    const Table data = read_table(test, content_type, algorithm->input(), algorithm->input().supervised);
    std::cout << metrics_json(model->evaluate(data, "test")) << std::endl;
    return 0;
}

int list() {
    if (algorithms().empty()) std::cout << "no algorithms registered\n";
    for (const auto& a : algorithms()) {
        std::cout << a->name() << "\n";
        for (const auto& p : a->describe())
            std::cout << "  " << p.name << " = " << (p.required ? "(required)" : p.value) << "  [" << p.expected
                      << "]  " << p.doc << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"shelf: train, predict and evaluate classic machine-learning models"};
    app.require_subcommand(1);
    const std::vector<std::string> content_types{"text/csv", "text/libsvm", "text/x-libsvm", "application/jsonlines"};

    std::string algorithm, train_path, validation_path, test_path, content_type, hp_file, model_dir, input, accept,
        output;
    std::vector<std::string> hp_pairs;

    auto* train_cmd = app.add_subcommand("train", "train a model and write DIR/model.shelf and DIR/metrics.json");
    train_cmd->add_option("--algorithm", algorithm, "algorithm name (see `shelf list`)")->required();
    train_cmd->add_option("--train", train_path, "training channel")->required()->check(CLI::ExistingFile);
    train_cmd->add_option("--validation", validation_path, "validation channel")->check(CLI::ExistingFile);
    train_cmd->add_option("--test", test_path, "test channel: metrics reported at the end")->check(CLI::ExistingFile);
    train_cmd->add_option("--hyperparameters", hp_file, "JSON object of hyperparameters")->check(CLI::ExistingFile);
    train_cmd->add_option("--hp", hp_pairs, "one hyperparameter, key=value (repeatable)");
    train_cmd->add_option("--model-dir", model_dir, "output directory")->required();

    auto* predict_cmd = app.add_subcommand("predict", "predict with a trained model");
    predict_cmd->add_option("--model-dir", model_dir, "directory holding model.shelf")->required();
    predict_cmd->add_option("--input", input, "features to predict on")->required()->check(CLI::ExistingFile);
    predict_cmd->add_option("--accept", accept, "output format")
        ->check(CLI::IsMember({"application/jsonlines", "text/csv"}));
    predict_cmd->add_option("--output", output, "output file (default: standard output)");

    auto* evaluate_cmd = app.add_subcommand("evaluate", "print a trained model's metrics on labelled data as JSON");
    evaluate_cmd->add_option("--model-dir", model_dir, "directory holding model.shelf")->required();
    evaluate_cmd->add_option("--test", test_path, "test channel")->required()->check(CLI::ExistingFile);

    for (auto* cmd : {train_cmd, predict_cmd, evaluate_cmd})
        cmd->add_option("--content-type", content_type, "input format (default: from the file name, else text/csv)")
            ->check(CLI::IsMember(content_types));
    auto* list_cmd = app.add_subcommand("list", "list the algorithms and their hyperparameters with defaults");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "shelf: " << e.what() << " (see shelf --help)\n";
        return 2;
    }

    try {
        if (*train_cmd)
            return train(algorithm, train_path, validation_path, test_path, content_type, hp_file, hp_pairs, model_dir);
        if (*predict_cmd) return predict(model_dir, input, content_type, accept, output);
        if (*evaluate_cmd) return evaluate(model_dir, test_path, content_type);
        if (*list_cmd) return list();
    } catch (const usage_error& e) {
        std::cerr << "shelf: " << e.what() << "\n";
        return 2;
    } catch (const shelf::invalid_argument& e) {
        std::cerr << "shelf: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "shelf: " << e.what() << "\n";
        return 1;
    }
    return 2;
}
