// shelf: train, predict and evaluate shelf models with the managed platform's
// hyperparameter names and channel formats.
//
//   shelf train    --algorithm NAME --train PATH [--validation PATH] [--test PATH]
//                  [--content-type text/csv|text/libsvm|application/jsonlines]
//                  [--hyperparameters FILE.json] [--hp key=value]... --model-dir DIR
//   shelf predict  --model-dir DIR --input PATH|- [--content-type ...] [--accept ...] [--output PATH|-]
//   shelf evaluate --model-dir DIR --test PATH [--content-type ...]
//   shelf list     [NAME]
//   shelf inspect  --model-dir DIR
//   shelf export   --model-dir DIR --format xgboost-json [--output PATH|-]
//   shelf --version
//
// Exit status: 0 success, 2 usage error (including bad hyperparameters), 1 data or model error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <shelf/core/checks.hpp>
#include <shelf/core/error.hpp>

#include "data.hpp"
#include "model_dir.hpp"
#include "output.hpp"
#include "progress_bar.hpp"
#include "registry.hpp"

using namespace shelf::cli;

namespace {

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
    std::map<std::string, std::string> from_pairs;
    for (const auto& pair : pairs) {
        const auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) throw usage_error("--hp expects key=value, got '" + pair + "'");
        const std::string key = pair.substr(0, eq);
        // The platform passes one dictionary, which cannot hold a key twice.
        if (from_pairs.count(key)) throw usage_error("hyperparameter '" + key + "' is given twice with --hp");
        if (hp.count(key))
            throw usage_error("hyperparameter '" + key + "' is given both in '" + file + "' and with --hp");
        from_pairs[key] = pair.substr(eq + 1);
    }
    hp.insert(from_pairs.begin(), from_pairs.end());
    return hp;
}

std::string metrics_json(const Metrics& metrics) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [name, value] : metrics) j[name] = value;
    return j.dump(2);
}

int train(const std::string& algorithm_name, const std::string& train_path, const std::string& validation_path,
          const std::string& test_path, const std::string& content_type, const std::string& hp_file,
          const std::vector<std::string>& hp_pairs, const std::string& model_dir) {
    const Algorithm& algorithm = find_algorithm(algorithm_name);
    const auto hp = gather_hyperparameters(hp_file, hp_pairs);
    const InputSpec spec = algorithm.input();
    // Every channel is read (and so checked) before any training; the training channel
    // settles the feature count and the libsvm index base for the others.
    ChannelContract contract;
    // A line before and after each file, with the reading speed: a large file takes seconds.
    const auto read_channel = [&](const char* channel, const std::string& path) {
        std::fprintf(stderr, "reading %s channel %s\n", channel, path.c_str());
        const auto start = std::chrono::steady_clock::now();
        const bool labelled = spec.supervised || (spec.labelled_test && std::string(channel) == "test");
        Table table = in_channel(channel, [&] { return read_table(path, content_type, spec, labelled, contract); });
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double megabytes = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
        std::fprintf(stderr, "read %lld rows in %.2f s (%.1f MB, %.0f MB/s)\n",
                     static_cast<long long>(!table.series.empty() ? static_cast<shelf::Index>(table.series.size())
                                            : table.sparse                ? table.sparse->rows()
                                                                          : table.X.rows()),
                     seconds, megabytes,
                     megabytes / std::max(seconds, 1e-6));
        return table;
    };
    const Table train_data = read_channel("train", train_path);
    // A sparse family told a feature_dim above the training file's largest index accepts the
    // features up to it in the other channels and at prediction too (a held-out file may name
    // items training lacks: MovieLens fold 5).
    if (const auto dim = hp.find("feature_dim"); train_data.sparse && dim != hp.end()) {
        long long given = 0;
        if (shelf::detail::parse_value(shelf::detail::trim(dim->second), given))
            contract.feature_count = std::max<shelf::Index>(contract.feature_count, given);
    }
    std::optional<Table> validation, test;
    if (!validation_path.empty()) validation = read_channel("validation", validation_path);
    if (!test_path.empty()) test = read_channel("test", test_path);
    const std::pair<const char*, const Table*> channels[] = {
        {"train", &train_data}, {"validation", validation ? &*validation : nullptr}, {"test", test ? &*test : nullptr}};
    for (const auto& [channel, table] : channels) {
        if (!table) continue;
        in_channel(channel, [&, table = table] {
            if (!table->sparse && table->series.empty())
                shelf::require_columns(table->X.cols(), contract.feature_count, table->source);
            if (spec.supervised) algorithm.check(hp, *table);
        });
    }

    // Binning (gbt) and scaling (linear) come before the first progress report.
    if (spec.series)
        std::fprintf(stderr, "training %s on %zu series\n", algorithm.name(), train_data.series.size());
    else
        std::fprintf(stderr, "training %s on %lld rows x %lld features\n", algorithm.name(),
                     static_cast<long long>(train_data.sparse ? train_data.sparse->rows() : train_data.X.rows()),
                     static_cast<long long>(contract.feature_count));
    ProgressBar bar;
    auto model = algorithm.train(hp, train_data, validation ? &*validation : nullptr, bar.callback());
    bar.finish();

    Metrics metrics = model->evaluate(train_data, "train");
    for (const auto& [channel, table] : {std::pair{"validation", &validation}, std::pair{"test", &test}})
        if (*table) {
            const Metrics m = model->evaluate(**table, channel);
            metrics.insert(metrics.end(), m.begin(), m.end());
        }
    const std::string report = metrics_json(metrics);
    save_model_dir(model_dir, *model, contract, train_data.sparse ? train_data.sparse->rows() : train_data.X.rows(),
                   report);
    std::cout << report << std::endl;
    return 0;
}

/// Runs `write` on --output's stream: the named file, or standard output for none or "-".
template <class Write>
void to_output(const std::string& output, Write write) {
    if (output.empty() || output == "-") return write(std::cout);
    std::ofstream file(output);
    if (!file) throw usage_error("cannot write output file '" + output + "'");
    write(file);
}

/// The output format of an accept type and its parameters: "application/jsonlines; verbose=true".
std::pair<std::string, PredictOptions> parse_accept(const std::string& accept) {
    const auto trim = [](const std::string& s) { return shelf::detail::trim(s); };
    const std::size_t semicolon = std::min(accept.find(';'), accept.size());
    std::string format = trim(accept.substr(0, semicolon));
    if (format.empty()) format = "application/jsonlines";
    if (format != "application/jsonlines" && format != "application/json" && format != "text/csv")
        throw usage_error("--accept " + accept + ": expected application/jsonlines, application/json or text/csv");
    PredictOptions options;
    for (std::size_t at = semicolon; at < accept.size();) {
        const std::size_t next = std::min(accept.find(';', at + 1), accept.size());
        const std::string parameter = shelf::detail::lower(trim(accept.substr(at + 1, next - at - 1)));
        if (parameter == "verbose=true") options.verbose = true;
        else if (parameter != "verbose=false" && !parameter.empty())
            throw usage_error("--accept " + accept + ": unknown parameter '" + parameter + "'; expected verbose=true");
        at = next;
    }
    return {format, options};
}

int predict(const std::string& model_dir, const std::string& input, const std::string& content_type,
            const std::string& accept, const std::string& output) {
    ModelDir dir = load_model_dir(model_dir);
    InputSpec spec = dir.algorithm->input();
    spec.series_horizon = dir.model->series_horizon();
    Table data = read_table(input, content_type, spec, /*labelled=*/false, dir.contract);
    if (!data.series.empty() && !data.configuration) data.configuration = environment_configuration();
    const auto [format, options] = parse_accept(accept);
    const Outputs outputs = dir.model->predict(data, options);
    to_output(output, [&](std::ostream& out) {
        if (format == "text/csv")
            write_csv_rows(out, outputs);
        else if (format == "application/json")
            write_json_document(out, outputs);
        else
            write_json_lines(out, outputs);
    });
    return 0;
}

int evaluate(const std::string& model_dir, const std::string& test, const std::string& content_type) {
    ModelDir dir = load_model_dir(model_dir);
    const InputSpec spec = dir.algorithm->input();
    const Table data = read_table(test, content_type, spec, spec.supervised || spec.labelled_test, dir.contract);
    std::cout << metrics_json(dir.model->evaluate(data, "test")) << std::endl;
    return 0;
}

int inspect(const std::string& model_dir) {
    const ModelDir dir = load_model_dir(model_dir);
    nlohmann::ordered_json j;
    j["algorithm"] = dir.algorithm->name();
    j["family"] = dir.algorithm->family();
    j["hyperparameters"] = dir.model->hyperparameters();
    j["feature_count"] = dir.contract.feature_count;
    j["train_rows"] = dir.train_rows;
    for (const auto& [name, value] : dir.model->details()) j[name] = value;
    std::cout << j.dump(2) << std::endl;
    return 0;
}

int export_model(const std::string& model_dir, const std::string& format, const std::string& output) {
    const ModelDir dir = load_model_dir(model_dir);
    const std::string text = dir.model->export_as(format);
    if (text.empty())
        throw usage_error(std::string("a ") + dir.algorithm->name() + " model cannot be exported as " + format);
    to_output(output, [&](std::ostream& out) { out << text << "\n"; });
    return 0;
}

int list(const std::string& name) {
    if (algorithms().empty()) std::cout << "no algorithms registered\n";
    for (const auto& a : algorithms()) {
        if (!name.empty() && name != a->name()) continue;
        std::cout << a->name() << "\n";
        for (const auto& p : a->describe())
            std::cout << "  " << p.name << " = " << (p.required ? "(required)" : p.value) << "  [" << p.expected
                      << "]  " << p.doc << "\n";
    }
    if (!name.empty()) (void)find_algorithm(name);  // an unknown name: a usage error with suggestions
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"shelf: train, predict and evaluate classic machine-learning models"};
    app.set_version_flag("--version", "shelf " SHELF_VERSION);
    app.require_subcommand(1);
    const std::vector<std::string> content_types{"text/csv", "text/libsvm", "text/x-libsvm", "application/jsonlines",
                                                 "application/json"};
    const auto existing_or_stdin = CLI::Validator(
        [](std::string& path) { return path == "-" ? std::string() : CLI::ExistingFile(path); }, "FILE or -");

    std::string algorithm, train_path, validation_path, test_path, content_type, hp_file, model_dir, input, accept,
        output, format, name;
    std::vector<std::string> hp_pairs;

    auto* train_cmd = app.add_subcommand("train", "train a model and write DIR/model.shelf, DIR/input.json and DIR/metrics.json");
    train_cmd->add_option("--algorithm", algorithm, "algorithm name (see `shelf list`)")->required();
    train_cmd->add_option("--train", train_path, "training channel")->required()->check(CLI::ExistingFile);
    train_cmd->add_option("--validation", validation_path, "validation channel")->check(CLI::ExistingFile);
    train_cmd->add_option("--test", test_path, "test channel: metrics reported at the end")->check(CLI::ExistingFile);
    train_cmd->add_option("--hyperparameters", hp_file, "JSON object of hyperparameters")->check(CLI::ExistingFile);
    train_cmd->add_option("--hp", hp_pairs, "one hyperparameter, key=value (repeatable; each key once)");
    train_cmd->add_option("--model-dir", model_dir, "output directory")->required();

    auto* predict_cmd = app.add_subcommand("predict", "predict with a trained model");
    predict_cmd->add_option("--model-dir", model_dir, "directory holding model.shelf")->required();
    predict_cmd->add_option("--input", input, "features to predict on (- for standard input): CSV, libsvm, "
                                              "JSON lines {\"features\": [...]} or application/json "
                                              "{\"instances\": [{\"features\": [...]}]}")
        ->required()
        ->check(existing_or_stdin);
    predict_cmd->add_option("--accept", accept,
                            "output format: application/jsonlines (default: an object per row), application/json "
                            "({\"predictions\": [...]}) or text/csv (the fields in order, lists spread over their "
                            "columns: multi:softprob writes the class probabilities, then predicted_label); "
                            "'; verbose=true' adds k-NN's neighbour labels and distances");
    predict_cmd->add_option("--output", output, "output file (default or -: standard output)");

    auto* evaluate_cmd = app.add_subcommand("evaluate", "print a trained model's metrics on labelled data as JSON");
    evaluate_cmd->add_option("--model-dir", model_dir, "directory holding model.shelf")->required();
    evaluate_cmd->add_option("--test", test_path, "test channel")->required()->check(CLI::ExistingFile);

    for (auto* cmd : {train_cmd, predict_cmd, evaluate_cmd})
        cmd->add_option("--content-type", content_type,
                        "input format (default: from the file name, else from its first line)")
            ->check(CLI::IsMember(content_types));
    auto* list_cmd = app.add_subcommand("list", "list the algorithms, or one, with hyperparameters, defaults and ranges");
    list_cmd->add_option("name", name, "one algorithm");

    auto* inspect_cmd = app.add_subcommand("inspect", "print a model's family, hyperparameters, training data "
                                                      "shape and (gbt) feature importance as JSON");
    inspect_cmd->add_option("--model-dir", model_dir, "directory holding model.shelf")->required();
    auto* export_cmd = app.add_subcommand("export", "write a model in another library's format");
    export_cmd->add_option("--model-dir", model_dir, "directory holding model.shelf")->required();
    export_cmd->add_option("--format", format, "xgboost-json: XGBoost's JSON model (xgb.Booster(model_file=...))")
        ->required()
        ->check(CLI::IsMember({"xgboost-json"}));
    export_cmd->add_option("--output", output, "output file (default or -: standard output)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
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
        if (*list_cmd) return list(name);
        if (*inspect_cmd) return inspect(model_dir);
        if (*export_cmd) return export_model(model_dir, format, output);
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
