// shelf/forecast/params.hpp: the DeepAR-style forecaster's hyperparameters, with the platform's
// names and defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/params.hpp"

namespace shelf::deepar {

/// The series' sampling frequency: it sets the lags and the calendar features.
enum class TimeFreq { minute, hour, day, week, month };
inline constexpr std::pair<TimeFreq, const char*> time_freq_names[] = {
    {TimeFreq::minute, "min"}, {TimeFreq::hour, "H"}, {TimeFreq::day, "D"}, {TimeFreq::week, "W"}, {TimeFreq::month, "M"}};
inline const auto& enum_names(TimeFreq) { return time_freq_names; }

/// A calendar feature of a step's timestamp, scaled to [-0.5, 0.5].
enum class TimeFeature { minute_of_hour, hour_of_day, day_of_week, day_of_month, day_of_year, week_of_year, month_of_year };
inline constexpr std::pair<TimeFeature, const char*> time_feature_names[] = {
    {TimeFeature::minute_of_hour, "minute_of_hour"}, {TimeFeature::hour_of_day, "hour_of_day"},
    {TimeFeature::day_of_week, "day_of_week"},       {TimeFeature::day_of_month, "day_of_month"},
    {TimeFeature::day_of_year, "day_of_year"},       {TimeFeature::week_of_year, "week_of_year"},
    {TimeFeature::month_of_year, "month_of_year"}};
inline const auto& enum_names(TimeFeature) { return time_feature_names; }

/// The distribution the network's output parameterises at each step.
enum class Likelihood { student_t, gaussian, negative_binomial, beta, deterministic_l1 };
inline constexpr std::pair<Likelihood, const char*> likelihood_names[] = {
    {Likelihood::student_t, "student-T"},
    {Likelihood::gaussian, "gaussian"},
    {Likelihood::negative_binomial, "negative-binomial"},
    {Likelihood::beta, "beta"},
    {Likelihood::deterministic_l1, "deterministic-L1"}};
inline const auto& enum_names(Likelihood) { return likelihood_names; }

/// How a window's values are put on the network's scale: over the mean |y| of its context
/// (DeepAR's), or standardised by the context's mean and standard deviation.
enum class Scaling { mean, standard };
inline constexpr std::pair<Scaling, const char*> scaling_names[] = {{Scaling::mean, "mean"}, {Scaling::standard, "standard"}};
inline const auto& enum_names(Scaling) { return scaling_names; }

/// Forecaster hyperparameters. `auto` values (unset optionals) are resolved by fit() from the
/// training series, and the model stores what it resolved.
struct Params {
    static constexpr const char* family = "deepar";

    std::optional<TimeFreq> time_freq;      ///< required
    std::optional<int> prediction_length;   ///< required: steps forecast after a series' last point
    std::optional<int> context_length;      ///< required: steps the network reads before forecasting
    std::optional<int> epochs;              ///< required
    int mini_batch_size = 128;
    double learning_rate = 1e-3;
    int num_cells = 40;
    int num_layers = 2;
    double dropout_rate = 0.1;
    Likelihood likelihood = Likelihood::student_t;
    int embedding_dimension = 10;
    /// Categories per `cat` feature; auto = the largest id + 1; ignore = the series' cat left out.
    AutoOrIgnore<std::vector<int>> cardinality;
    /// Dynamic features per series; auto = the training series' count; ignore = left out.
    AutoOrIgnore<int> num_dynamic_feat;
    /// shelf extension: the longest lag read; auto = the longest training series' length −
    /// context_length − prediction_length (at least 7), so that every lag read when forecasting
    /// was observed in training windows (one never observed keeps its initial weights).
    std::optional<int> max_lag;
    /// shelf extension (GluonTS's time_features): the calendar features read; auto = those of
    /// the frequency (GluonTS's choice) whose whole cycle the longest training series spans, so
    /// that a forecast never reads a value of one that training could not have shown.
    std::optional<std::vector<TimeFeature>> time_features;
    /// shelf extension: read log10(2 + age) at each step, as GluonTS and the platform do. A
    /// forecast always reads ages past those training saw; on short training series the
    /// network can take age for a trend and bias the level (docs/deepar.md), so false drops it.
    bool age_feature = true;
    /// shelf extension: `standard` reads (y − mean) / sd of each window's context, for the
    /// location families (student-T, gaussian, deterministic-L1). Over the mean |y|, a series
    /// whose swings are a small part of its level reads nearly constant inputs, and the network
    /// must place its forecast to a fraction of a percent of the level (docs/deepar.md).
    Scaling scaling = Scaling::mean;
    /// shelf extension: the location also takes a learnt linear term in the lags of at least
    /// prediction_length steps, which a forecast always reads from the observed context (never
    /// from its own draws), so that a near-repeating series can copy its last cycle exactly
    /// (LSTNet's autoregressive highway, kept to those lags). Location likelihoods only.
    bool seasonal_skip = false;
    int num_eval_samples = 100;
    std::optional<int> early_stopping_patience;   ///< unset: no early stopping
    std::vector<double> test_quantiles{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    int num_batches_per_epoch = 50;  ///< shelf extension (GluonTS's default)
    /// shelf extension: the model's weights are the mean of those after the last averaged_epochs
    /// epochs (with validation series, the last up to the best epoch): the noise of the last
    /// steps averages out, as in GluonTS's model averaging and stochastic weight averaging.
    int averaged_epochs = 1;
    double clip_gradient = 10.0;     ///< shelf extension: the gradient's global norm is clipped to this
    /// shelf extensions, GluonTS's Trainer schedule: the rate is multiplied by the factor after
    /// learning_rate_patience epochs without a lower loss, down to minimum_learning_rate.
    double learning_rate_decay_factor = 0.5;
    int learning_rate_patience = 10;
    double minimum_learning_rate = 5e-5;
    int num_threads = 0;
    std::int64_t seed = 0;

    template <class V>
    void visit(V&& v) {
        v("time_freq", time_freq, Spec("sampling frequency: min, H, D, W or M").required());
        v("prediction_length", prediction_length, Spec("steps forecast after each series' end").at_least(1).required());
        v("context_length", context_length, Spec("steps the network reads before it forecasts").at_least(1).required());
        v("epochs", epochs, Spec("training epochs of num_batches_per_epoch mini-batches").at_least(1).required());
        v("mini_batch_size", mini_batch_size, Spec("training windows per gradient step").at_least(1));
        v("learning_rate", learning_rate, Spec("Adam's step size").greater_than(0));
        v("num_cells", num_cells, Spec("LSTM cells per layer").at_least(1));
        v("num_layers", num_layers, Spec("stacked LSTM layers").at_least(1));
        v("dropout_rate", dropout_rate, Spec("dropout between layers during training").at_least(0).less_than(1));
        v("likelihood", likelihood,
          Spec("student-T, gaussian, negative-binomial (counts), beta (values in (0, 1)) or deterministic-L1"));
        v("embedding_dimension", embedding_dimension, Spec("length of each category's learned vector").at_least(1));
        v("cardinality", cardinality,
          Spec("categories of each cat feature; auto = the largest id + 1; ignore = leave cat out").at_least(1));
        v("num_dynamic_feat", num_dynamic_feat,
          Spec("dynamic features per series; auto = the training data's; ignore = leave them out").at_least(0));
        v("max_lag", max_lag, Spec("longest lag read; auto = longest training series - context - prediction length").at_least(1));
        v("time_features", time_features,
          Spec("calendar features read, e.g. [hour_of_day, day_of_week]; auto = the frequency's whose cycle the "
               "longest training series spans"));
        v("age_feature", age_feature, Spec("read log10(2 + the step's index in its series)"));
        v("scaling", scaling,
          Spec("mean: y / mean |y| of the context (DeepAR's); standard: (y - mean) / sd of the context "
               "(student-T, gaussian and deterministic-L1 only)"));
        v("seasonal_skip", seasonal_skip,
          Spec("add a linear term in the lags >= prediction_length to the location (student-T, gaussian and "
               "deterministic-L1 only)"));
        v("num_eval_samples", num_eval_samples, Spec("sample paths drawn per forecast").at_least(1));
        v("early_stopping_patience", early_stopping_patience,
          Spec("epochs without a better validation loss before training stops; auto = never").at_least(1));
        v("test_quantiles", test_quantiles, Spec("quantiles reported on the test channel").greater_than(0).less_than(1));
        v("num_batches_per_epoch", num_batches_per_epoch, Spec("mini-batches per epoch").at_least(1));
        v("averaged_epochs", averaged_epochs,
          Spec("the weights are the mean after the last this many epochs (with validation, up to the best)").at_least(1));
        v("clip_gradient", clip_gradient, Spec("largest global norm of a mini-batch's gradient").greater_than(0));
        v("learning_rate_decay_factor", learning_rate_decay_factor,
          Spec("the learning rate's factor after learning_rate_patience epochs without a lower loss; 1 = constant")
              .greater_than(0)
              .at_most(1));
        v("learning_rate_patience", learning_rate_patience,
          Spec("epochs without a lower loss (validation, else training) before the rate decays").at_least(1));
        v("minimum_learning_rate", minimum_learning_rate, Spec("the rate never decays below this").greater_than(0));
        v("num_threads", num_threads, Spec("threads; 0 = all cores").at_least(0));
        v("seed", seed, Spec("seed of the initial weights, the windows, dropout and the sample paths").at_least(0));
    }

    void validate() const {
        check_ranges(*this);
        if (test_quantiles.empty())
            throw invalid_argument(errc::out_of_range, std::string(family) + ": test_quantiles is empty");
        // The negative binomial and beta have no location to shift or add to.
        if (likelihood != Likelihood::negative_binomial && likelihood != Likelihood::beta) return;
        const std::string name = likelihood == Likelihood::beta ? "beta" : "negative-binomial";
        if (seasonal_skip)
            throw invalid_argument(errc::inconsistent, std::string(family) + ": seasonal_skip adds to a location, which the " +
                                                           name + " likelihood does not have; use student-T, gaussian or deterministic-L1");
        if (scaling == Scaling::standard)
            throw invalid_argument(errc::inconsistent, std::string(family) + ": scaling=standard shifts the targets, which the " +
                                                           name + " likelihood cannot read; use scaling=mean");
    }
};

}  // namespace shelf::deepar
