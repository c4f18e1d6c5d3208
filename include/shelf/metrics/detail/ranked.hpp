// shelf/metrics/detail/ranked.hpp: labelled scores grouped by distinct score,
// the one input every ROC and precision-recall metric is computed from.
//
// Positives and negatives are sorted separately (keys only when unweighted, so
// the sort moves 8 bytes a sample) and merged from the top: each distinct score
// is visited once with the weight of positives and negatives that share it.
// This is scikit-learn's _binary_clf_curve without materialising the arrays.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "shelf/metrics/detail/checks.hpp"
#include "shelf/metrics/detail/radix_sort.hpp"

namespace shelf::metrics::detail {

/// Validates the inputs of a ranking metric (equal lengths, finite, at most two whole-number
/// classes, pos_label one of them when there are two, sane weights); returns the classes.
template <class T>
std::vector<T> require_ranking_inputs(const char* fn, const VectorView<T>& y_true, const VectorView<T>& y_score,
                                      T pos_label, const Vector<T>* w) {
    require_pair(fn, y_true, "y_true", y_score, "y_score");
    require_weights(fn, w, y_true.size());
    require_whole_labels(fn, "y_true", y_true);
    std::vector<T> classes;
    add_labels(classes, y_true, 2);
    if (classes.size() > 2)
        throw data_error(errc::bad_label,
                         std::string(fn) + ": y_true has more than two classes (" + list(classes) +
                             " ...) but this metric is binary; expected two classes, e.g. binarize as "
                             "(y == class) for one-vs-rest");
    if (classes.size() == 2 && classes[0] != pos_label && classes[1] != pos_label)
        throw data_error(errc::bad_label, std::string(fn) + ": pos_label = " + num(double(pos_label)) +
                                              " is not one of the classes in y_true " + list(classes) +
                                              "; expected pos_label to name the positive class");
    return classes;
}

/// What a metric that needs both classes throws when `left` (a description) leaves one.
[[noreturn]] inline void throw_one_class(const char* fn, const std::string& left, const char* what, double pos_label) {
    throw data_error(errc::bad_label, std::string(fn) + ": " + left + ", and " + what +
                                          " is undefined with one class; expected both positive (y == " +
                                          num(pos_label) + ") and negative samples");
}

template <class T>
class RankedScores {
public:
    /// Validates the inputs (require_ranking_inputs), then sorts. Samples of zero weight are
    /// dropped as scikit-learn does, so they create no threshold.
    RankedScores(const char* fn, const VectorView<T>& y_true, const VectorView<T>& y_score, T pos_label,
                 const Vector<T>* w)
        : fn_(fn), pos_label_(pos_label), classes_(require_ranking_inputs(fn, y_true, y_score, pos_label, w)) {
        if (w)
            build(weighted_, y_true, y_score, w);
        else
            build(plain_, y_true, y_score, w);
        weighted_mode_ = w != nullptr;
        if (weighted_mode_) {
            // Totals are the last cumulative sums of the walk (scikit-learn's
            // tps[-1]), so recall reaches exactly 1 at the lowest threshold.
            double p = 0, n = 0;
            for_each_threshold([&](T, double pw, double nw) {
                p += pw;
                n += nw;
            });
            positives_ = p;
            negatives_ = n;
        }
    }

    RankedScores(const RankedScores&) = delete;
    RankedScores& operator=(const RankedScores&) = delete;

    /// Total weight (count when unweighted) of positive and of negative samples.
    double positives() const { return positives_; }
    double negatives() const { return negatives_; }

    /// ROC needs both classes: with one, a rate has a zero denominator.
    void require_both_classes(const char* what) const {
        if (positives_ > 0 && negatives_ > 0) return;
        throw_one_class(fn_, one_class_left(), what, double(pos_label_));
    }

    /// Precision-recall needs positives: recall divides by their number.
    void require_positives(const char* what) const {
        if (positives_ > 0) return;
        throw data_error(errc::bad_label, std::string(fn_) + ": y_true has no positive samples (y == " +
                                              num(double(pos_label_)) + ")" +
                                              (has_pos_label() ? " of nonzero weight" : "") + ", and " + what +
                                              " is undefined without them; expected at least one");
    }

    /// Calls visit(score, positive_weight, negative_weight) once per distinct
    /// score, highest score first.
    template <class Visit>
    void for_each_threshold(Visit&& visit) const {
        if (weighted_mode_)
            walk(weighted_, visit);
        else
            walk(plain_, visit);
    }

private:
    using K = key_t<T>;

    template <class Rec>
    struct Runs {
        std::unique_ptr<Rec[]> buffer, scratch;
        const Rec* pos = nullptr;
        const Rec* neg = nullptr;
        std::size_t n_pos = 0, n_neg = 0;
    };

    template <class Rec>
    void build(Runs<Rec>& use, const VectorView<T>& y_true, const VectorView<T>& y_score, const Vector<T>* w) {
        const auto n = static_cast<std::size_t>(y_true.size());
        use.buffer.reset(new Rec[n]);
        use.scratch.reset(new Rec[n]);
        Histogram<K> hist_pos, hist_neg;
        std::size_t front = 0, back = n;  // positives fill from the front, negatives from the back
        double pos_total = 0, neg_total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto ii = static_cast<Index>(i);
            const double wi = weight(w, ii);
            if (wi == 0) continue;
            const K key = to_key(y_score[ii]);
            Rec r;
            if constexpr (std::is_same_v<Rec, K>)
                r = key;
            else
                r = Rec{key, wi};
            if (y_true[ii] == pos_label_) {
                use.buffer[front++] = r;
                hist_pos.add(key);
                pos_total += wi;
            } else {
                use.buffer[--back] = r;
                hist_neg.add(key);
                neg_total += wi;
            }
        }
        use.n_pos = front;
        use.n_neg = n - back;
        use.pos = radix_sort(use.buffer.get(), use.scratch.get(), use.n_pos, hist_pos);
        use.neg = radix_sort(use.buffer.get() + back, use.scratch.get() + back, use.n_neg, hist_neg);
        positives_ = pos_total;
        negatives_ = neg_total;
    }

    template <class Rec, class Visit>
    static void walk(const Runs<Rec>& r, Visit& visit) {
        std::size_t i = r.n_pos, j = r.n_neg;  // one past the next record to take, from the top
        while (i > 0 || j > 0) {
            K top;
            if (i == 0)
                top = key_of(r.neg[j - 1]);
            else if (j == 0)
                top = key_of(r.pos[i - 1]);
            else
                top = std::max(key_of(r.pos[i - 1]), key_of(r.neg[j - 1]));
            double pw = 0, nw = 0;
            for (; i > 0 && key_of(r.pos[i - 1]) == top; --i) pw += weight_of(r.pos[i - 1]);
            for (; j > 0 && key_of(r.neg[j - 1]) == top; --j) nw += weight_of(r.neg[j - 1]);
            visit(from_key<T>(top), pw, nw);
        }
    }

    bool has_pos_label() const {
        for (T c : classes_)
            if (c == pos_label_) return true;
        return false;
    }
    std::string one_class_left() const {
        if (classes_.size() == 2)
            return "every sample of class " + num(double(positives_ > 0 ? classes_[classes_[0] == pos_label_]
                                                                         : pos_label_)) +
                   " has zero weight, which leaves one class";
        return "y_true has only one class (" + num(double(classes_[0])) + ")";
    }

    const char* fn_;
    T pos_label_;
    std::vector<T> classes_;
    Runs<K> plain_;
    Runs<Weighted<K>> weighted_;
    bool weighted_mode_ = false;
    double positives_ = 0, negatives_ = 0;
};

}  // namespace shelf::metrics::detail
