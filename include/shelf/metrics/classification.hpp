// shelf/metrics/classification.hpp: metrics of predicted classes (confusion
// matrix, accuracy, precision, recall, specificity, F-beta) and of predicted
// class probabilities (log loss, top-k accuracy). Semantics follow
// scikit-learn 1.2; the conventions shared by all metrics are in shelf/metrics.hpp.
//
// Class labels are whole numbers stored as T. y_pred holds predicted classes:
// a fraction there is rejected, since it nearly always means probabilities
// were passed where classes belong (scikit-learn rejects "continuous" targets).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "shelf/core/types.hpp"
#include "shelf/metrics/detail/checks.hpp"
#include "shelf/metrics/detail/rates.hpp"

namespace shelf::metrics {

/// How per-class scores combine (scikit-learn's `average`). pos_label matters
/// only to Average::binary; the others score every class present.
enum class Average {
    binary,    ///< the score of pos_label alone; y_true and y_pred may hold at most two classes
    macro,     ///< unweighted mean over the classes present in y_true or y_pred
    micro,     ///< one score from tp, fp, fn, tn summed over classes (for precision, recall and
               ///< F this equals accuracy on single-label data)
    weighted,  ///< mean over classes weighted by each class's (weighted) count in y_true
};

/// Rows are actual classes, columns predicted ones, as in scikit-learn.
template <class T>
struct ConfusionMatrix {
    Vector<T> labels;        ///< the class of row i and of column i
    Eigen::MatrixXd counts;  ///< counts(i, j): (weighted) number of samples of class labels[i] predicted as labels[j]
};

/// Per-class scores (scikit-learn's average=None), in the order of `labels`.
template <class T>
struct ClassScores {
    Vector<T> labels;  ///< sorted union of the classes in y_true and y_pred
    Eigen::VectorXd precision, recall, f_beta, specificity;
    Eigen::VectorXd support;  ///< (weighted) number of samples of each class in y_true
};

namespace detail {

enum class Rate { precision, recall, f_beta, specificity };

/// One class against the rest: the cells of scikit-learn's multilabel_confusion_matrix.
struct OneVsRest {
    double tp = 0, pred = 0, truth = 0, tn = 0;  // pred = tp + fp, truth = tp + fn
};

inline double rate_of(Rate r, const OneVsRest& c, double beta) {
    const double precision = ratio_or_zero(c.tp, c.pred);
    const double recall = ratio_or_zero(c.tp, c.truth);
    switch (r) {
        case Rate::precision: return precision;
        case Rate::recall: return recall;
        case Rate::f_beta: return f_beta_of(precision, recall, beta);
        case Rate::specificity: return ratio_or_zero(c.tn, c.tn + (c.pred - c.tp));
    }
    return 0;
}

/// Checks shared by every metric of predicted classes.
template <class T>
void require_classes(const char* fn, const VectorView<T>& y_true, const VectorView<T>& y_pred, const Vector<T>* w) {
    require_pair(fn, y_true, "y_true", y_pred, "y_pred");
    require_weights(fn, w, y_true.size());
    require_whole_labels(fn, "y_true", y_true);
    require_whole_labels(fn, "y_pred", y_pred);
}

template <class T>
std::vector<T> present_labels(const VectorView<T>& y_true, const VectorView<T>& y_pred) {
    std::vector<T> labels;
    add_labels(labels, y_true);
    add_labels(labels, y_pred);
    return labels;
}

/// The classes an averaged metric scores: [pos_label] for Average::binary,
/// else every class present (scikit-learn's _check_set_wise_labels).
template <class T>
std::vector<T> scored_labels(const char* fn, const VectorView<T>& y_true, const VectorView<T>& y_pred,
                             Average average, T pos_label, const Vector<T>* w) {
    require_classes(fn, y_true, y_pred, w);
    std::vector<T> labels = present_labels(y_true, y_pred);
    if (average != Average::binary) return labels;
    if (labels.size() > 2)
        throw data_error(errc::bad_label,
                         std::string(fn) + ": y_true and y_pred hold " + std::to_string(labels.size()) +
                             " classes " + list(labels) +
                             " but Average::binary scores one positive class out of two; for multiclass data "
                             "pass Average::macro, Average::micro or Average::weighted");
    if (labels.size() == 2 && labels[0] != pos_label && labels[1] != pos_label)
        throw data_error(errc::bad_label, std::string(fn) + ": pos_label = " + num(double(pos_label)) +
                                              " is not one of the classes present " + list(labels) +
                                              "; expected pos_label to name the positive class");
    return {pos_label};
}

template <class T>
std::vector<OneVsRest> one_vs_rest(const VectorView<T>& y_true, const VectorView<T>& y_pred,
                                   const std::vector<T>& labels, const Vector<T>* w) {
    std::vector<OneVsRest> c(labels.size());
    double total = 0;
    const LabelIndex<T> index(labels);
    for (Index i = 0; i < y_true.size(); ++i) {
        const double wi = weight(w, i);
        total += wi;
        const Index t = index(y_true[i]);
        const Index p = index(y_pred[i]);
        if (t >= 0) c[static_cast<std::size_t>(t)].truth += wi;
        if (p >= 0) c[static_cast<std::size_t>(p)].pred += wi;
        if (t >= 0 && t == p) c[static_cast<std::size_t>(t)].tp += wi;
    }
    for (OneVsRest& k : c) {
        const double fp = k.pred - k.tp, fn = k.truth - k.tp;
        k.tn = total - k.tp - fp - fn;
    }
    return c;
}

template <class T>
double averaged(const char* fn, Rate rate, double beta, const VectorView<T>& y_true, const VectorView<T>& y_pred,
                Average average, T pos_label, const Vector<T>* w) {
    const std::vector<T> labels = scored_labels(fn, y_true, y_pred, average, pos_label, w);
    const std::vector<OneVsRest> per_class = one_vs_rest(y_true, y_pred, labels, w);
    if (average == Average::micro) {
        OneVsRest sum;
        for (const OneVsRest& c : per_class) {
            sum.tp += c.tp;
            sum.pred += c.pred;
            sum.truth += c.truth;
            sum.tn += c.tn;
        }
        return rate_of(rate, sum, beta);
    }
    double total = 0, weights = 0;
    for (const OneVsRest& c : per_class) {
        const double wk = average == Average::weighted ? c.truth : 1.0;
        total += wk * rate_of(rate, c, beta);
        weights += wk;
    }
    return ratio_or_zero(total, weights);
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Confusion matrix

/// Confusion matrix over the sorted union of the classes in y_true and y_pred.
template <class T>
ConfusionMatrix<T> confusion_matrix(VectorView<T> y_true, VectorView<T> y_pred,
                                    const Vector<T>* sample_weight = nullptr) {
    detail::require_classes("confusion_matrix", y_true, y_pred, sample_weight);
    const std::vector<T> labels = detail::present_labels(y_true, y_pred);
    const detail::LabelIndex<T> index(labels);
    const auto k = static_cast<Index>(labels.size());
    ConfusionMatrix<T> cm{Eigen::Map<const Vector<T>>(labels.data(), k), Eigen::MatrixXd::Zero(k, k)};
    for (Index i = 0; i < y_true.size(); ++i)
        cm.counts(index(y_true[i]), index(y_pred[i])) += detail::weight(sample_weight, i);
    return cm;
}

/// Confusion matrix over the given classes, in the given order. Samples whose
/// actual or predicted class is not listed are left out (as scikit-learn);
/// at least one listed class must occur in y_true.
template <class T>
ConfusionMatrix<T> confusion_matrix(VectorView<T> y_true, VectorView<T> y_pred, const std::vector<T>& labels,
                                    const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "confusion_matrix";
    detail::require_classes(fn, y_true, y_pred, sample_weight);
    if (labels.empty())
        throw invalid_argument(errc::out_of_range, std::string(fn) + ": labels is empty; expected at least one class");
    for (std::size_t j = 0; j < labels.size(); ++j)
        if (!std::isfinite(labels[j]) || std::floor(labels[j]) != labels[j])
            throw invalid_argument(errc::out_of_range, std::string(fn) + ": labels[" + std::to_string(j) + "] is " +
                                                           detail::num(double(labels[j])) +
                                                           "; expected whole-number class labels");
    std::vector<T> sorted = labels;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t j = 1; j < sorted.size(); ++j)
        if (sorted[j] == sorted[j - 1])
            throw invalid_argument(errc::inconsistent, std::string(fn) + ": labels lists class " +
                                                           detail::num(double(sorted[j])) +
                                                           " twice; expected distinct classes");
    const detail::LabelIndex<T> index(labels);
    bool any_in_y_true = false;
    for (Index i = 0; i < y_true.size() && !any_in_y_true; ++i) any_in_y_true = index(y_true[i]) >= 0;
    if (!any_in_y_true)
        throw data_error(errc::bad_label, std::string(fn) + ": none of the classes in labels " +
                                              detail::list(labels) +
                                              " occurs in y_true; expected at least one of them to");
    const auto k = static_cast<Index>(labels.size());
    ConfusionMatrix<T> cm{Eigen::Map<const Vector<T>>(labels.data(), k), Eigen::MatrixXd::Zero(k, k)};
    for (Index i = 0; i < y_true.size(); ++i) {
        const Index t = index(y_true[i]), p = index(y_pred[i]);
        if (t >= 0 && p >= 0) cm.counts(t, p) += detail::weight(sample_weight, i);
    }
    return cm;
}

// ---------------------------------------------------------------------------
// Scores of predicted classes

/// Fraction of samples whose predicted class equals the actual one (weighted).
template <class T>
double accuracy(VectorView<T> y_true, VectorView<T> y_pred, const Vector<T>* sample_weight = nullptr) {
    detail::require_classes("accuracy", y_true, y_pred, sample_weight);
    double hit = 0, total = 0;
    for (Index i = 0; i < y_true.size(); ++i) {
        const double wi = detail::weight(sample_weight, i);
        total += wi;
        if (y_true[i] == y_pred[i]) hit += wi;
    }
    return hit / total;
}

/// tp / (tp + fp); 0 for a class never predicted.
template <class T>
double precision(VectorView<T> y_true, VectorView<T> y_pred, Average average = Average::binary, T pos_label = 1,
                 const Vector<T>* sample_weight = nullptr) {
    return detail::averaged("precision", detail::Rate::precision, 1.0, y_true, y_pred, average, pos_label,
                            sample_weight);
}

/// tp / (tp + fn), the true positive rate; 0 for a class absent from y_true.
template <class T>
double recall(VectorView<T> y_true, VectorView<T> y_pred, Average average = Average::binary, T pos_label = 1,
              const Vector<T>* sample_weight = nullptr) {
    return detail::averaged("recall", detail::Rate::recall, 1.0, y_true, y_pred, average, pos_label, sample_weight);
}

/// tn / (tn + fp), the true negative rate (1 - false positive rate). Not in
/// scikit-learn; averaged like recall (weighted: by count in y_true, as
/// imbalanced-learn's specificity_score).
template <class T>
double specificity(VectorView<T> y_true, VectorView<T> y_pred, Average average = Average::binary, T pos_label = 1,
                   const Vector<T>* sample_weight = nullptr) {
    return detail::averaged("specificity", detail::Rate::specificity, 1.0, y_true, y_pred, average, pos_label,
                            sample_weight);
}

/// (1 + beta^2) P R / (beta^2 P + R): beta > 1 favours recall, beta < 1
/// precision; 0 when P = R = 0. Macro and weighted averages average the
/// per-class F, as scikit-learn (not the F of averaged P and R).
template <class T>
double f_beta(VectorView<T> y_true, VectorView<T> y_pred, double beta, Average average = Average::binary,
              T pos_label = 1, const Vector<T>* sample_weight = nullptr) {
    detail::require_beta("f_beta", beta);
    return detail::averaged("f_beta", detail::Rate::f_beta, beta, y_true, y_pred, average, pos_label,
                            sample_weight);
}

/// F-beta with beta = 1, the harmonic mean of precision and recall.
template <class T>
double f1(VectorView<T> y_true, VectorView<T> y_pred, Average average = Average::binary, T pos_label = 1,
          const Vector<T>* sample_weight = nullptr) {
    return detail::averaged("f1", detail::Rate::f_beta, 1.0, y_true, y_pred, average, pos_label, sample_weight);
}

/// Every per-class score at once, over the sorted union of classes.
template <class T>
ClassScores<T> class_scores(VectorView<T> y_true, VectorView<T> y_pred, double beta = 1,
                            const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "class_scores";
    detail::require_beta(fn, beta);
    detail::require_classes(fn, y_true, y_pred, sample_weight);
    const std::vector<T> labels = detail::present_labels(y_true, y_pred);
    const std::vector<detail::OneVsRest> c = detail::one_vs_rest(y_true, y_pred, labels, sample_weight);
    const auto k = static_cast<Index>(labels.size());
    ClassScores<T> s;
    s.labels = Eigen::Map<const Vector<T>>(labels.data(), k);
    s.precision.resize(k);
    s.recall.resize(k);
    s.f_beta.resize(k);
    s.specificity.resize(k);
    s.support.resize(k);
    for (Index j = 0; j < k; ++j) {
        const detail::OneVsRest& cj = c[static_cast<std::size_t>(j)];
        s.precision[j] = detail::rate_of(detail::Rate::precision, cj, beta);
        s.recall[j] = detail::rate_of(detail::Rate::recall, cj, beta);
        s.f_beta[j] = detail::rate_of(detail::Rate::f_beta, cj, beta);
        s.specificity[j] = detail::rate_of(detail::Rate::specificity, cj, beta);
        s.support[j] = cj.truth;
    }
    return s;
}

// ---------------------------------------------------------------------------
// Scores of predicted probabilities

/// Cross-entropy, mean over samples of -log(probability given to the true class).
/// `proba` is n x 1 (P(y = 1), y_true in {0, 1}) or n x K (one column per
/// class, y_true in 0..K-1). As scikit-learn 1.2 (eps="auto"), probabilities
/// are clipped to [eps, 1 - eps] with eps the machine epsilon of T and each
/// row is renormalised to sum to 1. Unlike scikit-learn, values outside [0, 1]
/// are rejected rather than clipped (they are raw scores, not probabilities),
/// and a y_true holding a single class is fine (the columns say which is which).
template <class T>
double log_loss(VectorView<T> y_true, MatrixView<T> proba, const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "log_loss";
    const Index n = y_true.size(), k = proba.cols();
    if (proba.rows() != n)
        throw data_error(errc::shape_mismatch, std::string(fn) + ": y_true has " + std::to_string(n) +
                                                   " entries but proba has " + std::to_string(proba.rows()) +
                                                   " rows; expected one row per sample");
    detail::require_not_empty(fn, "y_true", n);
    if (k == 0)
        throw data_error(errc::empty_data, std::string(fn) +
                                               ": proba has no columns; expected one (P(y = 1)) or one per class");
    detail::require_finite(fn, "y_true", y_true);
    detail::require_finite(fn, "proba", proba);
    detail::require_weights(fn, sample_weight, n);
    detail::require_whole_labels(fn, "y_true", y_true);
    const Index classes = k == 1 ? 2 : k;
    for (Index i = 0; i < n; ++i)
        if (!(y_true[i] >= 0 && y_true[i] < T(classes)))
            throw data_error(errc::bad_label,
                             std::string(fn) + ": " + detail::at("y_true", i) + " is " +
                                 detail::num(double(y_true[i])) +
                                 (k == 1 ? std::string(" but a single column of proba is P(y = 1); expected labels 0 or 1")
                                         : " but proba has " + std::to_string(k) + " columns; expected labels 0.." +
                                               std::to_string(k - 1)));
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < k; ++j)
            if (!(proba(i, j) >= 0 && proba(i, j) <= 1))
                throw invalid_argument(errc::out_of_range,
                                       std::string(fn) + ": proba(" + std::to_string(i) + ", " + std::to_string(j) +
                                           ") is " + detail::num(double(proba(i, j))) +
                                           "; expected probabilities in [0, 1] (apply a sigmoid or softmax to raw "
                                           "scores first)");
    const double eps = std::numeric_limits<T>::epsilon();
    const auto clip = [eps](double p) { return std::min(std::max(p, eps), 1 - eps); };
    double loss = 0, total = 0;
    for (Index i = 0; i < n; ++i) {
        const auto label = static_cast<Index>(y_true[i]);
        double p_true, row_sum;
        if (k == 1) {
            const double p1 = clip(double(proba(i, 0))), p0 = 1 - p1;
            p_true = label == 1 ? p1 : p0;
            row_sum = p0 + p1;
        } else {
            row_sum = 0;
            for (Index j = 0; j < k; ++j) row_sum += clip(double(proba(i, j)));
            p_true = clip(double(proba(i, label)));
        }
        const double wi = detail::weight(sample_weight, i);
        loss -= wi * std::log(p_true / row_sum);
        total += wi;
    }
    return loss / total;
}

/// Fraction of samples whose true class is among the k highest scores of its
/// row. Column j scores class j, so y_true holds 0..K-1 (scikit-learn maps
/// columns to sorted labels, the same thing for labels 0..K-1). Ties are
/// broken as scikit-learn's stable argsort does: among equal scores the higher
/// column ranks first. k >= K scores 1.
template <class T>
double top_k_accuracy(VectorView<T> y_true, MatrixView<T> y_score, Index k = 2,
                      const Vector<T>* sample_weight = nullptr) {
    constexpr const char* fn = "top_k_accuracy";
    const Index n = y_true.size(), classes = y_score.cols();
    if (y_score.rows() != n)
        throw data_error(errc::shape_mismatch, std::string(fn) + ": y_true has " + std::to_string(n) +
                                                   " entries but y_score has " + std::to_string(y_score.rows()) +
                                                   " rows; expected one row per sample");
    detail::require_not_empty(fn, "y_true", n);
    if (classes < 2)
        throw data_error(errc::shape_mismatch, std::string(fn) + ": y_score has " + std::to_string(classes) +
                                                   " column(s); expected one column per class, at least 2");
    if (k < 1)
        throw invalid_argument(errc::out_of_range,
                               std::string(fn) + ": k is " + std::to_string(k) + "; expected k >= 1");
    detail::require_finite(fn, "y_true", y_true);
    detail::require_finite(fn, "y_score", y_score);
    detail::require_weights(fn, sample_weight, n);
    detail::require_whole_labels(fn, "y_true", y_true);
    double hit = 0, total = 0;
    for (Index i = 0; i < n; ++i) {
        if (!(y_true[i] >= 0 && y_true[i] < T(classes)))
            throw data_error(errc::bad_label, std::string(fn) + ": " + detail::at("y_true", i) + " is " +
                                                  detail::num(double(y_true[i])) + " but y_score has " +
                                                  std::to_string(classes) + " columns; expected labels 0.." +
                                                  std::to_string(classes - 1));
        const auto c = static_cast<Index>(y_true[i]);
        const T s = y_score(i, c);
        Index ahead = 0;  // classes ranked before the true one
        for (Index j = 0; j < classes && ahead < k; ++j)
            ahead += (y_score(i, j) > s || (y_score(i, j) == s && j > c)) ? 1 : 0;
        const double wi = detail::weight(sample_weight, i);
        total += wi;
        if (ahead < k) hit += wi;
    }
    return hit / total;
}

// ---------------------------------------------------------------------------
// Overloads that deduce T from plain Eigen arguments (see detail::scalar_of).

template <class A, class B, detail::if_dense<A, B> = 0>
ConfusionMatrix<detail::scalar_of<A>> confusion_matrix(const A& y_true, const B& y_pred,
                                                       const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return confusion_matrix<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
ConfusionMatrix<detail::scalar_of<A>> confusion_matrix(const A& y_true, const B& y_pred,
                                                       const std::vector<detail::scalar_of<A>>& labels,
                                                       const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return confusion_matrix<detail::scalar_of<A>>(y_true, y_pred, labels, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double accuracy(const A& y_true, const B& y_pred, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return accuracy<detail::scalar_of<A>>(y_true, y_pred, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double precision(const A& y_true, const B& y_pred, Average average = Average::binary,
                 detail::scalar_of<A> pos_label = 1, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return precision<detail::scalar_of<A>>(y_true, y_pred, average, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double recall(const A& y_true, const B& y_pred, Average average = Average::binary, detail::scalar_of<A> pos_label = 1,
              const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return recall<detail::scalar_of<A>>(y_true, y_pred, average, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double specificity(const A& y_true, const B& y_pred, Average average = Average::binary,
                   detail::scalar_of<A> pos_label = 1, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return specificity<detail::scalar_of<A>>(y_true, y_pred, average, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double f_beta(const A& y_true, const B& y_pred, double beta, Average average = Average::binary,
              detail::scalar_of<A> pos_label = 1, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return f_beta<detail::scalar_of<A>>(y_true, y_pred, beta, average, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double f1(const A& y_true, const B& y_pred, Average average = Average::binary, detail::scalar_of<A> pos_label = 1,
          const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return f1<detail::scalar_of<A>>(y_true, y_pred, average, pos_label, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
ClassScores<detail::scalar_of<A>> class_scores(const A& y_true, const B& y_pred, double beta = 1,
                                               const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return class_scores<detail::scalar_of<A>>(y_true, y_pred, beta, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double log_loss(const A& y_true, const B& proba, const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return log_loss<detail::scalar_of<A>>(y_true, proba, sample_weight);
}
template <class A, class B, detail::if_dense<A, B> = 0>
double top_k_accuracy(const A& y_true, const B& y_score, Index k = 2,
                      const Vector<detail::scalar_of<A>>* sample_weight = nullptr) {
    detail::same_scalar<A, B>();
    return top_k_accuracy<detail::scalar_of<A>>(y_true, y_score, k, sample_weight);
}

}  // namespace shelf::metrics
