// shelf/trees/metric.hpp: XGBoost's evaluation metrics, evaluated on transformed predictions.
//
// These follow XGBoost's definitions (src/metric/elementwise_metric.cu, multiclass_metric.cu,
// auc.cc), which differ in details from scikit-learn's: logloss clips probabilities to
// [1e-16, 1 − 1e-16], `error` thresholds at 0.5, `aucpr` integrates the precision–recall curve
// with Davis & Goadrich's interpolation. Sums are weighted and accumulated in double.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <locale>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "shelf/core/error.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/params.hpp"
#include "shelf/core/types.hpp"
#include "objective.hpp"

namespace shelf::gbt {

enum class MetricKind { rmse, mae, logloss, error, merror, mlogloss, auc, aucpr, poisson_nloglik, gamma_nloglik,
                        tweedie_nloglik, mphe };

/// A parsed metric: `error@0.7` and `tweedie-nloglik@1.2` carry a parameter after '@'.
struct Metric {
    MetricKind kind{};
    std::string name;  ///< as reported, e.g. "auc" or "tweedie-nloglik@1.5"
    double param = 0.0;
    bool maximize = false;  ///< larger is better (auc, aucpr)
};

namespace detail {

struct MetricEntry {
    const char* name;
    MetricKind kind;
    bool multiclass;
    bool has_param;
    double default_param;
};

inline constexpr MetricEntry metric_table[] = {
    {"rmse", MetricKind::rmse, false, false, 0.0},
    {"mae", MetricKind::mae, false, false, 0.0},
    {"logloss", MetricKind::logloss, false, false, 0.0},
    {"error", MetricKind::error, false, true, 0.5},
    {"merror", MetricKind::merror, true, false, 0.0},
    {"mlogloss", MetricKind::mlogloss, true, false, 0.0},
    {"auc", MetricKind::auc, false, false, 0.0},
    {"aucpr", MetricKind::aucpr, false, false, 0.0},
    {"poisson-nloglik", MetricKind::poisson_nloglik, false, false, 0.0},
    {"gamma-nloglik", MetricKind::gamma_nloglik, false, false, 0.0},
    {"tweedie-nloglik", MetricKind::tweedie_nloglik, false, true, 1.5},
    {"mphe", MetricKind::mphe, false, false, 0.0},
};

inline std::string metric_names() {
    std::string out;
    for (const auto& e : metric_table) out += (out.empty() ? "" : ", ") + std::string(e.name);
    return out;
}

inline std::string format_param(double x) {
    std::ostringstream out;
    out.imbue(std::locale::classic());  // "0.5" whatever the global locale
    out << x;
    return out.str();
}

/// Binary ROC or PR area over rows sorted by decreasing prediction, ties grouped (XGBoost's BinaryAUC).
template <class T, class Area>
double binary_area(const T* pred, const T* label, const T* weight, Index n, Area area, double* positives,
                   double* negatives) {
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    std::stable_sort(order.begin(), order.end(), [pred](Index a, Index b) { return pred[a] > pred[b]; });
    double fp = 0, tp = 0, fp_prev = 0, tp_prev = 0, sum = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const Index r = order[i];
        if (i > 0 && pred[r] != pred[order[i - 1]]) {
            sum += area(fp_prev, fp, tp_prev, tp);
            fp_prev = fp;
            tp_prev = tp;
        }
        const double w = weight ? static_cast<double>(weight[r]) : 1.0;
        fp += (1.0 - static_cast<double>(label[r])) * w;
        tp += static_cast<double>(label[r]) * w;
    }
    sum += area(fp_prev, fp, tp_prev, tp);
    *positives = tp;
    *negatives = fp;
    return sum;
}

template <class T>
double roc_auc(const T* pred, const T* label, const T* weight, Index n) {
    double pos = 0, neg = 0;
    const double area = binary_area(
        pred, label, weight, n,
        [](double fp0, double fp1, double tp0, double tp1) { return std::abs(fp1 - fp0) * (tp1 + tp0) / 2.0; }, &pos,
        &neg);
    if (pos <= 0 || neg <= 0) return std::numeric_limits<double>::quiet_NaN();
    return area / (pos * neg);
}

template <class T>
double pr_auc(const T* pred, const T* label, const T* weight, Index n) {
    double total_pos = 0, total_neg = 0;
    for (Index i = 0; i < n; ++i) {
        const double w = weight ? static_cast<double>(weight[i]) : 1.0;
        total_pos += w * static_cast<double>(label[i]);
        total_neg += w * (1.0 - static_cast<double>(label[i]));
    }
    if (total_pos <= 0 || total_neg <= 0) return std::numeric_limits<double>::quiet_NaN();
    // Precision is interpolated along a straight line in (TP, FP) between thresholds.
    const auto area = [total_pos](double fp0, double fp1, double tp0, double tp1) {
        double a = 1.0, b = 0.0;
        if (tp1 != tp0) {
            const double h = (fp1 - fp0) / (tp1 - tp0);
            a = 1.0 + h;
            b = (fp0 - h * tp0) / total_pos;
        }
        if (b != 0.0)
            return (tp1 / total_pos - tp0 / total_pos -
                    b / a * (std::log(a * tp1 / total_pos + b) - std::log(a * tp0 / total_pos + b))) /
                   a;
        return (tp1 - tp0) / total_pos / a;
    };
    double pos = 0, neg = 0;
    return binary_area(pred, label, weight, n, area, &pos, &neg);
}

}  // namespace detail

/// Parses a metric name (with '@' parameter where allowed) for a single- or multi-output objective.
inline Metric parse_metric(const std::string& text, bool multiclass) {
    const auto at = text.find('@');
    const std::string base = text.substr(0, at);
    for (const auto& e : detail::metric_table) {
        if (base != e.name) continue;
        Metric m{e.kind, e.name, e.default_param, e.kind == MetricKind::auc || e.kind == MetricKind::aucpr};
        if (at != std::string::npos) {
            const std::string arg = text.substr(at + 1);
            double value = 0.0;  // parsed without the C locale, which could make "0.5" not a number
            if (!e.has_param || !shelf::detail::parse_value(arg, value))
                throw invalid_argument(errc::bad_value, "xgboost: eval_metric '" + text + "' is not valid; only error@t "
                                                        "and tweedie-nloglik@rho take a number after '@'");
            m.param = value;
        }
        // XGBoost names tweedie-nloglik with its power always, error with its threshold when given.
        if (e.kind == MetricKind::tweedie_nloglik || at != std::string::npos)
            m.name = base + "@" + detail::format_param(m.param);
        if (e.multiclass != multiclass)
            throw invalid_argument(errc::inconsistent,
                                   "xgboost: eval_metric " + base + (multiclass ? " needs a single-output objective; "
                                                                                  "multi:softmax and multi:softprob take "
                                                                                  "merror or mlogloss"
                                                                                : " needs multi:softmax or multi:softprob"));
        return m;
    }
    throw invalid_argument(errc::bad_value,
                           "xgboost: unknown eval_metric '" + text + "'; valid metrics: " + detail::metric_names());
}

inline void check_metric(const std::string& name, bool multiclass) { (void)parse_metric(name, multiclass); }

/// The objective's default metric (reg:tweedie's carries its variance power, as in XGBoost).
inline std::string default_metric(const ObjectiveInfo& info, double tweedie_variance_power) {
    std::string name = info.default_metric;
    if (name == "tweedie-nloglik") name += "@" + detail::format_param(tweedie_variance_power);
    return name;
}

/// The metric over n rows of transformed predictions (`outputs` per row: class probabilities
/// for multi-class objectives). `weight` may be null (unit weights). `huber_slope` is mphe's δ.
template <class T>
double evaluate_metric(const Metric& m, const T* pred, const T* label, const T* weight, Index n, int outputs,
                       double huber_slope = 1.0, int threads = 1) {
    if (m.kind == MetricKind::auc) return detail::roc_auc(pred, label, weight, n);
    if (m.kind == MetricKind::aucpr) return detail::pr_auc(pred, label, weight, n);
    constexpr double eps = 1e-16;
    // Summed in fixed blocks of rows, the blocks' sums then added in order: the same value on any
    // thread count (the command line evaluates every training row each round).
    constexpr Index block = 8192;
    const Index blocks = (n + block - 1) / block;
    std::vector<double> block_sum(static_cast<std::size_t>(blocks)), block_total(static_cast<std::size_t>(blocks));
    parallel_for(team_for(threads, static_cast<double>(n)), blocks, Schedule::even, [&](Index b) {
        double sum = 0, total = 0;
        for (Index i = b * block; i < std::min(n, (b + 1) * block); ++i) {
            const double w = weight ? static_cast<double>(weight[i]) : 1.0;
            const auto y = static_cast<double>(label[i]);
            const auto p = static_cast<double>(pred[i * outputs]);
            double loss = 0;
            switch (m.kind) {
                case MetricKind::rmse: loss = (y - p) * (y - p); break;
                case MetricKind::mae: loss = std::abs(y - p); break;
                case MetricKind::logloss: {
                    // One log for a 0 / 1 label (the same value as the general form, at half the cost:
                    // the command line evaluates every training row each round).
                    const double q = std::min(std::max(p, eps), 1.0 - eps);
                    loss = y == 1.0 ? -std::log(q) : y == 0.0 ? -std::log(1.0 - q) : -y * std::log(q) - (1.0 - y) * std::log(1.0 - q);
                    break;
                }
                case MetricKind::error: loss = p > m.param ? 1.0 - y : y; break;
                case MetricKind::merror: {
                    const T* row = pred + i * outputs;
                    const auto best = std::max_element(row, row + outputs) - row;
                    loss = best != static_cast<long>(y) ? 1.0 : 0.0;
                    break;
                }
                case MetricKind::mlogloss:
                    loss = -std::log(std::max(static_cast<double>(pred[i * outputs + static_cast<Index>(y)]), eps));
                    break;
                case MetricKind::poisson_nloglik: {
                    const double q = std::max(p, eps);
                    loss = std::lgamma(y + 1.0) + q - std::log(q) * y;
                    break;
                }
                case MetricKind::gamma_nloglik: {
                    const double q = std::max(p, 1e-6);
                    loss = y / q + std::log(q);  // unit dispersion: -(y·θ − b(θ)) with θ = −1/q
                    break;
                }
                case MetricKind::tweedie_nloglik: {
                    const double rho = m.param;
                    loss = -y * std::exp((1.0 - rho) * std::log(p)) / (1.0 - rho) +
                           std::exp((2.0 - rho) * std::log(p)) / (2.0 - rho);
                    break;
                }
                case MetricKind::mphe: {
                    const double z = (y - p) / huber_slope;
                    loss = huber_slope * huber_slope * (std::sqrt(1.0 + z * z) - 1.0);
                    break;
                }
                case MetricKind::auc:
                case MetricKind::aucpr: break;
            }
            sum += loss * w;
            total += w;
        }
        block_sum[static_cast<std::size_t>(b)] = sum;
        block_total[static_cast<std::size_t>(b)] = total;
    });
    double sum = 0, total = 0;
    for (Index b = 0; b < blocks; ++b) sum += block_sum[static_cast<std::size_t>(b)], total += block_total[static_cast<std::size_t>(b)];
    const double mean = total > 0 ? sum / total : std::numeric_limits<double>::quiet_NaN();
    return m.kind == MetricKind::rmse ? std::sqrt(mean) : mean;
}

}  // namespace shelf::gbt
