// shelf/linear/params.hpp: the linear learner's hyperparameters, with the platform's names and defaults.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "shelf/core/params.hpp"

namespace shelf::linear {

/// The kind of target.
enum class PredictorType { regressor, binary_classifier, multiclass_classifier };
inline constexpr std::pair<PredictorType, const char*> predictor_type_names[] = {
    {PredictorType::regressor, "regressor"},
    {PredictorType::binary_classifier, "binary_classifier"},
    {PredictorType::multiclass_classifier, "multiclass_classifier"}};
inline const auto& enum_names(PredictorType) { return predictor_type_names; }

/// The training objective; shelf/linear/losses.hpp defines each one.
enum class Loss {
    logistic,
    hinge_loss,
    squared_loss,
    absolute_loss,
    eps_insensitive_squared_loss,
    eps_insensitive_absolute_loss,
    quantile_loss,
    huber_loss,
    softmax_loss,
};
inline constexpr std::pair<Loss, const char*> loss_names[] = {
    {Loss::logistic, "logistic"},
    {Loss::hinge_loss, "hinge_loss"},
    {Loss::squared_loss, "squared_loss"},
    {Loss::absolute_loss, "absolute_loss"},
    {Loss::eps_insensitive_squared_loss, "eps_insensitive_squared_loss"},
    {Loss::eps_insensitive_absolute_loss, "eps_insensitive_absolute_loss"},
    {Loss::quantile_loss, "quantile_loss"},
    {Loss::huber_loss, "huber_loss"},
    {Loss::softmax_loss, "softmax_loss"}};
inline const auto& enum_names(Loss) { return loss_names; }

enum class Optimizer { sgd, adam, rmsprop };
inline constexpr std::pair<Optimizer, const char*> optimizer_names[] = {
    {Optimizer::sgd, "sgd"}, {Optimizer::adam, "adam"}, {Optimizer::rmsprop, "rmsprop"}};
inline const auto& enum_names(Optimizer) { return optimizer_names; }

enum class InitMethod { uniform, normal };
inline constexpr std::pair<InitMethod, const char*> init_method_names[] = {{InitMethod::uniform, "uniform"},
                                                                          {InitMethod::normal, "normal"}};
inline const auto& enum_names(InitMethod) { return init_method_names; }

/// How the kept model (and a binary classifier's threshold) is chosen.
enum class SelectionCriteria { accuracy, f_beta, precision_at_target_recall, recall_at_target_precision, loss_function };
inline constexpr std::pair<SelectionCriteria, const char*> selection_criteria_names[] = {
    {SelectionCriteria::accuracy, "accuracy"},
    {SelectionCriteria::f_beta, "f_beta"},
    {SelectionCriteria::precision_at_target_recall, "precision_at_target_recall"},
    {SelectionCriteria::recall_at_target_precision, "recall_at_target_precision"},
    {SelectionCriteria::loss_function, "loss_function"}};
inline const auto& enum_names(SelectionCriteria) { return selection_criteria_names; }

/// Linear learner hyperparameters. `auto` values are unset optionals; fit() resolves
/// them and the model stores the resolved values (for the model it kept).
struct Params {
    static constexpr const char* family = "linear-learner";

    std::optional<PredictorType> predictor_type;  ///< required
    std::optional<int> num_classes;               ///< required for multiclass_classifier
    std::optional<std::int64_t> feature_dim;      ///< auto = the data's column count
    std::optional<int> num_models;                ///< auto = 32
    int mini_batch_size = 1000;
    int epochs = 15;
    std::optional<Optimizer> optimizer;  ///< auto = adam
    std::optional<double> learning_rate;
    double beta_1 = 0.9;
    double beta_2 = 0.999;
    std::optional<double> momentum;
    std::optional<int> lr_scheduler_step;
    std::optional<double> lr_scheduler_factor;
    std::optional<double> lr_scheduler_minimum_lr;
    std::optional<double> l1;
    std::optional<double> wd;
    bool use_bias = true;
    InitMethod init_method = InitMethod::uniform;
    double init_scale = 0.07;
    double init_sigma = 0.01;
    double init_bias = 0.0;
    std::optional<Loss> loss;
    double loss_insensitivity = 0.01;
    double quantile = 0.5;
    double huber_delta = 1.0;
    double margin = 1.0;
    bool normalize_data = true;
    std::optional<bool> normalize_label;
    int num_point_for_scaler = 10000;
    std::string positive_example_weight_mult = "1.0";  ///< a number > 0, "balanced" or "auto"
    bool balance_multiclass_weights = false;
    SelectionCriteria binary_classifier_model_selection_criteria = SelectionCriteria::accuracy;
    double f_beta = 1.0;
    double target_recall = 0.8;
    double target_precision = 0.8;
    int early_stopping_patience = 3;
    double early_stopping_tolerance = 0.001;
    int accuracy_top_k = 3;
    int num_threads = 0;     ///< shelf extension: OpenMP threads, 0 = all
    std::int64_t seed = 0;   ///< shelf extension: seed of every random choice

    template <class V>
    void visit(V&& v) {
        v("predictor_type", predictor_type,
          Spec("binary_classifier, multiclass_classifier or regressor").required());
        v("num_classes", num_classes,
          Spec("classes 0 .. num_classes - 1 (multiclass_classifier only)").between(3, 1000000));
        v("feature_dim", feature_dim, Spec("number of features; auto = the data's column count").at_least(1));
        v("num_models", num_models,
          Spec("models trained side by side, the best kept; auto = 32").between(1, 4096));
        v("mini_batch_size", mini_batch_size, Spec("rows per mini-batch").at_least(1));
        v("epochs", epochs, Spec("maximum passes over the training data").at_least(1));
        v("optimizer", optimizer, Spec("sgd (with momentum), adam or rmsprop; auto = adam"));
        v("learning_rate", learning_rate,
          Spec("step size; auto = drawn per model within a factor 10 of 10 / (epochs x mini-batches per epoch)")
              .greater_than(0));
        v("beta_1", beta_1, Spec("decay of the first-moment average (adam)").at_least(0).less_than(1));
        v("beta_2", beta_2,
          Spec("decay of the second-moment average (adam, rmsprop)").at_least(0).less_than(1));
        v("momentum", momentum, Spec("momentum of sgd; auto = 0.9").at_least(0).less_than(1));
        v("lr_scheduler_step", lr_scheduler_step,
          Spec("mini-batches between learning-rate decreases; auto = one epoch").at_least(1));
        v("lr_scheduler_factor", lr_scheduler_factor,
          Spec("the learning rate is multiplied by this every lr_scheduler_step mini-batches; "
               "auto = 0.1^(1/epochs), a tenth by the last epoch")
              .greater_than(0)
              .at_most(1));
        v("lr_scheduler_minimum_lr", lr_scheduler_minimum_lr,
          Spec("the learning rate never falls below this; auto = 1e-6").greater_than(0));
        v("l1", l1, Spec("L1 penalty, applied by soft-thresholding; auto = drawn per model").at_least(0));
        v("wd", wd, Spec("weight decay (L2 penalty); auto = drawn per model").at_least(0));
        v("use_bias", use_bias, Spec("fit an intercept; without it features and label are not centered"));
        v("init_method", init_method, Spec("initial weights: uniform in ±init_scale or normal(0, init_sigma)"));
        v("init_scale", init_scale, Spec("half-width of the uniform initial weights").greater_than(0));
        v("init_sigma", init_sigma, Spec("standard deviation of the normal initial weights").greater_than(0));
        v("init_bias", init_bias, Spec("initial intercept"));
        v("loss", loss,
          Spec("objective; auto = logistic (binary), softmax_loss (multiclass), squared_loss (regressor)"));
        v("loss_insensitivity", loss_insensitivity,
          Spec("errors below this cost nothing (eps_insensitive losses), in label units").at_least(0));
        v("quantile", quantile, Spec("quantile of quantile_loss").greater_than(0).less_than(1));
        v("huber_delta", huber_delta,
          Spec("huber_loss is quadratic below this error and linear above, in label units").greater_than(0));
        v("margin", margin, Spec("margin of hinge_loss").at_least(0));
        v("normalize_data", normalize_data,
          Spec("normalize features (dense: to mean 0 and variance 1; sparse, or without use_bias: divided by "
               "their largest |value|)"));
        v("normalize_label", normalize_label, Spec("standardize the label; auto = true for regressor only"));
        v("num_point_for_scaler", num_point_for_scaler,
          Spec("rows sampled to estimate the normalization").at_least(1));
        v("positive_example_weight_mult", positive_example_weight_mult,
          Spec("weight of positive examples (binary): a number > 0, 'balanced' (negatives / positives) or "
               "'auto' (drawn per model between 1 and balanced)"));
        v("balance_multiclass_weights", balance_multiclass_weights,
          Spec("weight classes so that each weighs the same in the loss (multiclass)"));
        v("binary_classifier_model_selection_criteria", binary_classifier_model_selection_criteria,
          Spec("how the kept model and a binary classifier's threshold are chosen"));
        v("f_beta", f_beta, Spec("beta of the f_beta criterion and metric").greater_than(0));
        v("target_recall", target_recall,
          Spec("recall to reach (precision_at_target_recall)").greater_than(0).at_most(1));
        v("target_precision", target_precision,
          Spec("precision to reach (recall_at_target_precision)").greater_than(0).at_most(1));
        v("early_stopping_patience", early_stopping_patience,
          Spec("epochs without improvement before a model stops").at_least(1));
        v("early_stopping_tolerance", early_stopping_tolerance,
          Spec("relative loss improvement below which an epoch does not count as one").at_least(0));
        v("accuracy_top_k", accuracy_top_k, Spec("k of the top-k accuracy metric (multiclass)").at_least(1));
        v("num_threads", num_threads, Spec("OpenMP threads; 0 = all").at_least(0));
        v("seed", seed, Spec("seed of every random choice").at_least(0));
    }

    /// Range checks, plus the checks that involve several parameters.
    void validate() const {
        check_ranges(*this);
        if (predictor_type == PredictorType::multiclass_classifier && !num_classes)
            throw invalid_argument(errc::missing_parameter,
                                   std::string(family) + ": hyperparameter num_classes is required when "
                                                         "predictor_type = multiclass_classifier");
        if (positive_weight_keyword().empty() && !fixed_positive_weight())
            throw invalid_argument(errc::bad_value, std::string(family) +
                                                        ": hyperparameter positive_example_weight_mult = '" +
                                                        positive_example_weight_mult +
                                                        "' is not valid; expected a number > 0, 'balanced' or 'auto'");
    }

    /// positive_example_weight_mult as a number, when it is one (and > 0).
    std::optional<double> fixed_positive_weight() const {
        double value = 0;
        if (!shelf::detail::parse_value(shelf::detail::trim(positive_example_weight_mult), value) || !(value > 0))
            return std::nullopt;
        return value;
    }

    /// positive_example_weight_mult as "balanced" or "auto", or "" when it is not one of them.
    std::string positive_weight_keyword() const {
        const std::string text = shelf::detail::lower(shelf::detail::trim(positive_example_weight_mult));
        return text == "balanced" || text == "auto" ? text : "";
    }
};

}  // namespace shelf::linear
