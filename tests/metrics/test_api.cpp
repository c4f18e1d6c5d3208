// The calling conventions of shelf::metrics, for every metric and both scalar
// types. This file is compiled with -Wconversion (see CMakeLists.txt), so it
// also checks that every header instantiates cleanly for float and double.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "shelf/metrics.hpp"

namespace m = shelf::metrics;
using shelf::Index;
using shelf::RowMatrix;
using shelf::Vector;
using shelf::VectorView;

namespace {

template <class T>
struct Data {
    std::vector<T> labels{0, 1, 1, 0, 1, 0, 1, 1};
    std::vector<T> predicted{0, 1, 0, 0, 1, 1, 1, 1};
    std::vector<T> scores{T(0.1), T(0.8), T(0.4), T(0.35), T(0.9), T(0.6), T(0.7), T(0.4)};
    std::vector<T> weights{1, 2, 1, T(0.5), 1, 1, 3, 1};
    std::vector<T> actual{3, 5, 2, 8, 6, 0, 4, 7};
    std::vector<T> grid{0, T(0.1), T(0.2), T(0.5), T(0.5), T(0.7), T(0.9), 1};
};

/// Calls metric(a, b) with the inputs as Vector<T>, as Eigen::Map over the
/// std::vectors, and as VectorView<T>; the three must agree exactly.
template <class T, class Metric>
double same_in_every_form(const std::vector<T>& a, const std::vector<T>& b, Metric metric) {
    const auto n = static_cast<Index>(a.size());
    const Eigen::Map<const Vector<T>> ma(a.data(), n), mb(b.data(), n);
    const Vector<T> va = ma, vb = mb;
    const VectorView<T> ra(ma), rb(mb);
    const double plain = metric(va, vb);
    CHECK(metric(ma, mb) == plain);
    CHECK(metric(ra, rb) == plain);
    return plain;
}

template <class T>
void every_metric() {
    const Data<T> d;
    const auto n = static_cast<Index>(d.labels.size());
    const Vector<T> w = Eigen::Map<const Vector<T>>(d.weights.data(), n);
    RowMatrix<T> proba(n, 2), quantiles(n, 2);
    for (Index i = 0; i < n; ++i) {
        const T s = d.scores[static_cast<std::size_t>(i)];
        proba(i, 0) = 1 - s;
        proba(i, 1) = s;
        quantiles(i, 0) = d.actual[static_cast<std::size_t>(i)] - 1;
        quantiles(i, 1) = d.actual[static_cast<std::size_t>(i)] + 1;
    }
    const std::vector<T>& y = d.labels;
    const std::vector<T>& p = d.predicted;
    const std::vector<T>& s = d.scores;
    const std::vector<T>& a = d.actual;

    // Classification: deduced T, then explicit T with the weights.
    CHECK(same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::accuracy(u, v); }) == 0.75);
    same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::accuracy<T>(u, v, &w); });
    same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::precision(u, v); });
    same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::recall<T>(u, v, m::Average::macro, 1, &w); });
    same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::specificity(u, v, m::Average::micro); });
    same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::f1(u, v, m::Average::weighted); });
    same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::f_beta<T>(u, v, 2.0); });
    same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::class_scores(u, v).f_beta[1]; });
    same_in_every_form(y, p, [&](const auto& u, const auto& v) { return m::confusion_matrix(u, v).counts(1, 1); });
    same_in_every_form(y, p, [&](const auto& u, const auto& v) {
        return m::confusion_matrix<T>(u, v, std::vector<T>{1, 0}, &w).counts(0, 0);
    });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::log_loss(u, v); });
    // Two columns [1 - s, s] are the same model as the one column s.
    CHECK(m::log_loss(Vector<T>(Eigen::Map<const Vector<T>>(y.data(), n)), proba) ==
          Approx(same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::log_loss<T>(u, v); }))
              .epsilon(1e-6));
    CHECK(m::top_k_accuracy<T>(Eigen::Map<const Vector<T>>(y.data(), n), proba, 1) == 0.625);

    // Ranking.
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::roc_auc(u, v); });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::roc_auc<T>(u, v, 1, &w); });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::roc_curve(u, v).tpr[2]; });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::precision_recall_curve(u, v).precision[1]; });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::average_precision(u, v); });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::pr_auc<T>(u, v, 1, &w); });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::best_f_beta_threshold(u, v).threshold; });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::precision_at_recall(u, v, 0.5).precision; });
    same_in_every_form(y, s, [&](const auto& u, const auto& v) { return m::recall_at_precision<T>(u, v, 0.5).recall; });
    same_in_every_form(d.grid, s, [&](const auto& u, const auto& v) { return m::auc(u, v); });

    // Regression.
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::mse(u, v); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::rmse<T>(u, v, &w); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::mae(u, v); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::mape(u, v); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::r2(u, v); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::sum_squared_error(u, v); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::sum_absolute_error<T>(u, v, &w); });

    // Forecasting.
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::quantile_loss(u, v, 0.9); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::quantile_loss<T>(u, v, 0.1, &w); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::weighted_quantile_loss(u, v, 0.5); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::wape(u, v); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::coverage(u, v); });
    same_in_every_form(a, s, [&](const auto& u, const auto& v) { return m::mase(u, v, u, 2); });
    CHECK(m::mean_weighted_quantile_loss(Vector<T>(Eigen::Map<const Vector<T>>(a.data(), n)), quantiles,
                                         {0.1, 0.9}) > 0);
}

}  // namespace

TEST_CASE("every metric takes Eigen vectors, Maps over std::vector and VectorViews alike",
          "[metrics][api]") {
    SECTION("for double") { every_metric<double>(); }
    SECTION("for float") { every_metric<float>(); }
}

TEST_CASE("blocks of a larger vector bind too", "[metrics][api]") {
    const Vector<double> y = (Vector<double>(6) << 9, 0, 1, 1, 0, 9).finished();
    const Vector<double> s = (Vector<double>(6) << 5, 0.2, 0.9, 0.7, 0.4, 5).finished();
    CHECK(m::roc_auc(y.segment(1, 4), s.segment(1, 4)) == 1.0);
    CHECK(m::accuracy(y.head(3), y.head(3)) == 1.0);
}
