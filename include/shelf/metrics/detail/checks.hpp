// shelf/metrics/detail/checks.hpp: input validation shared by every metric.
//
// Each check throws with the metric's name first, then what is wrong, then what
// was expected, so a failure deep inside an evaluation loop still reads on its own.
#pragma once

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "shelf/core/error.hpp"
#include "shelf/core/types.hpp"

namespace shelf::metrics::detail {

/// A number as an error message shows it: up to 10 significant digits, no padding.
inline std::string num(double x) {
    std::ostringstream out;
    out.precision(10);
    out << x;
    return out.str();
}

/// "[1, 2, 3]", or the first few values and a count when the list is long.
template <class T>
std::string list(const std::vector<T>& values) {
    std::string s = "[";
    const std::size_t shown = std::min<std::size_t>(values.size(), 8);
    for (std::size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + num(static_cast<double>(values[i]));
    if (shown < values.size()) s += ", ... (" + std::to_string(values.size()) + " in all)";
    return s + "]";
}

inline std::string at(const char* name, Index i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

inline void require_same_length(const char* fn, const char* a_name, Index a, const char* b_name, Index b) {
    if (a != b)
        throw data_error(errc::shape_mismatch, std::string(fn) + ": " + a_name + " has " + std::to_string(a) +
                                                   " entries but " + b_name + " has " + std::to_string(b) +
                                                   "; expected one entry per sample in each");
}

inline void require_not_empty(const char* fn, const char* name, Index n) {
    if (n == 0)
        throw data_error(errc::empty_data,
                         std::string(fn) + ": " + name + " is empty; expected at least one sample");
}

/// Throws data_error(not_finite) naming the first NaN or infinity.
template <class Derived>
void require_finite(const char* fn, const char* name, const Eigen::DenseBase<Derived>& v) {
    if (v.allFinite()) return;  // vectorised fast path; the loop below only runs to name the culprit
    for (Index j = 0; j < v.cols(); ++j)
        for (Index i = 0; i < v.rows(); ++i) {
            const double x = static_cast<double>(v(i, j));
            if (std::isfinite(x)) continue;
            const std::string where = v.cols() == 1 ? at(name, i)
                                                    : std::string(name) + "(" + std::to_string(i) + ", " +
                                                          std::to_string(j) + ")";
            throw data_error(errc::not_finite,
                             std::string(fn) + ": " + where + " is " + num(x) + "; expected finite values");
        }
}

/// The common prologue of two-vector metrics: equal lengths, not empty, all finite.
template <class T>
void require_pair(const char* fn, const VectorView<T>& a, const char* a_name, const VectorView<T>& b,
                  const char* b_name) {
    require_same_length(fn, a_name, a.size(), b_name, b.size());
    require_not_empty(fn, a_name, a.size());
    require_finite(fn, a_name, a);
    require_finite(fn, b_name, b);
}

/// Sample weights: one per sample, finite, >= 0, not all zero (a weighted mean
/// over zero total weight is 0/0, which numpy reports as ZeroDivisionError).
template <class T>
void require_weights(const char* fn, const Vector<T>* w, Index n) {
    if (w == nullptr) return;
    require_same_length(fn, "y_true", n, "sample_weight", w->size());
    require_finite(fn, "sample_weight", *w);
    double total = 0;
    for (Index i = 0; i < n; ++i) {
        const double wi = static_cast<double>((*w)[i]);
        if (wi < 0)
            throw invalid_argument(errc::out_of_range, std::string(fn) + ": " + at("sample_weight", i) + " is " +
                                                           num(wi) + "; expected weights >= 0");
        total += wi;
    }
    if (total <= 0)
        throw data_error(errc::empty_data,
                         std::string(fn) + ": sample_weight sums to zero; expected at least one positive weight");
}

/// Weight of sample i (1 when unweighted).
template <class T>
double weight(const Vector<T>* w, Index i) {
    return w ? static_cast<double>((*w)[i]) : 1.0;
}

/// Class labels are whole numbers; a fraction almost always means scores or
/// probabilities were passed where predicted classes belong.
template <class T>
void require_whole_labels(const char* fn, const char* name, const VectorView<T>& v) {
    for (Index i = 0; i < v.size(); ++i)
        if (std::floor(v[i]) != v[i])
            throw data_error(errc::bad_label, std::string(fn) + ": " + at(name, i) + " is " +
                                                  num(static_cast<double>(v[i])) +
                                                  " but class labels must be whole numbers; threshold scores or "
                                                  "probabilities into classes first");
}

inline void require_probability_param(const char* fn, const char* name, double x) {
    if (!(x >= 0 && x <= 1))
        throw invalid_argument(errc::out_of_range,
                               std::string(fn) + ": " + name + " is " + num(x) + "; expected a value in [0, 1]");
}

/// Adds the distinct values of v to the sorted set `labels`. Stops early once
/// the set holds more than `stop_after` values (callers that allow only two
/// classes need no more to report the error).
template <class T>
void add_labels(std::vector<T>& labels, const VectorView<T>& v,
                std::size_t stop_after = static_cast<std::size_t>(-1)) {
    constexpr std::size_t many = 4096;  // beyond this, sorting a copy beats sorted insertion
    constexpr std::size_t small = 256;  // labels 0..255 are remembered in a table, no search
    bool seen_small[small] = {};
    for (const T l : labels)
        if (l >= T(0) && l < T(small) && l == std::floor(l)) seen_small[static_cast<std::size_t>(l)] = true;
    for (Index i = 0; i < v.size(); ++i) {
        const T x = v[i];
        const bool is_small = x >= T(0) && x < T(small) && x == std::floor(x);
        if (is_small && seen_small[static_cast<std::size_t>(x)]) continue;
        const auto it = std::lower_bound(labels.begin(), labels.end(), x);
        if (it == labels.end() || *it != x) {
            if (labels.size() >= many) {
                labels.insert(labels.end(), v.data() + i, v.data() + v.size());
                std::sort(labels.begin(), labels.end());
                labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
                for (T& l : labels) l = l == T(0) ? T(0) : l;  // store -0 as 0
                return;
            }
            labels.insert(it, x == T(0) ? T(0) : x);  // store -0 as 0
            if (labels.size() > stop_after) return;
        }
        if (is_small) seen_small[static_cast<std::size_t>(x)] = true;
    }
}

/// Maps a label to its position in a list of distinct labels (-1 when absent).
/// Labels 0..K-1 (the usual case) index directly; anything else is a binary search.
template <class T>
class LabelIndex {
public:
    explicit LabelIndex(const std::vector<T>& labels) {
        order_.resize(labels.size());
        for (std::size_t k = 0; k < labels.size(); ++k) order_[k] = static_cast<Index>(k);
        std::sort(order_.begin(), order_.end(), [&](Index a, Index b) {
            return labels[static_cast<std::size_t>(a)] < labels[static_cast<std::size_t>(b)];
        });
        sorted_.resize(labels.size());
        dense_ = true;
        for (std::size_t k = 0; k < labels.size(); ++k) {
            sorted_[k] = labels[static_cast<std::size_t>(order_[k])];
            dense_ = dense_ && order_[k] == static_cast<Index>(k) && sorted_[k] == static_cast<T>(k);
        }
    }
    Index operator()(T x) const {
        if (dense_) {
            if (!(x >= T(0) && x < static_cast<T>(sorted_.size()))) return -1;
            const auto k = static_cast<std::size_t>(x);
            return sorted_[k] == x ? static_cast<Index>(k) : -1;
        }
        const auto it = std::lower_bound(sorted_.begin(), sorted_.end(), x);
        if (it == sorted_.end() || *it != x) return -1;
        return order_[static_cast<std::size_t>(it - sorted_.begin())];
    }

private:
    std::vector<T> sorted_;
    std::vector<Index> order_;  // order_[k]: position in the caller's list of sorted_[k]
    bool dense_ = false;
};

// Lets plain Eigen vectors deduce T: metrics are templates on T taking
// VectorView<T>, which cannot deduce T from a VectorXd, so each metric also has
// a forwarding overload on the argument types. The SFINAE on A::Scalar keeps the
// forwarder out of explicit calls such as mse<double>(a, b).
template <class A>
using scalar_of = typename A::Scalar;

template <class A>
using derived_of = std::decay_t<decltype(std::declval<const A&>().derived())>;

// Eigen dense expression: derives from DenseBase of its CRTP type (for a
// VectorBlock that is the Block it derives from, not VectorBlock itself).
template <class A, class = void>
struct is_dense : std::false_type {};
template <class A>
struct is_dense<A, std::void_t<scalar_of<A>, derived_of<A>>> : std::is_base_of<Eigen::DenseBase<derived_of<A>>, A> {};

template <class... A>
using if_dense = std::enable_if_t<(is_dense<A>::value && ...), int>;

template <class A, class B>
constexpr void same_scalar() {
    static_assert(std::is_same_v<scalar_of<A>, scalar_of<B>>,
                  "shelf::metrics: both arguments must have the same scalar type (float or double)");
}

}  // namespace shelf::metrics::detail
