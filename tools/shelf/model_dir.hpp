// A model directory: model.shelf (the library's model file), input.json (what training's data
// settled: feature count, libsvm index base, training rows) and metrics.json.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include <shelf/core/serialize.hpp>

#include "data.hpp"
#include "registry.hpp"

namespace shelf::cli {

inline const char* const model_file = "model.shelf";
inline const char* const input_file = "input.json";
inline const char* const metrics_file = "metrics.json";

struct ModelDir {
    const Algorithm* algorithm = nullptr;
    std::unique_ptr<Model> model;
    ChannelContract contract;
    Index train_rows = -1;  ///< -1: not recorded (a model directory from an older shelf)
};

inline void save_model_dir(const std::string& dir, const Model& model, const ChannelContract& contract,
                           Index train_rows, const std::string& metrics) {
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    std::ofstream out(fs::path(dir) / model_file, std::ios::binary);
    model.save(out);
    if (!out) throw model_error(errc::malformed, "could not write " + (fs::path(dir) / model_file).string());
    nlohmann::ordered_json input{{"feature_count", contract.feature_count}, {"train_rows", train_rows}};
    if (contract.libsvm_index_base != IndexBase::detect)
        input["libsvm_index_base"] = contract.libsvm_index_base == IndexBase::zero ? 0 : 1;
    std::ofstream(fs::path(dir) / input_file) << input.dump(2) << "\n";
    std::ofstream(fs::path(dir) / metrics_file) << metrics << "\n";
}

inline ModelDir load_model_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    const fs::path path = fs::path(dir) / model_file;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw model_error(errc::not_a_model, "cannot open model file " + path.string());
    ModelDir out;
    out.algorithm = &find_family(ModelReader(in).family());
    in.clear();
    in.seekg(0);
    out.model = out.algorithm->load(in);
    std::ifstream input(fs::path(dir) / input_file);
    if (!input) return out;  // written before input.json existed: later channels set their own base
    try {
        const auto j = nlohmann::json::parse(input);
        out.contract.feature_count = j.value("feature_count", Index{-1});
        out.train_rows = j.value("train_rows", Index{-1});
        if (j.contains("libsvm_index_base"))
            out.contract.libsvm_index_base = j["libsvm_index_base"].get<int>() == 0 ? IndexBase::zero : IndexBase::one;
    } catch (const nlohmann::json::exception& e) {
        throw model_error(errc::malformed, (fs::path(dir) / input_file).string() + " is not valid: " + e.what());
    }
    return out;
}

}  // namespace shelf::cli
