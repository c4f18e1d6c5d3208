// Forecasting metrics: pinball loss, weighted quantile loss, WAPE, MASE, coverage.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "shelf/metrics/forecasting.hpp"

namespace m = shelf::metrics;
using fixture::near;
using fixture::near_float;
using shelf::Index;
using shelf::Vector;

namespace {
std::string key(const char* prefix, double tau) {
    std::ostringstream s;
    s << prefix << "." << tau;
    return s.str();
}
}  // namespace

TEST_CASE("forecasting metrics agree with scikit-learn and the numpy formulas", "[metrics][forecasting]") {
    for (const fixture::Case& c : fixture::load("forecasting.txt")) {
        DYNAMIC_SECTION("case: " << c.name) {
            const Vector<double> y = c.vec("y_true"), point = c.vec("y_pred"), history = c.vec("y_history");
            const std::vector<double> taus = c.list("taus");
            const auto k = static_cast<Index>(taus.size());
            const shelf::RowMatrix<double> q = c.mat("q_pred", k);
            for (Index j = 0; j < k; ++j) {
                const double tau = taus[static_cast<std::size_t>(j)];
                INFO("tau " << tau);
                const Vector<double> qj = q.col(j);
                CHECK_THAT(m::quantile_loss(y, qj, tau), near(c.scalar(key("quantile_loss", tau))));
                CHECK_THAT(m::weighted_quantile_loss(y, qj, tau), near(c.scalar(key("wql", tau))));
                CHECK_THAT(m::coverage(y, qj), near(c.scalar(key("coverage", tau))));
                if (c.has("sample_weight")) {
                    const Vector<double> w = c.vec("sample_weight");
                    CHECK_THAT(m::quantile_loss(y, qj, tau, &w), near(c.scalar(key("quantile_loss_weighted", tau))));
                }
                const Vector<float> yf = y.cast<float>(), qf = qj.cast<float>();
                CHECK_THAT(m::weighted_quantile_loss(yf, qf, tau), near_float(c.scalar(key("wql", tau))));
            }
            CHECK_THAT(m::mean_weighted_quantile_loss(y, q, taus), near(c.scalar("mean_wql")));
            CHECK_THAT(m::wape(y, point), near(c.scalar("wape")));
            CHECK_THAT(m::mase(y, point, history, 1), near(c.scalar("mase.1")));
            CHECK_THAT(m::mase(y, point, history, 12), near(c.scalar("mase.12")));
            CHECK_THAT(m::rmse(y, point), near(c.scalar("rmse")));
            const Vector<float> yf = y.cast<float>(), pf = point.cast<float>(), hf = history.cast<float>();
            CHECK_THAT(m::wape(yf, pf), near_float(c.scalar("wape")));
            CHECK_THAT(m::mase(yf, pf, hf, 12), near_float(c.scalar("mase.12")));
        }
    }
}

TEST_CASE("forecasting metrics follow their definitions", "[metrics][forecasting]") {
    const Vector<double> y = (Vector<double>(4) << 10, 20, 30, 40).finished();
    const Vector<double> q = (Vector<double>(4) << 12, 18, 30, 35).finished();
    SECTION("pinball loss charges tau below the quantile and 1 - tau above it") {
        // errors y - q: -2, 2, 0, 5 -> 0.9 * 2 + 0.1 * (2 + 5) over 4 samples at tau = 0.1
        CHECK_THAT(m::quantile_loss(y, q, 0.1), near((0.9 * 2 + 0.1 * 7) / 4));
    }
    SECTION("wQL is twice the summed pinball loss over the summed |y|, so wQL[0.5] is WAPE") {
        CHECK_THAT(m::weighted_quantile_loss(y, q, 0.1), near(2 * (0.9 * 2 + 0.1 * 7) / 100));
        CHECK_THAT(m::weighted_quantile_loss(y, q, 0.5), near(m::wape(y, q)));
        CHECK_THAT(m::wape(y, q), near(9.0 / 100));
    }
    SECTION("mean wQL averages the columns, one per tau") {
        shelf::RowMatrix<double> qs(4, 2);
        qs.col(0) = q;
        qs.col(1) = y;
        CHECK_THAT(m::mean_weighted_quantile_loss(y, qs, {0.1, 0.9}),
                   near((m::weighted_quantile_loss(y, q, 0.1) + 0.0) / 2));
    }
    SECTION("coverage counts observations at or below the quantile") { CHECK_THAT(m::coverage(y, q), near(0.5)); }
    SECTION("MASE divides by the in-sample error of the seasonal naive forecast") {
        const Vector<double> h = (Vector<double>(6) << 1, 2, 4, 2, 3, 5).finished();
        // m = 2: |4-1|, |2-2|, |3-4|, |5-2| -> mean 7/4; forecast MAE = 9/4
        CHECK_THAT(m::mase(y, q, h, 2), near((9.0 / 4) / (7.0 / 4)));
    }
}

TEST_CASE("scale-free forecasting metrics give inf or NaN for a zero scale, as numpy", "[metrics][forecasting]") {
    const Vector<double> zeros = Vector<double>::Zero(3);
    const Vector<double> off = (Vector<double>(3) << 0, 1, 0).finished();
    SECTION("all-zero actuals: WAPE and wQL are +inf for an imperfect forecast, NaN for a perfect one") {
        CHECK(m::wape(zeros, off) == std::numeric_limits<double>::infinity());
        CHECK(m::weighted_quantile_loss(zeros, off, 0.5) == std::numeric_limits<double>::infinity());
        CHECK(std::isnan(m::wape(zeros, zeros)));
        CHECK(std::isnan(m::weighted_quantile_loss(zeros, zeros, 0.9)));
    }
    SECTION("a history without naive error makes MASE +inf, or NaN for a perfect forecast") {
        const Vector<double> flat = Vector<double>::Constant(5, 2.0);
        CHECK(m::mase(off, zeros, flat, 1) == std::numeric_limits<double>::infinity());
        CHECK(std::isnan(m::mase(zeros, zeros, flat, 1)));
    }
}

TEST_CASE("forecasting metrics reject unusable input", "[metrics][forecasting][errors]") {
    const Vector<double> y = (Vector<double>(3) << 1, 2, 3).finished();
    SECTION("tau must lie in [0, 1]") {
        REQUIRE_THROWS_AS(m::quantile_loss(y, y, 1.5), shelf::invalid_argument);
        REQUIRE_THROWS_WITH(m::weighted_quantile_loss(y, y, -0.1),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("tau is -0.1"));
        shelf::RowMatrix<double> q(3, 1);
        q.col(0) = y;
        REQUIRE_THROWS_WITH(m::mean_weighted_quantile_loss(y, q, {2.0}), Catch::Contains("shelf.invalid_argument.101"));
    }
    SECTION("the quantile matrix needs one row per sample and one column per tau") {
        const shelf::RowMatrix<double> q = shelf::RowMatrix<double>::Zero(3, 2);
        REQUIRE_THROWS_WITH(m::mean_weighted_quantile_loss(y, q, {0.1, 0.5, 0.9}),
                            Catch::Contains("shelf.data_error.202") && Catch::Contains("3 x 2"));
    }
    SECTION("MASE needs m >= 1 and a history longer than m") {
        REQUIRE_THROWS_WITH(m::mase(y, y, y, 0), Catch::Contains("shelf.invalid_argument.101"));
        REQUIRE_THROWS_WITH(m::mase(y, y, y, 3), Catch::Contains("shelf.data_error.202") &&
                                                     Catch::Contains("y_history has 3 entries"));
        Vector<double> h = (Vector<double>(4) << 1, 2, NAN, 3).finished();
        REQUIRE_THROWS_WITH(m::mase(y, y, h, 1), Catch::Contains("shelf.data_error.203") &&
                                                     Catch::Contains("y_history[2]"));
    }
    SECTION("lengths must match and input must be non-empty") {
        const Vector<double> two = Vector<double>::Ones(2), empty(0);
        REQUIRE_THROWS_WITH(m::wape(y, two), Catch::Contains("shelf.data_error.202") &&
                                                 Catch::Contains("wape: y_true has 3 entries but y_pred has 2"));
        REQUIRE_THROWS_WITH(m::coverage(empty, empty), Catch::Contains("shelf.data_error.201"));
    }
}
