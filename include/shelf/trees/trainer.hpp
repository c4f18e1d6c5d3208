// shelf/trees/trainer.hpp: the boosting loop behind fit() (fit.hpp).
//
// Each round computes every row's gradient pair from the current margins, grows one tree per
// output on them (row- and column-sampled), adds the trees' leaf values to the training
// margins and to the validation margins, and evaluates the metrics on the validation data.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/checks.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/types.hpp"
#include "shelf/core/validation.hpp"
#include "binning.hpp"
#include "grow.hpp"
#include "metric.hpp"
#include "model.hpp"
#include "objective.hpp"
#include "params.hpp"
#include "predict.hpp"

namespace shelf::gbt {

/// Throws data_error naming the first label that `info`'s objective does not accept, its row
/// named by `row_name` ("row 12" from 0 by default; the command line names the file's line).
template <class T>
void check_labels(const VectorView<T>& y, const ObjectiveInfo& info, int num_class, const std::string& where,
                  const RowNames& row_name = {}) {
    for (Index r = 0; r < y.size(); ++r) {
        const T label = y[r];
        if (label_ok(info, label, num_class)) continue;
        const std::string row = row_name(r);
        if (!std::isfinite(label))
            throw data_error(errc::not_finite, where + ": the label in " + row + " is " +
                                                   (std::isnan(label) ? "NaN" : "infinite"));
        throw data_error(errc::bad_label,
                         where + ": the label in " + row + " is " + shelf::detail::format_value(static_cast<double>(label)) +
                             "; " + info.name + " expects " + label_expectation(info, num_class) +
                             (info.labels == LabelRule::binary && label == T(-1)
                                  ? " (labels given as -1/+1: write -1 as 0, as XGBoost and the platform expect)"
                                  : ""));
    }
}

namespace detail {

/// Rejects data the objective cannot learn from, naming the row (and column): `where` names
/// the data in messages about its shape, labels and weights, `context` in those about X's
/// values and columns, which must be `columns` (the training data's) unless that is negative.
template <class T>
void check_data(const std::string& where, const std::string& context, const MatrixView<T>& X, const VectorView<T>& y,
                const T* weight, Index weight_size, const ObjectiveInfo& info, int num_class, Index columns, int threads) {
    if (X.rows() == 0) throw data_error(errc::empty_data, where + " has no rows");
    if (X.cols() == 0) throw data_error(errc::empty_data, where + " has no feature columns");
    if (columns >= 0) require_columns(X.cols(), columns, context);
    if (y.size() != X.rows())
        throw data_error(errc::shape_mismatch, where + " has " + std::to_string(X.rows()) + " rows but " +
                                                   std::to_string(y.size()) + " labels");
    if (weight_size != 0 && weight_size != X.rows())
        throw data_error(errc::shape_mismatch, where + " has " + std::to_string(X.rows()) + " rows but " +
                                                   std::to_string(weight_size) + " weights");
    check_labels(y, info, num_class, where);
    for (Index r = 0; r < X.rows(); ++r) {
        if (weight && !(std::isfinite(weight[r]) && weight[r] >= T(0)))
            throw data_error(errc::bad_label, where + ": the weight of row " + std::to_string(r) + " is " +
                                                  std::to_string(static_cast<double>(weight[r])) +
                                                  "; weights must be finite and >= 0");
    }
    require_finite(X, context, Missing::allowed, threads);
}

/// base_score when none is given: XGBoost 1.7 estimates it only for reg:absoluteerror (the
/// labels' weighted median); every other objective starts from 0.5.
template <class T>
double default_base_score(const ObjectiveInfo& info, const VectorView<T>& y, const T* weight) {
    if (std::string(info.name) != "reg:absoluteerror") return 0.5;
    std::vector<T> labels(y.data(), y.data() + y.size());
    if (!weight) return static_cast<double>(quantile(0.5, labels));
    return static_cast<double>(weighted_quantile(0.5, labels, std::vector<T>(weight, weight + y.size())));
}

/// Transformed outputs for metrics: probabilities for multi-class objectives (also multi:softmax).
template <class T>
std::vector<T> metric_outputs(const AnyObjective& objective, const ObjectiveSettings& settings,
                              const std::vector<T>& margin, int outputs, bool multiclass) {
    std::vector<T> out = margin;
    const objectives::Softprob probabilities(settings);
    const std::size_t rows = out.size() / static_cast<std::size_t>(outputs);
    if (multiclass) {
        transform_rows(probabilities, out.data(), rows, static_cast<std::size_t>(outputs));
        return out;
    }
    std::visit([&](const auto& obj) { transform_rows(obj, out.data(), rows, static_cast<std::size_t>(outputs)); }, objective);
    return out;
}

template <class T, class B>
Model<T> boost(const MatrixView<T>& X, const VectorView<T>& y, const T* weight, Params params,
               const Validation<T>& validation, const ProgressCallback& progress, const Cuts<T>& cuts, bool dense,
               const std::vector<Metric>& metrics, int threads) {
    const ObjectiveInfo& info = find_objective(params.objective);
    const ObjectiveSettings settings = objective_settings(params);
    const AnyObjective objective = make_objective(params.objective, settings);
    const int K = info.multiclass ? params.num_class : 1;
    const auto k_size = static_cast<std::size_t>(K);
    const Index n = X.rows();
    const auto base_margin =
        std::visit([&](const auto& obj) { return obj.margin_of(static_cast<T>(*params.base_score)); }, objective);
    const bool adaptive_leaves = std::holds_alternative<objectives::AbsoluteError>(objective);
    // Per-row loops get a region above 8,192 rows (times outputs).
    const int team = team_for(threads, 8.0 * static_cast<double>(static_cast<std::size_t>(n) * k_size));
    const int row_team = team_for(threads, 8.0 * static_cast<double>(n));  // loops over one output's rows

    GrowParams<T> grow;
    grow.split.lambda = static_cast<T>(params.lambda);
    grow.split.alpha = static_cast<T>(params.alpha);
    grow.split.gamma = static_cast<T>(params.gamma);
    grow.split.min_child_weight = static_cast<T>(params.min_child_weight);
    grow.split.max_delta_step = static_cast<T>(resolved_max_delta_step(params));
    grow.split.eta = static_cast<T>(params.eta);
    grow.policy = params.grow_policy;
    grow.max_depth = params.max_depth;
    grow.max_leaves = params.max_leaves;
    grow.colsample_bytree = params.colsample_bytree;
    grow.colsample_bylevel = params.colsample_bylevel;
    grow.colsample_bynode = params.colsample_bynode;
    grow.threads = threads;

    const BinMatrix<B> bins = bin_rows<B>(X, cuts, threads);
    TreeGrower<T, B> grower(cuts, bins, dense, grow);
    // A round's trees (one per output) depend only on the gradients at its start. With as many of
    // them as threads, or many more, each thread grows whole trees alone: no barrier inside a
    // tree, where small trees spend most of their time. The grower gives the same tree on any
    // thread count, so the model is the same either way.
    const bool by_output = K > 1 && threads > 1 && (K % threads == 0 || K >= 2 * threads);
    GrowParams<T> alone = grow;
    alone.threads = 1;
    std::vector<TreeGrower<T, B>> output_growers(by_output ? static_cast<std::size_t>(threads) : 0,
                                                 TreeGrower<T, B>(cuts, bins, dense, alone));
    std::vector<std::vector<std::uint32_t>> output_rows(output_growers.size());

    // Training margins and gradients are kept output by output (n values each), so that a tree
    // reads its output's gradients and updates its margins in place, not one value in K per row.
    std::vector<T> margin(static_cast<std::size_t>(n) * k_size, base_margin);
    const Index nv = validation.empty() ? 0 : validation.X().rows();
    std::vector<T> valid_margin(static_cast<std::size_t>(nv) * k_size, base_margin);
    std::vector<GradientPair<T>> gradients(margin.size());
    const auto at = [n](int k, std::size_t r) { return static_cast<std::size_t>(k) * static_cast<std::size_t>(n) + r; };
    std::vector<std::uint32_t> rows;  // the rows each tree grows on
    // Without row sampling, a round's K trees all start from every row: their root histograms
    // (most of the summing when most classes are rare) come from one pass over the codes, as
    // long as they take no more than 256 MB.
    const bool shared_roots =
        K > 1 && params.subsample >= 1.0 && k_size * grower.layout_size() <= (std::size_t{1} << 24);
    std::vector<HistBin> roots(shared_roots ? k_size * grower.layout_size() : 0);
    std::vector<std::uint32_t> all_rows(shared_roots ? static_cast<std::size_t>(n) : 0);
    for (std::size_t r = 0; r < all_rows.size(); ++r) all_rows[r] = static_cast<std::uint32_t>(r);
    std::vector<Tree<T>> trees;
    std::vector<std::vector<double>> history;
    FitReport report;
    const bool maximize = metrics.back().maximize;
    int since_best = 0;
    const int rounds = *params.num_round;

    for (int round = 0; round < rounds; ++round) {
        std::visit(
            [&](const auto& obj) {
                if (K == 1) {  // in blocks of rows, which an objective may vectorize
                    constexpr Index block = 1024;
                    parallel_for(team, (n + block - 1) / block, Schedule::even, [&](Index b) {
                        const Index first = b * block;
                        const auto i = static_cast<std::size_t>(first);
                        gradients_of(obj, margin.data() + i, y.data() + i, weight ? weight + i : nullptr,
                                     static_cast<std::size_t>(std::min(block, n - first)), gradients.data() + i);
                    });
                    return;
                }
                struct Row {  // a thread's row of margins and gradients
                    std::vector<T> margin;
                    std::vector<GradientPair<T>> gradient;
                };
                const auto make_row = [&](int) { return Row{std::vector<T>(k_size), std::vector<GradientPair<T>>(k_size)}; };
                parallel_for(team, n, Schedule::even, make_row, [&](Index r, Row& row) {
                    const auto i = static_cast<std::size_t>(r);
                    for (int k = 0; k < K; ++k) row.margin[static_cast<std::size_t>(k)] = margin[at(k, i)];
                    obj.gradient(row.margin.data(), y[r], weight ? weight[r] : T(1), row.gradient.data());
                    for (int k = 0; k < K; ++k) gradients[at(k, i)] = row.gradient[static_cast<std::size_t>(k)];
                });
            },
            objective);
        if (shared_roots) grower.root_histograms(gradients.data(), static_cast<std::size_t>(n), k_size, all_rows, roots.data());

        // One output's tree, grown by `g` on `inner` threads; its margins move by its leaves.
        const auto grow_output = [&](int k, TreeGrower<T, B>& g, std::vector<std::uint32_t>& sample, int inner) {
            const int tree_team = std::min(inner, row_team);
            const auto tree_index = static_cast<std::uint64_t>(round) * k_size + static_cast<std::uint64_t>(k);
            const GradientPair<T>* gpair = gradients.data() + at(k, 0);
            sample.clear();
            if (params.subsample < 1.0) {
                Rng rng = Rng::for_stream(static_cast<std::uint64_t>(params.seed), 2 * tree_index);
                for (Index r = 0; r < n; ++r)
                    if (rng.uniform() < params.subsample) sample.push_back(static_cast<std::uint32_t>(r));
            } else {
                sample.resize(static_cast<std::size_t>(n));
                parallel_for(tree_team, n, Schedule::even,
                             [&](Index r) { sample[static_cast<std::size_t>(r)] = static_cast<std::uint32_t>(r); });
            }
            const std::size_t sampled = sample.size();
            Tree<T> tree =
                g.grow(gpair, sample, Rng::for_stream(static_cast<std::uint64_t>(params.seed), 2 * tree_index + 1),
                       shared_roots ? roots.data() + static_cast<std::size_t>(k) * g.layout_size() : nullptr);

            const auto& ranges = g.ranges();
            const std::uint32_t* node_rows = g.rows();
            std::vector<int> leaves;
            for (int node = 0; node < tree.size(); ++node)
                if (tree.is_leaf(node)) leaves.push_back(node);
            if (adaptive_leaves) {  // leaf := median residual of its rows, times eta (XGBoost >= 2.0)
                parallel_for(tree_team, static_cast<Index>(leaves.size()), Schedule::dynamic, [&](Index l) {
                    const auto leaf = static_cast<std::size_t>(leaves[static_cast<std::size_t>(l)]);
                    const auto& range = ranges[leaf];
                    if (range.end == range.begin) return;
                    std::vector<T> residual, w;
                    for (std::size_t i = range.begin; i < range.end; ++i) {
                        const std::uint32_t r = node_rows[i];
                        residual.push_back(y[r] - margin[r]);
                        if (weight) w.push_back(weight[r]);
                    }
                    const T q = weight ? weighted_quantile(0.5, residual, w) : quantile(0.5, residual);
                    tree.value[leaf] = q * grow.split.eta;
                });
            }
            parallel_for(tree_team, static_cast<Index>(leaves.size()), Schedule::dynamic, [&](Index l) {
                const auto node = static_cast<std::size_t>(leaves[static_cast<std::size_t>(l)]);
                const T out = tree.value[node];
                for (std::size_t i = ranges[node].begin; i < ranges[node].end; ++i)
                    margin[at(k, node_rows[i])] += out;
            });
            if (sampled < static_cast<std::size_t>(n)) {  // rows left out of the sample still move
                std::vector<std::uint8_t> in_sample(static_cast<std::size_t>(n), 0);
                for (std::size_t i = 0; i < sampled; ++i) in_sample[node_rows[i]] = 1;
                parallel_for(tree_team, n, Schedule::even, [&](Index r) {
                    if (!in_sample[static_cast<std::size_t>(r)])
                        margin[at(k, static_cast<std::size_t>(r))] +=
                            tree.value[static_cast<std::size_t>(tree.leaf_of(X.row(r).data(), X.cols()))];
                });
            }
            return tree;
        };
        std::vector<Tree<T>> round_trees(k_size);
        if (by_output) {
            parallel_for(threads, K, Schedule::dynamic, [](int t) { return t; }, [&](Index k, int t) {
                const auto slot = static_cast<std::size_t>(t);
                round_trees[static_cast<std::size_t>(k)] =
                    grow_output(static_cast<int>(k), output_growers[slot], output_rows[slot], 1);
            });
        } else {
            for (int k = 0; k < K; ++k) round_trees[static_cast<std::size_t>(k)] = grow_output(k, grower, rows, threads);
        }
        if (nv > 0) {  // the round's trees, output k's tree adding to output k
            std::vector<int> outputs(k_size);
            for (int k = 0; k < K; ++k) outputs[static_cast<std::size_t>(k)] = k;
            const Forest<T> round_forest(round_trees, outputs, X.cols());
            round_forest.add_outputs(validation.X(), 0, k_size, K, valid_margin.data(), threads);
        }
        for (Tree<T>& tree : round_trees) trees.push_back(std::move(tree));

        // Named by channel, as XGBoost prints them: validation-auc, train-logloss.
        Progress step{"round", round + 1, rounds, 0.0, (nv > 0 ? "validation-" : "train-") + metrics.back().name};
        bool stop = false;
        if (nv > 0) {
            const auto out = metric_outputs(objective, settings, valid_margin, K, info.multiclass);
            std::vector<double> values;
            for (const Metric& m : metrics)
                values.push_back(evaluate_metric(m, out.data(), validation.y().data(), validation.weight(), nv, K,
                                                 params.huber_slope, threads));
            history.push_back(values);
            const double score = values.back();
            if (report.best_iteration < 0 || (maximize ? score > report.best_score : score < report.best_score)) {
                report.best_iteration = round;
                report.best_score = score;
                since_best = 0;
            } else {
                ++since_best;
            }
            step.metric = score;
            stop = params.early_stopping_rounds && since_best >= *params.early_stopping_rounds;
            report.stopped_early = stop;
        } else if (progress) {
            // On demand: XGBoost evaluates the training data only when asked to, and the
            // command line prints one round in ten.
            step.compute_metric = [&] {
                std::vector<T> by_row(K > 1 ? margin.size() : 0);  // one output: the margins are already by row
                for (Index r = 0; K > 1 && r < n; ++r)
                    for (int k = 0; k < K; ++k)
                        by_row[static_cast<std::size_t>(r) * k_size + static_cast<std::size_t>(k)] =
                            margin[at(k, static_cast<std::size_t>(r))];
                const auto out = metric_outputs(objective, settings, K > 1 ? by_row : margin, K, info.multiclass);
                return evaluate_metric(metrics.back(), out.data(), y.data(), weight, n, K, params.huber_slope, threads);
            };
        }
        const bool go_on = shelf::report(progress, step);  // every round, the last one included
        if (!stop && !go_on) {
            report.stopped = true;
            stop = true;
        }
        if (stop) break;
    }
    if (report.stopped_early) trees.resize(static_cast<std::size_t>(report.best_iteration + 1) * k_size);
    report.validation.resize(static_cast<Index>(history.size()), static_cast<Index>(metrics.size()));
    for (std::size_t r = 0; r < history.size(); ++r)
        for (std::size_t m = 0; m < metrics.size(); ++m)
            report.validation(static_cast<Index>(r), static_cast<Index>(m)) = history[r][m];
    const auto base_score = static_cast<T>(*params.base_score);
    return Model<T>(std::move(params), X.cols(), base_score, std::move(trees), std::move(report));
}

/// Trains on checked data with resolved hyperparameters (base_score and eval_metric set):
/// the cut points, then the boosting loop on codes of one byte where they fit, else two.
template <class T>
Model<T> train(const MatrixView<T>& X, const VectorView<T>& y, const T* weight, const Params& resolved,
               const Validation<T>& validation, const ProgressCallback& progress, const std::vector<Metric>& metrics,
               int threads) {
    std::vector<Index> present;
    const Cuts<T> cuts = make_cuts(X, weight, resolved.max_bin, threads, present);
    const bool dense = std::all_of(present.begin(), present.end(), [&](Index c) { return c == X.rows(); });
    if (codes_fit<std::uint8_t>(cuts, present, X.rows()))
        return boost<T, std::uint8_t>(X, y, weight, resolved, validation, progress, cuts, dense, metrics, threads);
    return boost<T, std::uint16_t>(X, y, weight, resolved, validation, progress, cuts, dense, metrics, threads);
}

}  // namespace detail

}  // namespace shelf::gbt
