// shelf/linear/select.hpp: choosing the model to keep and a binary classifier's threshold.
//
// Every candidate is scored on the selection data (the validation channel, else the
// training data) by binary_classifier_model_selection_criteria: for a binary
// classifier, the best value of the criterion over thresholds (accuracy, F-beta,
// precision at target_recall, recall at target_precision) or the mean loss; for a
// multiclass classifier, accuracy (or the loss, with loss_function); for a regressor,
// the mean loss. A criterion counted in right answers is noisy: models within one
// binomial standard error of the best are told apart by their early-stopping loss
// (see kept_model). Ties go to the lower model index (model 0 is the sweep's centre).
// The threshold criteria sort every model's scores, so binary classifiers are compared
// on at most compared_rows rows of the selection data (a sample drawn by seed); the kept
// model's threshold is then tuned on all of them.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "data.hpp"
#include "model.hpp"
#include "objective.hpp"
#include "params.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/metrics/classification.hpp"
#include "shelf/metrics/ranking.hpp"

namespace shelf::linear::detail {

/// A binary classifier's threshold on its score and the criterion's value there.
struct Operating {
    double threshold;
    double metric;
};

/// The threshold that optimises `params`' criterion on (labels, scores); y holds 0/1.
template <class T>
Operating operating_point(const Params& params, const VectorView<T>& y, const VectorView<T>& score) {
    using metrics::OperatingPoint;
    switch (params.binary_classifier_model_selection_criteria) {
        case SelectionCriteria::accuracy: {
            const auto [threshold, accuracy] = metrics::best_accuracy_threshold<T>(y, score);
            return {threshold, accuracy};
        }
        case SelectionCriteria::f_beta: {
            const OperatingPoint p = metrics::best_f_beta_threshold<T>(y, score, params.f_beta);
            return {p.threshold, p.f_beta};
        }
        case SelectionCriteria::precision_at_target_recall: {
            const OperatingPoint p = metrics::precision_at_recall<T>(y, score, params.target_recall);
            return {p.threshold, p.precision};
        }
        case SelectionCriteria::recall_at_target_precision: {
            const OperatingPoint p = metrics::recall_at_precision<T>(y, score, params.target_precision);
            return {p.threshold, p.recall};
        }
        case SelectionCriteria::loss_function: break;
    }
    return {params.loss == Loss::hinge_loss ? 0.0 : 0.5, std::numeric_limits<double>::quiet_NaN()};
}

/// Rows on which binary classifiers are compared by a threshold criterion. Paired on the
/// same rows, the models' metrics differ by much less than their sampling error (~0.001).
inline constexpr Index compared_rows = 200000;

/// Whether a larger selection metric is better.
inline bool maximised(PredictorType type, SelectionCriteria criteria) {
    return type != PredictorType::regressor && criteria != SelectionCriteria::loss_function;
}

/// Each candidate's selection metric on `input` (raw rows) with labels y (0/1 for binary).
/// W and b hold the candidates' raw-feature weights, `classes` columns per candidate;
/// `settings` are the loss's in label units.
template <class T, class Input>
std::vector<double> selection_metrics(const Params& params, const LossSettings& settings, const Input& input,
                                      const Vector<T>& y, const RowMatrix<T>& W, const RowArray<T>& b, Index classes,
                                      int threads, Rng& rng) {
    const PredictorType type = *params.predictor_type;
    const SelectionCriteria criteria = params.binary_classifier_model_selection_criteria;
    const Index K = W.cols() / classes, n = input.rows();
    std::vector<double> metric(static_cast<std::size_t>(K));
    if (type == PredictorType::multiclass_classifier && maximised(type, criteria)) {
        // Each model's hits counted a block of rows at a time: the whole block of scores (rows ×
        // models·classes) would be tens of megabytes, and the argmax per model serial.
        const Index block = score_block_rows(W.cols()), blocks = (n + block - 1) / block;
        std::vector<Index> hits(static_cast<std::size_t>(blocks * K), 0);
        for_each_score_block(input, W, b, threads, [&](Index blk, Index first, const RowMatrix<T>& part) {
            Index* mine = hits.data() + blk * K;
            for (Index i = 0; i < part.rows(); ++i)
                for (Index k = 0; k < K; ++k) {
                    Index best = 0;
                    part.row(i).segment(k * classes, classes).maxCoeff(&best);
                    mine[k] += T(best) == y[first + i];
                }
        });
        for (Index k = 0; k < K; ++k) {
            Index total = 0;
            for (Index blk = 0; blk < blocks; ++blk) total += hits[static_cast<std::size_t>(blk * K + k)];
            metric[static_cast<std::size_t>(k)] = double(total) / double(n);
        }
        return metric;
    }
    RowMatrix<T> scores = linear_scores(input, W, b, threads);
    if (!maximised(type, criteria)) {
        RowArray<double> loss = RowArray<double>::Zero(K);
        apply_loss(*params.loss, settings, scores, y.data(), classes, RowWeights<T>{}, &loss, false);
        for (Index k = 0; k < K; ++k) metric[static_cast<std::size_t>(k)] = loss[k] / double(n);
        return metric;
    }
    to_score(*params.loss, scores);
    const std::vector<Index> rows = sample_rows(n, compared_rows, rng);
    const Vector<T> labels = y(rows);
    // Each model's scores in a row of their own, transposed a tile at a time: read straight from
    // the row-major block, a model's column costs a cache line per score.
    const auto m = static_cast<Index>(rows.size());
    RowMatrix<T> by_model(K, m);
    constexpr Index tile = 64;
    for (Index i0 = 0; i0 < m; i0 += tile)
        for (Index k = 0; k < K; ++k)
            for (Index i = i0; i < std::min(m, i0 + tile); ++i)
                by_model(k, i) = scores(rows[static_cast<std::size_t>(i)], k);
    parallel_for(static_cast<int>(std::min<Index>(threads, K)), K, Schedule::dynamic, [&](Index k) {
        try {
            metric[static_cast<std::size_t>(k)] =
                operating_point<T>(params, labels, by_model.row(k).transpose()).metric;
        } catch (const data_error&) {  // scores that are not finite: a model that cannot be kept
            metric[static_cast<std::size_t>(k)] = std::numeric_limits<double>::quiet_NaN();
        }
    });
    return metric;
}

/// The index of the best metric (the first on ties); NaN never wins.
inline int best_index(const std::vector<double>& metric, bool maximise) {
    int best = 0;
    for (std::size_t k = 1; k < metric.size(); ++k) {
        const double a = metric[k], b = metric[static_cast<std::size_t>(best)];
        if (std::isnan(a)) continue;
        if (std::isnan(b) || (maximise ? a > b : a < b)) best = static_cast<int>(k);
    }
    return best;
}

/// The model to keep. A maximised criterion is a proportion of the `rows` compared, so the
/// models within one binomial standard error of the best are as good by it; when their losses
/// compare (`tell_apart_by_loss`), the one with the lowest early-stopping `loss` is kept. On
/// training data that loss is progressive (each mini-batch scored before its update), an
/// out-of-sample estimate: the in-sample loss of the final weights would favour the least
/// regularized model, which is what the band is to protect against.
inline int kept_model(const std::vector<double>& metric, const std::vector<double>& loss, bool maximise,
                      bool tell_apart_by_loss, Index rows) {
    int best = best_index(metric, maximise);
    const double top = metric[static_cast<std::size_t>(best)];
    if (!maximise || !tell_apart_by_loss || std::isnan(top)) return best;
    const double standard_error = std::sqrt(std::max(top * (1 - top), 0.0) / double(std::max<Index>(rows, 1)));
    for (std::size_t k = 0; k < metric.size(); ++k)
        if (metric[k] >= top - standard_error && loss[k] < loss[static_cast<std::size_t>(best)])
            best = static_cast<int>(k);
    return best;
}

}  // namespace shelf::linear::detail
