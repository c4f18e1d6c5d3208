// shelf/forecast/fit.hpp: training — checks, the resolved "auto" values, the initial weights,
// the epochs of mini-batches of random windows, and early stopping on validation series.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "adam.hpp"
#include "features.hpp"
#include "model.hpp"
#include "network.hpp"
#include "params.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"

namespace shelf::deepar {

namespace detail {

/// Windows per unit of parallel work. Fixed, so that a mini-batch's gradient is summed in the
/// same order, and the model is the same, on any thread count.
constexpr Index chunk_rows = 32;

/// A window to train or score on: series `series`, forecast from its point `split` on.
struct Pick {
    std::size_t series;
    Index split;
};

/// The mean of the last `count` weight vectors added (of all, while fewer were).
template <class T>
class EpochMean {
public:
    explicit EpochMean(int count) : kept_(static_cast<std::size_t>(count)) {}

    void add(const Vector<T>& w) {
        kept_[next_ % kept_.size()] = w;
        ++next_;
    }

    Vector<T> mean() const {
        const std::size_t n = std::min(next_, kept_.size());
        if (n == 1) return kept_[(next_ - 1) % kept_.size()];
        Eigen::VectorXd sum = Eigen::VectorXd::Zero(kept_[0].size());
        for (std::size_t k = 0; k < n; ++k) sum += kept_[k].template cast<double>();
        return (sum / double(n)).template cast<T>();
    }

private:
    std::vector<Vector<T>> kept_;
    std::size_t next_ = 0;
};

/// cardinality, num_dynamic_feat, max_lag and time_features from the training series, where they are auto.
template <class T>
void resolve_auto(Params& p, const std::vector<Series<T>>& train) {
    if (p.cardinality.is_auto()) {
        std::vector<int> cards(train.front().cat.size(), 1);
        for (const auto& s : train)
            for (std::size_t j = 0; j < std::min(s.cat.size(), cards.size()); ++j) cards[j] = std::max(cards[j], s.cat[j] + 1);
        p.cardinality.value = cards;
    }
    if (p.num_dynamic_feat.is_auto())
        p.num_dynamic_feat.value =
            train.front().dynamic_feat.size() == 0 ? 0 : static_cast<int>(train.front().dynamic_feat.rows());
    Index longest = 0;
    for (const auto& s : train) longest = std::max(longest, s.target.size());
    if (!p.max_lag) p.max_lag = static_cast<int>(std::max<Index>(7, longest - *p.context_length - *p.prediction_length));
    if (!p.time_features) {
        p.time_features.emplace();
        for (TimeFeature f : frequency_time_features(*p.time_freq))
            if (cycle_steps(f, *p.time_freq) <= double(longest)) p.time_features->push_back(f);
    }
}

/// Each category's mean log scale over the training series that carry it (cat feature by
/// feature); categories no series carries get the mean over all series.
template <class T>
std::vector<double> category_log_scales(const std::vector<Series<T>>& train, const Inputs& in) {
    std::vector<double> sum, count;
    for (Index c : in.cardinality) sum.resize(sum.size() + static_cast<std::size_t>(c), 0.0);
    count.assign(sum.size(), 0.0);
    double all = 0, all_count = 0;
    for (const auto& s : train) {
        Index observed = 0;
        const double scale = mean_abs(s, 0, s.target.size(), observed);
        if (!(scale > 0)) continue;
        all += std::log(scale), all_count += 1;
        std::size_t offset = 0;
        for (std::size_t j = 0; j < static_cast<std::size_t>(in.num_cat()); ++j) {
            sum[offset + static_cast<std::size_t>(s.cat[j])] += std::log(scale);
            count[offset + static_cast<std::size_t>(s.cat[j])] += 1;
            offset += static_cast<std::size_t>(in.cardinality[j]);
        }
    }
    const double mean = all_count > 0 ? all / all_count : 0.0;
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] = count[k] > 0 ? sum[k] / count[k] : mean;
    return sum;
}

/// Initial weights: LSTM and projection uniform in ±1/√cells, forget-gate biases 1 (so that
/// the cells remember from the start), other biases 0, embeddings standard normal.
template <class T>
Vector<T> initial_weights(const Layout& shape, Rng& rng) {
    Vector<T> w = Vector<T>::Zero(shape.size());
    const double bound = 1 / std::sqrt(double(shape.cells));
    for (Index k = 0; k < shape.layer_weights(0); ++k) w[k] = static_cast<T>(rng.normal());
    for (Index l = 0; l < shape.layers; ++l) {
        for (Index k = shape.layer_weights(l); k < shape.layer_bias(l); ++k) w[k] = static_cast<T>(rng.uniform(-bound, bound));
        w.segment(shape.layer_bias(l) + shape.cells, shape.cells).setOnes();
    }
    for (Index k = shape.projection(); k < shape.projection_bias(); ++k) w[k] = static_cast<T>(rng.uniform(-bound, bound));
    return w;
}

/// Runs the network over the windows `picks` (each series' fallback scale in `fallback`) in
/// chunks on up to `threads` threads. Pass::train adds the summed loss's gradient to `grad` and
/// draws dropout from streams `stream`, `stream` + 1, ... (one per chunk). Returns the summed
/// loss and the count of targets it covers, summed over chunks in order.
template <class T>
std::pair<double, double> run_windows(const std::vector<Series<T>>& series, const std::vector<Pick>& picks,
                                      const std::vector<double>& fallback, const Inputs& in, const Layout& shape,
                                      const Vector<T>& weights, const Params& p, Pass pass, std::uint64_t stream,
                                      int threads, Vector<T>* grad) {
    const auto n = static_cast<Index>(picks.size());
    const Index chunks = (n + chunk_rows - 1) / chunk_rows, L = in.context + in.prediction;
    std::vector<double> loss(static_cast<std::size_t>(chunks)), count(static_cast<std::size_t>(chunks));
    RowMatrix<T> grads = pass == Pass::train ? RowMatrix<T>::Zero(chunks, shape.size()) : RowMatrix<T>();
    const double work = double(n) * double(L) * double(shape.size()) * (pass == Pass::train ? 3 : 1);
    parallel_for(
        team_size(threads, chunks, work), chunks, Schedule::even, [](int) { return std::pair<Unroll<T>, Window<T>>(); },
        [&](Index c, auto& local) {
            auto& [unroll, w] = local;
            const Index first = c * chunk_rows, rows = std::min(chunk_rows, n - first);
            w.resize(rows, L, in.max_lag, in.covariates(), in.num_cat());
            w.known = L;
            w.loss_from = pass == Pass::train ? 0 : in.context;
            for (Index r = 0; r < rows; ++r) {
                const Pick& pick = picks[static_cast<std::size_t>(first + r)];
                const Series<T>& s = series[pick.series];
                const Index a = pick.split - in.context;
                fill_row(w, r, s, a, context_map(s, a, in, fallback[pick.series]), in);
            }
            Rng dropout = Rng::for_stream(static_cast<std::uint64_t>(p.seed), stream + static_cast<std::uint64_t>(c));
            double counted = 0;
            loss[static_cast<std::size_t>(c)] = unroll.forward(shape, weights.data(), w, in.lags, in.likelihood,
                                                               p.dropout_rate, pass, &dropout, counted);
            count[static_cast<std::size_t>(c)] = counted;
            if (pass == Pass::train) unroll.backward(shape, weights.data(), w, in.lags, grads.row(c).data());
        });
    double total = 0, counted = 0;
    for (Index c = 0; c < chunks; ++c) total += loss[static_cast<std::size_t>(c)], counted += count[static_cast<std::size_t>(c)];
    if (grad)
        for (Index c = 0; c < chunks; ++c) *grad += grads.row(c).transpose();
    return {total, counted};
}

/// Each series' scale for windows whose context holds no observed point: its own mean |y|,
/// else its categories', else 1.
template <class T>
std::vector<double> fallback_scales(const std::vector<Series<T>>& series, const Inputs& in,
                                    const std::vector<double>& category_log_scale) {
    std::vector<double> out;
    for (const auto& s : series) {
        Index observed = 0;
        double scale = mean_abs(s, 0, s.target.size(), observed);
        if (!(scale > 0) && in.num_cat() > 0) {
            double log_scale = 0;
            std::size_t offset = 0;
            for (std::size_t j = 0; j < static_cast<std::size_t>(in.num_cat()); ++j) {
                log_scale += category_log_scale[offset + static_cast<std::size_t>(s.cat[j])];
                offset += static_cast<std::size_t>(in.cardinality[j]);
            }
            scale = std::exp(log_scale / double(in.num_cat()));
        }
        out.push_back(scale > 0 ? scale : 1.0);
    }
    return out;
}

}  // namespace detail

/// Trains a forecaster on `train` (each series' dynamic_feat, if any, covers its points).
/// `validation`, when given, is scored after every epoch on each series' last prediction_length
/// points (mean negative log-likelihood): the model keeps its best epoch's weights, and with
/// early_stopping_patience set, training stops after that many epochs without improvement.
/// `progress` hears of each epoch; returning false stops there.
template <class T>
Model<T> fit(const std::vector<Series<T>>& train, Params params, const std::vector<Series<T>>& validation = {},
             const ProgressCallback& progress = {}) {
    static_assert(std::is_floating_point_v<T>, "shelf::deepar::fit needs float or double series");
    params.validate();
    const std::string who = std::string(Params::family) + " fit";
    if (train.empty()) throw data_error(errc::empty_data, who + ": there are no training series");
    detail::resolve_auto(params, train);
    params.validate();
    const detail::Inputs in(params);
    for (std::size_t i = 0; i < train.size(); ++i) detail::check_series(train[i], i, in, train[i].target.size(), who);
    for (std::size_t i = 0; i < validation.size(); ++i)
        detail::check_series(validation[i], i, in, validation[i].target.size(), who + " (validation)");

    // Training windows: every split point t in [1, n − prediction_length] of every series, uniformly.
    std::vector<Index> ends;
    Index total = 0;
    for (const auto& s : train) ends.push_back(total += std::max<Index>(0, s.target.size() - in.prediction));
    if (total == 0)
        throw data_error(errc::empty_data, who + ": no training series is longer than prediction_length = " +
                                               std::to_string(in.prediction) + "; nothing to learn from");
    std::vector<detail::Pick> held_out;
    for (std::size_t i = 0; i < validation.size(); ++i)
        if (validation[i].target.size() > in.prediction)
            held_out.push_back({i, validation[i].target.size() - in.prediction});

    std::vector<double> category_log_scale = detail::category_log_scales(train, in);
    const std::vector<double> fallback = detail::fallback_scales(train, in, category_log_scale);
    const std::vector<double> held_out_fallback = detail::fallback_scales(validation, in, category_log_scale);
    const detail::Layout shape = Model<T>::layout(params);
    const auto seed = static_cast<std::uint64_t>(params.seed);
    Rng init_rng = Rng::for_stream(seed, 0), window_rng = Rng::for_stream(seed, 1);
    Vector<T> weights = detail::initial_weights<T>(shape, init_rng);
    detail::Adam<T> adam(shape.size(), params.learning_rate, params.clip_gradient);
    const int threads = resolve_threads(params.num_threads);
    const auto batches_per_chunk_stream = static_cast<std::uint64_t>((params.mini_batch_size + detail::chunk_rows - 1) / detail::chunk_rows);

    FitReport report;
    Vector<T> grad(shape.size());
    detail::EpochMean<T> averaged(params.averaged_epochs);
    Vector<T> best = weights;
    detail::Plateau schedule(params.learning_rate, params.learning_rate_decay_factor, params.learning_rate_patience,
                             params.minimum_learning_rate);
    double best_loss = std::numeric_limits<double>::infinity();
    int bad_epochs = 0;
    std::vector<detail::Pick> picks(static_cast<std::size_t>(params.mini_batch_size));
    std::uint64_t batch_number = 0;
    for (int epoch = 1; epoch <= *params.epochs; ++epoch) {
        double epoch_loss = 0;
        for (int b = 0; b < params.num_batches_per_epoch; ++b, ++batch_number) {
            for (auto& pick : picks) {
                const Index at = static_cast<Index>(window_rng.uniform_index(static_cast<std::uint64_t>(total)));
                const auto i = static_cast<std::size_t>(std::upper_bound(ends.begin(), ends.end(), at) - ends.begin());
                pick = {i, 1 + at - (i == 0 ? 0 : ends[i - 1])};
            }
            grad.setZero();
            const auto [loss, count] =
                detail::run_windows(train, picks, fallback, in, shape, weights, params, detail::Pass::train,
                                    16 + batch_number * batches_per_chunk_stream, threads, &grad);
            if (count == 0) continue;  // every window fell on missing points
            grad /= static_cast<T>(count);
            epoch_loss += loss / count;
            if (!std::isfinite(loss) || !grad.allFinite())
                throw invalid_argument(errc::out_of_range,
                                       who + ": training diverged in epoch " + std::to_string(epoch) +
                                           " (the mini-batch loss is " + shelf::detail::format_value(loss / count) +
                                           "); lower learning_rate or clip_gradient");
            adam.step(weights, grad);
        }
        averaged.add(weights);
        report.epochs_run = epoch;
        report.training_loss.push_back(epoch_loss / params.num_batches_per_epoch);
        Progress progress_report{"epoch", epoch, *params.epochs, report.training_loss.back(), "train:loss"};
        if (!held_out.empty()) {
            const auto [loss, count] = detail::run_windows(validation, held_out, held_out_fallback, in, shape, weights,
                                                           params, detail::Pass::evaluate, 0, threads, static_cast<Vector<T>*>(nullptr));
            const double metric = count > 0 ? loss / count : std::numeric_limits<double>::infinity();
            report.validation_loss.push_back(metric);
            progress_report.metric = metric;
            progress_report.metric_name = "validation:loss";
            if (metric < best_loss) {
                best_loss = metric, best = averaged.mean(), report.best_epoch = epoch, bad_epochs = 0;
            } else {
                ++bad_epochs;
            }
        } else {
            report.best_epoch = epoch;
        }
        // A loss that stopped falling (validation's if given, else training's) takes smaller steps.
        adam.set_rate(schedule.after_epoch(held_out.empty() ? report.training_loss.back() : report.validation_loss.back()));
        if (!shelf::report(progress, progress_report)) {
            report.stopped = true;
            break;
        }
        if (params.early_stopping_patience && !held_out.empty() && bad_epochs >= *params.early_stopping_patience) {
            report.stopped_early = epoch < *params.epochs;
            break;
        }
    }
    weights = held_out.empty() ? averaged.mean() : std::move(best);
    return Model<T>(std::move(params), std::move(weights), std::move(category_log_scale), std::move(report));
}

}  // namespace shelf::deepar
