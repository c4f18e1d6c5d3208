// shelf/forecast/features.hpp: from series to network input — each window's map, the checks
// every series passes (dates, values, categories, dynamic features), and the rows of a window.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "calendar.hpp"
#include "likelihood.hpp"
#include "params.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/series.hpp"
#include "window.hpp"

namespace shelf::deepar::detail {

/// What the model's hyperparameters settle about its inputs.
struct Inputs {
    TimeFreq freq = TimeFreq::hour;
    Likelihood likelihood = Likelihood::student_t;
    Scaling scaling = Scaling::mean;
    Index context = 0, prediction = 0;
    std::vector<int> lags;
    Index max_lag = 0;
    std::vector<TimeFeature> time_features;
    bool age = true;  ///< log-age read
    std::vector<Index> cardinality;
    Index num_dynamic = 0;
    bool ignore_cat = false, ignore_dynamic = false;  ///< the series' cat / dynamic_feat go unread

    explicit Inputs(const Params& p)
        : freq(*p.time_freq), likelihood(p.likelihood), scaling(p.scaling), context(*p.context_length), prediction(*p.prediction_length),
          lags(lags_for(freq)), time_features(p.time_features.value_or(frequency_time_features(freq))),
          age(p.age_feature), num_dynamic(p.num_dynamic_feat.value.value_or(0)),
          ignore_cat(p.cardinality.ignored), ignore_dynamic(p.num_dynamic_feat.ignored) {
        if (p.max_lag)
            lags.erase(std::remove_if(lags.begin(), lags.end(), [&](int l) { return l > *p.max_lag; }), lags.end());
        max_lag = lags.back();
        if (p.cardinality.value)
            for (int c : *p.cardinality.value) cardinality.push_back(c);
    }
    Index num_cat() const noexcept { return static_cast<Index>(cardinality.size()); }
    bool standard() const noexcept { return scaling == Scaling::standard; }
    /// Covariates per step after the lags: calendar features, age, dynamic features, the
    /// location over the scale (standard scaling), log scale.
    Index covariates() const noexcept {
        return static_cast<Index>(time_features.size()) + age + num_dynamic + standard() + 1;
    }
};

/// "deepar fit: series 4 (1-based)" — series are counted as the lines of a JSON-lines file.
inline std::string series_name(const std::string& who, std::size_t index) {
    return who + ": series " + std::to_string(index + 1) + " (1-based)";
}

/// Refuses a series the model cannot read, naming it and the field: an invalid start, an
/// infinite or out-of-support target, the wrong number of categories or one out of range, and
/// dynamic features of the wrong count or length (`dynamic_length` values each).
template <class T>
void check_series(const Series<T>& s, std::size_t index, const Inputs& in, Index dynamic_length, const std::string& who) {
    const auto fail = [&](errc id, const std::string& what) { throw data_error(id, series_name(who, index) + ": " + what); };
    if (!valid_timestamp(s.start))
        fail(errc::parse_error, "start " + std::to_string(s.start.year) + "-" + std::to_string(s.start.month) + "-" +
                                    std::to_string(s.start.day) + " " + std::to_string(s.start.hour) + ":" +
                                    std::to_string(s.start.minute) + ":" + std::to_string(s.start.second) +
                                    " is not a valid date and time");
    for (Index t = 0; t < s.target.size(); ++t) {
        const double y = s.target[t];
        if (std::isnan(y)) continue;
        if (!std::isfinite(y)) fail(errc::not_finite, "target[" + std::to_string(t) + "] is infinite");
        if (!in_support(in.likelihood, y))
            fail(errc::bad_label, "target[" + std::to_string(t) + "] = " + std::to_string(y) + " is outside the " +
                                      info(in.likelihood).name + " likelihood's support (" + info(in.likelihood).support + ")");
    }
    if (!in.ignore_cat && static_cast<Index>(s.cat.size()) != in.num_cat())
        fail(errc::shape_mismatch, "cat has " + std::to_string(s.cat.size()) + " values; the model has " +
                                       std::to_string(in.num_cat()) + " categorical features (cardinality)");
    for (std::size_t j = 0; j < static_cast<std::size_t>(in.num_cat()); ++j)
        if (s.cat[j] < 0 || s.cat[j] >= in.cardinality[j])
            fail(errc::bad_label, "cat[" + std::to_string(j) + "] = " + std::to_string(s.cat[j]) +
                                      " is out of range; cardinality[" + std::to_string(j) + "] = " +
                                      std::to_string(in.cardinality[j]) + " allows 0 to " +
                                      std::to_string(in.cardinality[j] - 1));
    if (in.ignore_dynamic) return;
    const Index rows = s.dynamic_feat.size() == 0 ? 0 : s.dynamic_feat.rows();
    if (rows != in.num_dynamic)
        fail(errc::shape_mismatch, "dynamic_feat has " + std::to_string(rows) + " features; the model has " +
                                       std::to_string(in.num_dynamic) + " (num_dynamic_feat)");
    if (rows > 0 && s.dynamic_feat.cols() != dynamic_length)
        fail(errc::shape_mismatch, "dynamic_feat has " + std::to_string(s.dynamic_feat.cols()) +
                                       " values per feature; expected " + std::to_string(dynamic_length) +
                                       " (the target's " + std::to_string(s.target.size()) + " points" +
                                       (dynamic_length > s.target.size() ? " and the prediction_length after them)" : ")"));
    if (rows > 0 && !s.dynamic_feat.allFinite()) fail(errc::not_finite, "dynamic_feat holds a NaN or infinite value");
}

/// Mean |y| of the observed points of target[first, last) (clipped to the series), and their count.
template <class T>
double mean_abs(const Series<T>& s, Index first, Index last, Index& observed) {
    double sum = 0;
    observed = 0;
    for (Index t = std::max<Index>(first, 0); t < std::min<Index>(last, s.target.size()); ++t)
        if (!std::isnan(s.target[t])) sum += std::abs(double(s.target[t])), ++observed;
    return observed ? sum / double(observed) : 0.0;
}

/// The map of a window whose context is target[a, a + context). Mean scaling: y over the mean
/// |y| of the context's observed points. Standard: (y − their mean) over their standard deviation,
/// kept above 1e-4 of the mean |y| so that a flat context does not blow up what follows it. A
/// context without observed points (or all zero) is scaled by `fallback` (the series' own mean
/// |y|, or its categories' for a series with no points). Beta, which is unscaled, gets the identity.
template <class T>
Affine context_map(const Series<T>& s, Index a, const Inputs& in, double fallback) {
    if (!info(in.likelihood).scaled) return {};
    Index observed = 0;
    const double scale = mean_abs(s, a, a + in.context, observed);
    if (!(scale > 0)) return {0, fallback};
    if (!in.standard()) return {0, scale};
    const Index first = std::max<Index>(a, 0), last = std::min<Index>(a + in.context, s.target.size());
    double mean = 0, squares = 0;
    for (Index t = first; t < last; ++t)
        if (!std::isnan(s.target[t])) mean += double(s.target[t]);
    mean /= double(observed);
    for (Index t = first; t < last; ++t)
        if (!std::isnan(s.target[t])) squares += (double(s.target[t]) - mean) * (double(s.target[t]) - mean);
    return {mean, std::max(std::sqrt(squares / double(observed)), 1e-4 * scale)};
}

/// Fills row r of `w` from series `s`, step 0 being its point `a`, with the map `map`.
template <class T>
void fill_row(Window<T>& w, Index r, const Series<T>& s, Index a, const Affine& map, const Inputs& in) {
    const Index n = s.target.size();
    for (Index p = 0; p < w.history.cols(); ++p) {
        const Index t = a - w.max_lag + p;
        const bool inside = t >= 0 && t < n;
        const double y = inside ? double(s.target[t]) : 0.0;
        // Padding, and a missing point before the steps, read 0 in the network's units.
        w.history(r, p) = !inside || (std::isnan(y) && p < w.max_lag) ? T(0) : static_cast<T>(map.to_network(y));
    }
    const auto n_time = static_cast<Index>(in.time_features.size());
    const Index cov = w.covariates.cols(), dynamic = n_time + in.age;
    for (Index j = 0; j < w.steps; ++j) {
        const Index t = a + j;
        w.target(r, j) = t >= 0 && t < n ? s.target[t] : std::numeric_limits<T>::quiet_NaN();
        T* x = w.covariates.data() + (j * w.rows + r) * cov;
        time_features(step_after(s.start, in.freq, t), in.time_features, x);
        if (in.age) x[n_time] = static_cast<T>(std::log10(2.0 + double(std::max<Index>(t, 0))));
        for (Index f = 0; f < in.num_dynamic; ++f)
            x[dynamic + f] = t >= 0 && t < s.dynamic_feat.cols() ? s.dynamic_feat(f, t) : T(0);
        if (in.standard()) x[cov - 2] = static_cast<T>(std::asinh(map.loc / map.scale));
        x[cov - 1] = static_cast<T>(std::log(map.scale));
    }
    for (Index c = 0; c < in.num_cat(); ++c)
        w.cats[static_cast<std::size_t>(r * in.num_cat() + c)] = s.cat[static_cast<std::size_t>(c)];
    w.map[static_cast<std::size_t>(r)] = map;
}

/// Every row of `w` a copy of row `from` (one series' sample paths, before they part).
template <class T>
void copy_row_to_all(Window<T>& w, Index from) {
    for (Index r = 0; r < w.rows; ++r) {
        if (r == from) continue;
        w.history.row(r) = w.history.row(from);
        w.target.row(r) = w.target.row(from);
        for (Index j = 0; j < w.steps; ++j) w.covariates.row(j * w.rows + r) = w.covariates.row(j * w.rows + from);
        const auto n_cat = static_cast<Index>(w.cats.size()) / w.rows;
        for (Index c = 0; c < n_cat; ++c)
            w.cats[static_cast<std::size_t>(r * n_cat + c)] = w.cats[static_cast<std::size_t>(from * n_cat + c)];
        w.map[static_cast<std::size_t>(r)] = w.map[static_cast<std::size_t>(from)];
    }
}

}  // namespace shelf::deepar::detail
