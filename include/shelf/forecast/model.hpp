// shelf/forecast/model.hpp: a trained forecaster — its weights and what it learned of the
// series' scales — and its forecasts: sample paths, their mean and quantiles.
#pragma once

#include <algorithm>
#include <cmath>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "features.hpp"
#include "layout.hpp"
#include "network.hpp"
#include "params.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/random.hpp"

namespace shelf::deepar {

/// What training did.
struct FitReport {
    int epochs_run = 0;
    int best_epoch = 0;          ///< the epoch whose weights the model holds
    bool stopped = false;        ///< the progress callback asked to stop
    bool stopped_early = false;  ///< early stopping on the validation series ended training
    std::vector<double> training_loss;    ///< per epoch: mean negative log-likelihood of its mini-batches
    std::vector<double> validation_loss;  ///< per epoch, on the validation series' last prediction_length points
};

/// What a forecast request asks for.
struct ForecastOptions {
    std::optional<int> num_samples;  ///< sample paths; unset: num_eval_samples
    std::vector<double> quantiles;   ///< levels in (0, 1); empty: test_quantiles
    bool samples = false;            ///< keep the sample paths
};

/// One series' forecast of the prediction_length steps after its last point.
template <class T>
struct Forecast {
    Timestamp start;                ///< the first forecast step's time
    Vector<T> mean;                 ///< the sample paths' mean per step
    std::vector<double> levels;     ///< the quantile levels, as asked
    RowMatrix<T> quantiles;         ///< steps × levels
    RowMatrix<T> samples;           ///< paths × steps, when asked for
};

/// A DeepAR-style forecaster. A value — copyable and compared by content; const methods are safe
/// to call from several threads.
template <class T>
class Model {
    static_assert(std::is_floating_point_v<T>, "shelf::deepar::Model<T> needs float or double");

public:
    using Scalar = T;

    /// A model from its parts (fit()'s, or a file's): resolved hyperparameters, the flat weights
    /// (layout() gives their places) and each category's mean log scale, cat feature by feature.
    Model(Params params, Vector<T> weights, std::vector<double> category_log_scale, FitReport report = {})
        : params_(std::move(params)),
          weights_(std::move(weights)),
          category_log_scale_(std::move(category_log_scale)),
          report_(std::move(report)) {
        params_.validate();
        if (const std::string problem = shape_problem(); !problem.empty())
            throw invalid_argument(errc::inconsistent, std::string(Params::family) + ": " + problem);
    }

    const Params& params() const noexcept { return params_; }
    const FitReport& report() const noexcept { return report_; }
    const Vector<T>& weights() const noexcept { return weights_; }
    /// The lags the network reads: time_freq's, up to max_lag.
    std::vector<int> lags() const { return detail::Inputs(params_).lags; }

    /// Forecasts the prediction_length steps after each series' last point by ancestral sampling.
    /// Each series needs dynamic_feat over its points and the forecast steps. A series with no
    /// observed point is forecast from its categories' scale (cold start); without categories
    /// that is an error naming it.
    std::vector<Forecast<T>> forecast(const std::vector<Series<T>>& series, const ForecastOptions& options = {}) const {
        const std::string who = std::string(Params::family) + " forecast";
        const int paths = options.num_samples.value_or(params_.num_eval_samples);
        if (paths < 1)
            throw invalid_argument(errc::out_of_range, who + ": num_samples = " + std::to_string(paths) + "; expected >= 1");
        const std::vector<double> levels = options.quantiles.empty() ? params_.test_quantiles : options.quantiles;
        for (double q : levels)
            if (!(q > 0 && q < 1))
                throw invalid_argument(errc::out_of_range,
                                       who + ": quantile " + shelf::detail::format_value(q) + " is not in (0, 1)");
        const detail::Inputs in(params_);
        for (std::size_t i = 0; i < series.size(); ++i) {
            detail::check_series(series[i], i, in, series[i].target.size() + in.prediction, who);
            (void)fallback_scale(series[i], i, in, who);  // a series that cannot be forecast fails before any work
        }
        std::vector<Forecast<T>> out(series.size());
        const detail::Layout shape = layout(params_);
        const int threads = resolve_threads(params_.num_threads);
        const double work = double(series.size()) * paths * double(in.context + in.prediction) * double(shape.size());
        parallel_for(
            team_size(threads, static_cast<Index>(series.size()), work), static_cast<Index>(series.size()),
            Schedule::dynamic, [](int) { return std::pair<detail::Unroll<T>, detail::Window<T>>(); },
            [&](Index i, auto& local) {
                out[static_cast<std::size_t>(i)] =
                    forecast_one(series[static_cast<std::size_t>(i)], static_cast<std::size_t>(i), paths, levels,
                                 options.samples, in, shape, local.first, local.second, who);
            });
        return out;
    }

    /// The network's shape for resolved hyperparameters.
    static detail::Layout layout(const Params& p) {
        const detail::Inputs in(p);
        const auto skips = p.seasonal_skip ? std::count_if(in.lags.begin(), in.lags.end(),
                                                           [&](int lag) { return lag >= in.prediction; })
                                           : 0;
        return detail::Layout(static_cast<Index>(in.lags.size()) + in.covariates(), p.num_cells, p.num_layers,
                              info(p.likelihood).num_params, p.embedding_dimension, in.cardinality,
                              static_cast<Index>(skips));
    }

    /// What a model file holds (core/model_fields.hpp).
    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        f("weights", m.weights_);
        f("category_log_scale", m.category_log_scale_);
        f("report.epochs_run", m.report_.epochs_run);
        f("report.best_epoch", m.report_.best_epoch);
        f("report.stopped", m.report_.stopped);
        f("report.stopped_early", m.report_.stopped_early);
        f("report.training_loss", m.report_.training_loss);
        f("report.validation_loss", m.report_.validation_loss);
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a model written by save(); a damaged file or another family's throws model_error.
    static Model load(std::istream& in) {
        Model m;
        load_model(m, in);
        if (const std::string problem = m.shape_problem(); !problem.empty())
            throw model_error(errc::malformed, std::string("the ") + Params::family + " model's " + problem);
        return m;
    }

    friend bool operator==(const Model& a, const Model& b) { return same_model(a, b); }
    friend bool operator!=(const Model& a, const Model& b) { return !(a == b); }

private:
    Model() = default;

    std::string shape_problem() const {
        if (params_.num_dynamic_feat.is_auto() || params_.cardinality.is_auto())
            return "hyperparameters leave cardinality or num_dynamic_feat unresolved";
        const Index expected = layout(params_).size();
        if (weights_.size() != expected)
            return "weights (" + std::to_string(weights_.size()) + ") do not match the network's " +
                   std::to_string(expected);
        std::size_t categories = 0;
        for (Index c : detail::Inputs(params_).cardinality) categories += static_cast<std::size_t>(c);
        if (category_log_scale_.size() != categories || !weights_.allFinite())
            return "category scales (" + std::to_string(category_log_scale_.size()) + ") do not match the cardinality (" +
                   std::to_string(categories) + "), or a value is not finite";
        const auto epochs = static_cast<std::size_t>(report_.epochs_run);
        if (report_.epochs_run < 0 || report_.best_epoch < 0 || report_.best_epoch > report_.epochs_run ||
            report_.training_loss.size() != epochs ||
            (!report_.validation_loss.empty() && report_.validation_loss.size() != epochs))
            return "training report is inconsistent";
        return "";
    }

    /// The scale for a series whose context holds no observed point: its own mean |y|, else
    /// the mean log scale of its categories' training series (cold start).
    double fallback_scale(const Series<T>& s, std::size_t index, const detail::Inputs& in, const std::string& who) const {
        Index observed = 0;
        const double own = detail::mean_abs(s, 0, s.target.size(), observed);
        if (own > 0) return own;
        if (in.num_cat() == 0) {
            if (observed > 0) return 1.0;  // all zero: any scale reads it as zero
            throw data_error(errc::empty_data, detail::series_name(who, index) +
                                                   ": the target has no observed point and the model has no "
                                                   "categories (cat) to cold-start it from");
        }
        double log_scale = 0;
        std::size_t offset = 0;
        for (Index c = 0; c < in.num_cat(); ++c) {
            log_scale += category_log_scale_[offset + static_cast<std::size_t>(s.cat[static_cast<std::size_t>(c)])];
            offset += static_cast<std::size_t>(in.cardinality[static_cast<std::size_t>(c)]);
        }
        return std::exp(log_scale / double(in.num_cat()));
    }

    Forecast<T> forecast_one(const Series<T>& s, std::size_t index, int paths, const std::vector<double>& levels,
                             bool keep_samples, const detail::Inputs& in, const detail::Layout& shape,
                             detail::Unroll<T>& unroll, detail::Window<T>& w, const std::string& who) const {
        const Index n = s.target.size(), a = n - in.context, P = in.prediction;
        w.resize(paths, in.context + P, in.max_lag, in.covariates(), in.num_cat());
        w.known = in.context;
        w.loss_from = w.steps;
        detail::fill_row(w, 0, s, a, detail::context_map(s, a, in, fallback_scale(s, index, in, who)), in);
        detail::copy_row_to_all(w, 0);
        // The paths part at the context's first missing point (each fills it with its own draw).
        while (w.shared < w.known && !std::isnan(w.history(0, w.max_lag + w.shared))) ++w.shared;
        RowMatrix<T> samples(paths, P);
        Rng rng = Rng::for_stream(static_cast<std::uint64_t>(params_.seed), (std::uint64_t{1} << 40) + index);
        double count = 0;
        unroll.forward(shape, weights_.data(), w, in.lags, params_.likelihood, 0.0, detail::Pass::sample, &rng, count,
                       &samples);
        Forecast<T> f;
        f.start = detail::step_after(s.start, in.freq, n);
        f.mean = samples.colwise().mean().transpose();
        f.levels = levels;
        f.quantiles.resize(P, static_cast<Index>(levels.size()));
        std::vector<T> column(static_cast<std::size_t>(paths));
        for (Index t = 0; t < P; ++t) {
            for (Index r = 0; r < paths; ++r) column[static_cast<std::size_t>(r)] = samples(r, t);
            std::sort(column.begin(), column.end());
            for (std::size_t q = 0; q < levels.size(); ++q) {
                // Linear interpolation between order statistics (numpy's default).
                const double at = levels[q] * double(paths - 1);
                const auto lo = static_cast<std::size_t>(at);
                const std::size_t hi = std::min(lo + 1, column.size() - 1);
                f.quantiles(t, static_cast<Index>(q)) =
                    static_cast<T>(column[lo] + (at - double(lo)) * (double(column[hi]) - double(column[lo])));
            }
        }
        if (keep_samples) f.samples = std::move(samples);
        return f;
    }

    Params params_;
    Vector<T> weights_;
    std::vector<double> category_log_scale_;
    FitReport report_;
};

}  // namespace shelf::deepar
