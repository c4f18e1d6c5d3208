// shelf/trees/xgboost_json.hpp: models to and from XGBoost's JSON model format.
//
// Needs nlohmann/json (Debian: nlohmann-json3-dev); the rest of shelf::gbt does not.
//
//     std::ofstream("model.json") << shelf::gbt::to_xgboost_json(model);   // xgb.Booster(model_file="model.json")
//     auto m = shelf::gbt::from_xgboost_json<float>(text);                  // booster.save_model("model.json")
//
// The format is XGBoost 1.7's (`Booster.save_model("*.json")`, schema in XGBoost's
// doc/model.schema); models saved by XGBoost 2.x load too. Only gbtree models with numerical
// splits and one tree per output and round exist here: dart, categorical splits, multi-target
// trees and num_parallel_tree > 1 are refused with a model_error. Training hyperparameters such
// as eta are not part of XGBoost's model file; an imported model keeps their defaults.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <locale>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "shelf/core/error.hpp"
#include "model.hpp"

namespace shelf::gbt {

namespace detail {

/// XGBoost writes parameters as strings; a float in its %g form reads back exactly.
inline std::string xgb_number(double x) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out.precision(9);
    out << x;
    return out.str();
}

[[noreturn]] inline void bad_xgb(const std::string& what) {
    throw model_error(errc::malformed, "XGBoost JSON model: " + what);
}

inline const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) bad_xgb(where + " lacks \"" + key + "\"");
    return j.at(key);
}

/// A parameter stored as a string ("0.5", "[5E-1]" in XGBoost 2.x) or as a number.
inline double xgb_param(const nlohmann::json& j, const char* key, const std::string& where) {
    const nlohmann::json& v = member(j, key, where);
    if (v.is_number()) return v.get<double>();
    if (!v.is_string()) bad_xgb(where + "." + key + " is neither a number nor a string");
    std::string text = v.get<std::string>();
    if (!text.empty() && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    // from_chars, unlike stod, ignores the C locale.
    const char* first = text.data() + (!text.empty() && text.front() == '+' ? 1 : 0);
    const char* last = text.data() + text.size();
    double x = 0.0;
    const auto [end, error] = std::from_chars(first, last, x);
    if (text.empty() || error != std::errc{} || end != last)
        bad_xgb(where + "." + key + " = \"" + v.get<std::string>() + "\" is not a number");
    return x;
}

/// A count parameter (num_class, num_feature, num_nodes): a whole number in [0, max].
inline std::int64_t xgb_count(const nlohmann::json& j, const char* key, const std::string& where, double max) {
    const double x = xgb_param(j, key, where);
    if (!(x >= 0.0 && x <= max) || x != std::floor(x))
        bad_xgb(where + "." + key + " = " + xgb_number(x) + " is not a whole number in [0, " + xgb_number(max) + "]");
    return static_cast<std::int64_t>(x);
}

/// An array value as V; integral V takes only whole numbers within its range.
template <class V>
V xgb_value(const nlohmann::json& v, const char* key, const std::string& where) {
    if (v.is_boolean()) return static_cast<V>(v.get<bool>() ? 1 : 0);
    if (!v.is_number()) bad_xgb(where + "." + key + " holds a value that is not a number");
    if constexpr (std::is_integral_v<V>) {
        const double x = v.get<double>();
        if (!(x >= static_cast<double>(std::numeric_limits<V>::min()) &&
              x <= static_cast<double>(std::numeric_limits<V>::max())) || x != std::floor(x))
            bad_xgb(where + "." + key + " holds " + xgb_number(x) + ", not a whole number in the range of its type");
        return static_cast<V>(x);
    } else {
        return v.get<V>();
    }
}

template <class V>
std::vector<V> xgb_array(const nlohmann::json& tree, const char* key, std::size_t size, const std::string& where) {
    const nlohmann::json& a = member(tree, key, where);
    if (!a.is_array() || a.size() != size)
        bad_xgb(where + "." + key + " is not an array of " + std::to_string(size) + " values");
    std::vector<V> out;
    out.reserve(size);
    for (const auto& v : a) out.push_back(xgb_value<V>(v, key, where));
    return out;
}

}  // namespace detail

/// The model in XGBoost's JSON model format.
template <class T>
std::string to_xgboost_json(const Model<T>& model) {
    using nlohmann::json;
    const Params& p = model.params();
    const int k = model.num_outputs();
    const std::string features = std::to_string(model.num_features());

    json trees = json::array(), tree_info = json::array();
    for (std::size_t t = 0; t < model.trees().size(); ++t) {
        const Tree<T>& tree = model.trees()[t];
        json parents = json::array();
        for (const auto parent : tree.parent) parents.push_back(parent < 0 ? 2147483647 : parent);
        std::vector<int> default_left(tree.default_left.begin(), tree.default_left.end());
        json j = {{"base_weights", tree.base_weight},
                  {"categories", json::array()},
                  {"categories_nodes", json::array()},
                  {"categories_segments", json::array()},
                  {"categories_sizes", json::array()},
                  {"default_left", default_left},
                  {"id", t},
                  {"left_children", tree.left},
                  {"loss_changes", tree.loss_change},
                  {"parents", parents},
                  {"right_children", tree.right},
                  {"split_conditions", tree.value},
                  {"split_indices", tree.feature},
                  {"split_type", std::vector<int>(tree.left.size(), 0)},
                  {"sum_hessian", tree.sum_hessian},
                  {"tree_param",
                   {{"num_deleted", "0"},
                    {"num_feature", features},
                    {"num_nodes", std::to_string(tree.size())},
                    {"size_leaf_vector", "0"}}}};
        trees.push_back(std::move(j));
        tree_info.push_back(static_cast<int>(t % static_cast<std::size_t>(k)));
    }

    const std::string name = p.objective;
    json objective = {{"name", name}};
    if (name == "reg:squarederror" || name == "reg:logistic" || name == "binary:logistic" || name == "binary:logitraw")
        objective["reg_loss_param"] = {{"scale_pos_weight", detail::xgb_number(p.scale_pos_weight)}};
    else if (name == "multi:softmax" || name == "multi:softprob")
        objective["softmax_multiclass_param"] = {{"num_class", std::to_string(p.num_class)}};
    else if (name == "count:poisson")
        objective["poisson_regression_param"] = {{"max_delta_step", detail::xgb_number(resolved_max_delta_step(p))}};
    else if (name == "reg:tweedie")
        objective["tweedie_regression_param"] = {{"tweedie_variance_power", detail::xgb_number(p.tweedie_variance_power)}};
    else if (name == "reg:pseudohubererror")
        objective["pseudo_huber_param"] = {{"huber_slope", detail::xgb_number(p.huber_slope)}};

    const json learner = {
        {"attributes", json::object()},
        {"feature_names", json::array()},
        {"feature_types", json::array()},
        {"gradient_booster",
         {{"model",
           {{"gbtree_model_param",
             {{"num_parallel_tree", "1"}, {"num_trees", std::to_string(model.trees().size())}, {"size_leaf_vector", "0"}}},
            {"tree_info", tree_info},
            {"trees", trees}}},
          {"name", "gbtree"}}},
        {"learner_model_param",
         {{"base_score", detail::xgb_number(static_cast<double>(model.base_score()))},
          {"boost_from_average", "1"},
          {"num_class", std::to_string(find_objective(name).multiclass ? p.num_class : 0)},
          {"num_feature", features},
          {"num_target", "1"}}},
        {"objective", objective}};
    return json{{"learner", learner}, {"version", {1, 7, 4}}}.dump();
}

/// A model read from XGBoost's JSON model format (what Booster.save_model("x.json") writes).
template <class T>
Model<T> from_xgboost_json(const std::string& text) {
    using nlohmann::json;
    json root;
    try {
        root = json::parse(text);
    } catch (const json::exception& e) {
        throw model_error(errc::not_a_model, std::string("not an XGBoost JSON model: ") + e.what());
    }
    const json& learner = detail::member(root, "learner", "the file");
    const json& booster = detail::member(learner, "gradient_booster", "learner");
    const json& booster_name = detail::member(booster, "name", "gradient_booster");
    if (booster_name != "gbtree")
        detail::bad_xgb("gradient_booster.name is " + booster_name.dump() + "; only gbtree models are supported");
    const json& mp = detail::member(learner, "learner_model_param", "learner");
    const json& objective = detail::member(learner, "objective", "learner");
    const json& gbm = detail::member(booster, "model", "gradient_booster");
    const json& gbm_param = detail::member(gbm, "gbtree_model_param", "gradient_booster.model");
    if (detail::xgb_param(gbm_param, "num_parallel_tree", "gbtree_model_param") != 1.0)
        detail::bad_xgb("num_parallel_tree > 1 (random forests) is not supported");
    if (mp.contains("num_target") && detail::xgb_param(mp, "num_target", "learner_model_param") > 1.0)
        detail::bad_xgb("multi-target models are not supported");

    Params p;
    const json& name = detail::member(objective, "name", "objective");
    if (!name.is_string()) detail::bad_xgb("objective.name is not a string");
    try {
        p.objective = find_objective(name.get<std::string>()).name;
    } catch (const invalid_argument& e) {
        detail::bad_xgb(e.what());
    }
    const auto num_class = static_cast<int>(detail::xgb_count(mp, "num_class", "learner_model_param", 1 << 20));
    if (find_objective(p.objective).multiclass) p.num_class = num_class;
    if (objective.contains("reg_loss_param"))
        p.scale_pos_weight = detail::xgb_param(objective["reg_loss_param"], "scale_pos_weight", "reg_loss_param");
    if (objective.contains("poisson_regression_param"))
        p.max_delta_step = detail::xgb_param(objective["poisson_regression_param"], "max_delta_step", "poisson_regression_param");
    if (objective.contains("tweedie_regression_param"))
        p.tweedie_variance_power =
            detail::xgb_param(objective["tweedie_regression_param"], "tweedie_variance_power", "tweedie_regression_param");
    if (objective.contains("pseudo_huber_param"))
        p.huber_slope = detail::xgb_param(objective["pseudo_huber_param"], "huber_slope", "pseudo_huber_param");
    p.base_score = detail::xgb_param(mp, "base_score", "learner_model_param");
    const auto num_feature = static_cast<Index>(detail::xgb_count(mp, "num_feature", "learner_model_param", 1e12));

    const json& tree_list = detail::member(gbm, "trees", "gradient_booster.model");
    if (!tree_list.is_array()) detail::bad_xgb("gradient_booster.model.trees is not an array");
    std::vector<Tree<T>> trees;
    for (std::size_t t = 0; t < tree_list.size(); ++t) {
        const json& j = tree_list[t];
        const std::string where = "tree " + std::to_string(t);
        const auto n = static_cast<std::size_t>(
            detail::xgb_count(detail::member(j, "tree_param", where), "num_nodes", where + ".tree_param", 1 << 30));
        Tree<T> tree;
        tree.left = detail::xgb_array<std::int32_t>(j, "left_children", n, where);
        tree.right = detail::xgb_array<std::int32_t>(j, "right_children", n, where);
        tree.parent = detail::xgb_array<std::int32_t>(j, "parents", n, where);
        tree.feature = detail::xgb_array<std::int32_t>(j, "split_indices", n, where);
        tree.value = detail::xgb_array<T>(j, "split_conditions", n, where);
        tree.default_left = detail::xgb_array<std::uint8_t>(j, "default_left", n, where);
        tree.base_weight = detail::xgb_array<T>(j, "base_weights", n, where);
        tree.loss_change = detail::xgb_array<T>(j, "loss_changes", n, where);
        tree.sum_hessian = detail::xgb_array<T>(j, "sum_hessian", n, where);
        if (j.contains("split_type"))
            for (const int type : detail::xgb_array<int>(j, "split_type", n, where))
                if (type != 0) detail::bad_xgb(where + " has categorical splits, which are not supported");
        for (auto& parent : tree.parent)
            if (parent == 2147483647) parent = -1;
        trees.push_back(std::move(tree));
    }
    const int k = find_objective(p.objective).multiclass ? p.num_class : 1;
    if (k < 1 || trees.size() % static_cast<std::size_t>(k) != 0)
        detail::bad_xgb(std::to_string(trees.size()) + " trees do not make whole rounds of " + std::to_string(k));
    if (gbm.contains("tree_info")) {
        const auto info = detail::xgb_array<int>(gbm, "tree_info", trees.size(), "gradient_booster.model");
        for (std::size_t t = 0; t < info.size(); ++t)
            if (info[t] != static_cast<int>(t % static_cast<std::size_t>(k)))
                detail::bad_xgb("tree " + std::to_string(t) + " predicts output " + std::to_string(info[t]) +
                                "; trees must cycle through the outputs round by round");
    }
    p.num_round = std::max(1, static_cast<int>(trees.size()) / k);
    try {
        p.validate();
    } catch (const invalid_argument& e) {
        detail::bad_xgb(std::string("its parameters are not valid here: ") + e.what());
    }
    const auto base_score = static_cast<T>(*p.base_score);
    return Model<T>(std::move(p), num_feature, base_score, std::move(trees));
}

}  // namespace shelf::gbt
