// shelf/metrics/ranking.hpp: metrics of scores ranked against binary labels:
// ROC and precision-recall curves, the areas under them, and the search for a
// decision threshold. Semantics follow scikit-learn 1.2.
//
// A sample is positive when y_true == pos_label (default 1); y_true may hold at
// most two classes. "Predict positive when score >= threshold". Ties in the
// scores are one threshold, never split, so tied scores count as half right and
// half wrong in the AUC (the trapezoid over distinct thresholds). Each metric
// is one radix sort of the scores and one pass over them: linear time.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/types.hpp"
#include "shelf/metrics/detail/accuracy_buckets.hpp"
#include "shelf/metrics/detail/checks.hpp"
#include "shelf/metrics/detail/ranked.hpp"
#include "shelf/metrics/detail/rates.hpp"

namespace shelf::metrics {

/// Points of a ROC curve, from (0, 0) at the highest threshold to (1, 1).
struct RocCurve {
    Eigen::VectorXd fpr;         ///< false positive rate at each threshold, increasing
    Eigen::VectorXd tpr;         ///< true positive rate at each threshold, increasing
    Eigen::VectorXd thresholds;  ///< decreasing; the first is the highest score + 1 (scikit-learn 1.2; 1.3+ uses +inf)
};

/// Points of a precision-recall curve, as scikit-learn orders them: thresholds
/// increasing, and a last point (recall 0, precision 1) with no threshold.
struct PrecisionRecallCurve {
    Eigen::VectorXd precision;   ///< size thresholds + 1, ends with 1
    Eigen::VectorXd recall;      ///< size thresholds + 1, decreasing, ends with 0
    Eigen::VectorXd thresholds;  ///< the distinct scores, increasing
};

/// A decision threshold and what it achieves on the data it was chosen on.
struct OperatingPoint {
    double threshold;  ///< predict positive when score >= threshold; +inf means predict nothing positive
    double precision;  ///< 1 for +inf, the end point of the precision-recall curve
    double recall;
    double f_beta;  ///< F-beta at this point: the beta searched for, else F1
};

/// Area under a curve by the trapezoidal rule (scikit-learn's auc). x must be
/// monotonic, either way; a decreasing x gives the same positive area.
template <class T>
double auc(VectorView<T> x, VectorView<T> y) {
    constexpr const char* fn = "auc";
    detail::require_pair(fn, x, "x", y, "y");
    if (x.size() < 2)
        throw data_error(errc::empty_data,
                         std::string(fn) + ": x has 1 point; expected at least 2 to enclose an area");
    bool up = true, down = true;
    for (Index i = 1; i < x.size(); ++i) {
        up = up && x[i] >= x[i - 1];
        down = down && x[i] <= x[i - 1];
    }
    if (!up && !down)
        throw invalid_argument(errc::inconsistent,
                               std::string(fn) + ": x is neither increasing nor decreasing; expected a monotonic x");
    double area = 0;
    for (Index i = 1; i < x.size(); ++i)
        area += (double(x[i]) - double(x[i - 1])) * (double(y[i]) + double(y[i - 1])) / 2;
    return up ? area : -area;
}

/// ROC curve (false and true positive rates per distinct score). With
/// drop_intermediate, points collinear with their neighbours are dropped, as
/// scikit-learn does by default; they change neither the plot nor the area.
/// Unlike scikit-learn (NaN rates and a warning), one class throws.
template <class T>
RocCurve roc_curve(VectorView<T> y_true, VectorView<T> y_score, T pos_label = 1,
                   const Vector<T>* sample_weight = nullptr, bool drop_intermediate = true) {
    const detail::RankedScores<T> ranked("roc_curve", y_true, y_score, pos_label, sample_weight);
    ranked.require_both_classes("a ROC curve");
    std::vector<double> fps, tps, thresholds;
    double tp = 0, fp = 0;
    ranked.for_each_threshold([&](T score, double pw, double nw) {
        tps.push_back(tp += pw);
        fps.push_back(fp += nw);
        thresholds.push_back(double(score));
    });
    std::vector<std::size_t> keep;
    const std::size_t m = fps.size();
    for (std::size_t i = 0; i < m; ++i) {
        // A corner has a nonzero second difference in fps or tps (scikit-learn's test).
        const bool corner = i == 0 || i + 1 == m || !drop_intermediate || m <= 2 ||
                            (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]) != 0 ||
                            (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]) != 0;
        if (corner) keep.push_back(i);
    }
    const auto size = static_cast<Index>(keep.size() + 1);
    RocCurve c{Eigen::VectorXd(size), Eigen::VectorXd(size), Eigen::VectorXd(size)};
    c.fpr[0] = 0;
    c.tpr[0] = 0;
    c.thresholds[0] = thresholds[0] + 1;
    for (std::size_t j = 0; j < keep.size(); ++j) {
        const auto at = static_cast<Index>(j + 1);
        c.fpr[at] = fps[keep[j]] / fp;
        c.tpr[at] = tps[keep[j]] / tp;
        c.thresholds[at] = thresholds[keep[j]];
    }
    return c;
}

/// Area under the ROC curve: the probability that a random positive scores
/// above a random negative, ties counting half. Throws data_error(bad_label)
/// when y_true has one class, as scikit-learn raises.
template <class T>
double roc_auc(VectorView<T> y_true, VectorView<T> y_score, T pos_label = 1,
               const Vector<T>* sample_weight = nullptr) {
    const detail::RankedScores<T> ranked("roc_auc", y_true, y_score, pos_label, sample_weight);
    ranked.require_both_classes("ROC AUC");
    // Trapezoid between consecutive thresholds, in unnormalised counts:
    // width = negatives gained, twice the height = positives before + after.
    double tp = 0, twice_area = 0;
    ranked.for_each_threshold([&](T, double pw, double nw) {
        twice_area += nw * (2 * tp + pw);
        tp += pw;
    });
    return twice_area / (2 * ranked.positives() * ranked.negatives());
}

/// Precision and recall at every distinct score. Throws when y_true has no
/// positive sample (scikit-learn instead warns and sets recall to 1).
template <class T>
PrecisionRecallCurve precision_recall_curve(VectorView<T> y_true, VectorView<T> y_score, T pos_label = 1,
                                            const Vector<T>* sample_weight = nullptr) {
    const detail::RankedScores<T> ranked("precision_recall_curve", y_true, y_score, pos_label, sample_weight);
    ranked.require_positives("a precision-recall curve");
    std::vector<double> precision, recall, thresholds;
    double tp = 0, fp = 0;
    ranked.for_each_threshold([&](T score, double pw, double nw) {
        tp += pw;
        fp += nw;
        precision.push_back(tp / (tp + fp));
        recall.push_back(tp / ranked.positives());
        thresholds.push_back(double(score));
    });
    const auto m = static_cast<Index>(thresholds.size());
    PrecisionRecallCurve c{Eigen::VectorXd(m + 1), Eigen::VectorXd(m + 1), Eigen::VectorXd(m)};
    for (Index i = 0; i < m; ++i) {  // collected from the top; scikit-learn lists thresholds increasing
        const auto from = static_cast<std::size_t>(m - 1 - i);
        c.precision[i] = precision[from];
        c.recall[i] = recall[from];
        c.thresholds[i] = thresholds[from];
    }
    c.precision[m] = 1;
    c.recall[m] = 0;
    return c;
}

/// Average precision, scikit-learn's step-wise area: sum over thresholds of
/// (recall gained) x (precision there), no interpolation. Throws when y_true
/// has no positive sample (scikit-learn warns and returns 0).
template <class T>
double average_precision(VectorView<T> y_true, VectorView<T> y_score, T pos_label = 1,
                         const Vector<T>* sample_weight = nullptr) {
    const detail::RankedScores<T> ranked("average_precision", y_true, y_score, pos_label, sample_weight);
    ranked.require_positives("average precision");
    double tp = 0, fp = 0, ap = 0;
    ranked.for_each_threshold([&](T, double pw, double nw) {
        tp += pw;
        fp += nw;
        if (pw > 0) ap += (pw / ranked.positives()) * (tp / (tp + fp));
    });
    return ap;
}

/// Area under the precision-recall curve by the trapezoidal rule: scikit-learn's
/// auc(recall, precision) over precision_recall_curve, end point (0, 1)
/// included. Linear interpolation in precision-recall space is optimistic
/// next to average_precision; XGBoost's "aucpr" interpolates differently
/// again, so expect small differences from it.
template <class T>
double pr_auc(VectorView<T> y_true, VectorView<T> y_score, T pos_label = 1,
              const Vector<T>* sample_weight = nullptr) {
    const detail::RankedScores<T> ranked("pr_auc", y_true, y_score, pos_label, sample_weight);
    ranked.require_positives("the area under the precision-recall curve");
    double tp = 0, fp = 0, area = 0, last_recall = 0, last_precision = 1;
    ranked.for_each_threshold([&](T, double pw, double nw) {
        tp += pw;
        fp += nw;
        const double r = tp / ranked.positives(), p = tp / (tp + fp);
        area += (r - last_recall) * (p + last_precision) / 2;
        last_recall = r;
        last_precision = p;
    });
    return area;
}

/// The threshold that maximises F-beta, among the distinct scores. Ties go to
/// the highest such threshold (the fewest positive predictions).
template <class T>
OperatingPoint best_f_beta_threshold(VectorView<T> y_true, VectorView<T> y_score, double beta = 1,
                                     T pos_label = 1, const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "best_f_beta_threshold";
    detail::require_beta(fn, beta);
    const detail::RankedScores<T> ranked(fn, y_true, y_score, pos_label, sample_weight);
    ranked.require_positives("F-beta");
    OperatingPoint best{0, 0, 0, -1};
    double tp = 0, fp = 0;
    ranked.for_each_threshold([&](T score, double pw, double nw) {
        tp += pw;
        fp += nw;
        const double p = tp / (tp + fp), r = tp / ranked.positives(), f = detail::f_beta_of(p, r, beta);
        if (f > best.f_beta) best = {double(score), p, r, f};
    });
    return best;
}

/// The threshold of the highest accuracy (predict positive when score >= threshold) and that
/// accuracy; ties go to the higher threshold. Predicting nothing positive is the threshold
/// highest score + 1, as roc_curve's first point. Unweighted, it sorts only the scores near the
/// answer (detail/accuracy_buckets.hpp): the linear learner asks it of every model of its sweep.
template <class T>
std::pair<double, double> best_accuracy_threshold(VectorView<T> y_true, VectorView<T> y_score, T pos_label = 1,
                                                  const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "best_accuracy_threshold";
    if (!sample_weight) {
        const std::vector<T> classes = detail::require_ranking_inputs(fn, y_true, y_score, pos_label, sample_weight);
        if (classes.size() < 2)
            detail::throw_one_class(fn, "y_true has only one class (" + detail::num(double(classes[0])) + ")",
                                    "an accuracy threshold", double(pos_label));
        return detail::best_accuracy_by_buckets<T>(y_true, y_score, pos_label);
    }
    const detail::RankedScores<T> ranked(fn, y_true, y_score, pos_label, sample_weight);
    ranked.require_both_classes("an accuracy threshold");
    const double total = ranked.positives() + ranked.negatives();
    std::pair<double, double> best{0, -1};
    double tp = 0, fp = 0;
    ranked.for_each_threshold([&](T score, double pw, double nw) {
        if (best.second < 0) best = {double(score) + 1, ranked.negatives() / total};
        tp += pw;
        fp += nw;
        const double accuracy = (tp + (ranked.negatives() - fp)) / total;
        if (accuracy > best.second) best = {double(score), accuracy};
    });
    return best;
}

/// The highest precision among thresholds whose recall is at least
/// min_recall; ties go to the higher recall. Always found (the lowest
/// threshold has recall 1).
template <class T>
OperatingPoint precision_at_recall(VectorView<T> y_true, VectorView<T> y_score, double min_recall,
                                   T pos_label = 1, const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "precision_at_recall";
    detail::require_probability_param(fn, "min_recall", min_recall);
    const detail::RankedScores<T> ranked(fn, y_true, y_score, pos_label, sample_weight);
    ranked.require_positives("recall");
    OperatingPoint best{0, -1, -1, 0};
    double tp = 0, fp = 0;
    ranked.for_each_threshold([&](T score, double pw, double nw) {
        tp += pw;
        fp += nw;
        const double p = tp / (tp + fp), r = tp / ranked.positives();
        if (r >= min_recall && (p > best.precision || (p == best.precision && r > best.recall)))
            best = {double(score), p, r, detail::f_beta_of(p, r, 1)};
    });
    return best;
}

/// The highest recall among thresholds whose precision is at least
/// min_precision; ties go to the higher precision. When no threshold reaches
/// min_precision the answer is to predict nothing: threshold +inf, recall 0,
/// precision 1 (the end point of the precision-recall curve).
template <class T>
OperatingPoint recall_at_precision(VectorView<T> y_true, VectorView<T> y_score, double min_precision,
                                   T pos_label = 1, const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "recall_at_precision";
    detail::require_probability_param(fn, "min_precision", min_precision);
    const detail::RankedScores<T> ranked(fn, y_true, y_score, pos_label, sample_weight);
    ranked.require_positives("recall");
    OperatingPoint best{std::numeric_limits<double>::infinity(), 1, 0, 0};
    double tp = 0, fp = 0;
    ranked.for_each_threshold([&](T score, double pw, double nw) {
        tp += pw;
        fp += nw;
        const double p = tp / (tp + fp), r = tp / ranked.positives();
        if (p >= min_precision && (r > best.recall || (r == best.recall && p > best.precision)))
            best = {double(score), p, r, detail::f_beta_of(p, r, 1)};
    });
    return best;
}

// ---------------------------------------------------------------------------
// Overloads that deduce T from plain Eigen arguments (see detail::scalar_of).

template <class A, class B, detail::if_dense<A, B> = 0>
double auc(const A& x, const B& y) {
    detail::same_scalar<A, B>();
    return auc<detail::scalar_of<A>>(x, y);
}
template <class A, class B, detail::if_dense<A, B> = 0>
RocCurve roc_curve(const A& y_true, const B& y_score, detail::scalar_of<A> pos_label = 1,
                   const Vector<detail::scalar_of<A>>* sample_weight = nullptr, bool drop_intermediate = true) {
    detail::same_scalar<A, B>();
    return roc_curve<detail::scalar_of<A>>(y_true, y_score, pos_label, sample_weight, drop_intermediate);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double roc_auc(const A& y_true, const B& y_score, detail::scalar_of<A> pos_label = 1,
               const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return roc_auc<detail::scalar_of<A>>(y_true, y_score, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
PrecisionRecallCurve precision_recall_curve(const A& y_true, const B& y_score, detail::scalar_of<A> pos_label = 1,
                                            const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return precision_recall_curve<detail::scalar_of<A>>(y_true, y_score, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double average_precision(const A& y_true, const B& y_score, detail::scalar_of<A> pos_label = 1,
                         const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return average_precision<detail::scalar_of<A>>(y_true, y_score, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double pr_auc(const A& y_true, const B& y_score, detail::scalar_of<A> pos_label = 1,
              const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return pr_auc<detail::scalar_of<A>>(y_true, y_score, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
std::pair<double, double> best_accuracy_threshold(const A& y_true, const B& y_score, detail::scalar_of<A> pos_label = 1,
                                                  const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return best_accuracy_threshold<detail::scalar_of<A>>(y_true, y_score, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
OperatingPoint best_f_beta_threshold(const A& y_true, const B& y_score, double beta = 1,
                                     detail::scalar_of<A> pos_label = 1,
                                     const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return best_f_beta_threshold<detail::scalar_of<A>>(y_true, y_score, beta, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
OperatingPoint precision_at_recall(const A& y_true, const B& y_score, double min_recall,
                                   detail::scalar_of<A> pos_label = 1,
                                   const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return precision_at_recall<detail::scalar_of<A>>(y_true, y_score, min_recall, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
OperatingPoint recall_at_precision(const A& y_true, const B& y_score, double min_precision,
                                   detail::scalar_of<A> pos_label = 1,
                                   const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return recall_at_precision<detail::scalar_of<A>>(y_true, y_score, min_precision, pos_label, sample_weight);
}

}  // namespace shelf::metrics
