// Regression metrics: MSE, RMSE, MAE, MAPE, R², sums of errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "fixture.hpp"
#include "shelf/metrics/regression.hpp"

namespace m = shelf::metrics;
using fixture::near;
using fixture::near_float;
using shelf::Vector;

TEST_CASE("regression metrics agree with scikit-learn", "[metrics][regression]") {
    for (const fixture::Case& c : fixture::load("regression.txt")) {
        DYNAMIC_SECTION("case: " << c.name) {
            const Vector<double> y = c.vec("y_true"), p = c.vec("y_pred");
            const Vector<double> w = c.has("sample_weight") ? c.vec("sample_weight") : Vector<double>();
            const Vector<double>* wp = c.has("sample_weight") ? &w : nullptr;
            CHECK_THAT(m::mse(y, p, wp), near(c.scalar("mse")));
            CHECK_THAT(m::rmse(y, p, wp), near(c.scalar("rmse")));
            CHECK_THAT(m::mae(y, p, wp), near(c.scalar("mae")));
            CHECK_THAT(m::mape(y, p, wp), near(c.scalar("mape")));
            CHECK_THAT(m::r2(y, p, wp), near(c.scalar("r2")));
            CHECK_THAT(m::sum_squared_error(y, p, wp), near(c.scalar("sum_squared_error")));
            CHECK_THAT(m::sum_absolute_error(y, p, wp), near(c.scalar("sum_absolute_error")));

            // The same data as float: inputs lose digits, results stay close.
            const Vector<float> yf = y.cast<float>(), pf = p.cast<float>();
            const Vector<float> wf = w.cast<float>();
            const Vector<float>* wfp = wp ? &wf : nullptr;
            CHECK_THAT(m::mse(yf, pf, wfp), near_float(c.scalar("mse")));
            CHECK_THAT(m::rmse(yf, pf, wfp), near_float(c.scalar("rmse")));
            CHECK_THAT(m::mae(yf, pf, wfp), near_float(c.scalar("mae")));
            CHECK_THAT(m::mape(yf, pf, wfp), near_float(c.scalar("mape")));
            CHECK_THAT(m::r2(yf, pf, wfp), near_float(c.scalar("r2")));
        }
    }
}

TEST_CASE("regression metrics define their edge cases", "[metrics][regression]") {
    SECTION("MAPE skips zero targets instead of dividing by epsilon") {
        const Vector<double> y = (Vector<double>(3) << 0, 2, 4).finished();
        const Vector<double> p = (Vector<double>(3) << 5, 1, 5).finished();
        CHECK_THAT(m::mape(y, p), near((0.5 + 0.25) / 2));
    }
    SECTION("MAPE is NaN when every target is zero: there is nothing to average") {
        const Vector<double> y = Vector<double>::Zero(3), p = Vector<double>::Ones(3);
        CHECK(std::isnan(m::mape(y, p)));
    }
    SECTION("R² of a constant y_true is 1 for a perfect prediction and 0 otherwise") {
        // 0.1 is not representable: a mean-based SS_tot would come out tiny but nonzero.
        const Vector<double> y = Vector<double>::Constant(7, 0.1);
        Vector<double> p = y;
        CHECK(m::r2(y, p) == 1.0);
        p[2] = 0.2;
        CHECK(m::r2(y, p) == 0.0);
    }
    SECTION("R² of a single sample is NaN, as scikit-learn") {
        const Vector<double> y = Vector<double>::Constant(1, 2.0), p = Vector<double>::Constant(1, 3.0);
        CHECK(std::isnan(m::r2(y, p)));
    }
    SECTION("a perfect prediction has zero error and R² 1") {
        const Vector<double> y = (Vector<double>(4) << 1, -2, 3, 10).finished();
        CHECK(m::mse(y, y) == 0);
        CHECK(m::mae(y, y) == 0);
        CHECK(m::r2(y, y) == 1);
    }
    SECTION("zero-weight samples do not count") {
        const Vector<double> y = (Vector<double>(3) << 1, 2, 3).finished();
        const Vector<double> p = (Vector<double>(3) << 1, 2, 100).finished();
        const Vector<double> w = (Vector<double>(3) << 1, 1, 0).finished();
        CHECK(m::mse(y, p, &w) == 0);
        CHECK(m::rmse(y, p, &w) == 0);
    }
    SECTION("an Eigen::Map over a std::vector binds without a copy, with or without an explicit T") {
        std::vector<double> yv{1, 2, 3, 4}, pv{1.5, 2, 2, 4};
        Eigen::Map<const Vector<double>> y(yv.data(), 4), p(pv.data(), 4);
        CHECK_THAT(m::mse(y, p), near((0.25 + 1) / 4));
        CHECK_THAT(m::mse<double>(y, p), near((0.25 + 1) / 4));
        CHECK_THAT(m::mae(y.head(2), p.head(2)), near(0.25));
    }
}

TEST_CASE("regression metrics reject unusable input", "[metrics][regression][errors]") {
    const Vector<double> y = (Vector<double>(3) << 1, 2, 3).finished();
    SECTION("inputs of different lengths are a shape mismatch naming both lengths") {
        const Vector<double> p = Vector<double>::Ones(2);
        REQUIRE_THROWS_AS(m::rmse(y, p), shelf::data_error);
        REQUIRE_THROWS_WITH(m::rmse(y, p), Catch::Contains("shelf.data_error.202") &&
                                               Catch::Contains("rmse: y_true has 3 entries but y_pred has 2"));
    }
    SECTION("empty input is empty data") {
        const Vector<double> e(0);
        REQUIRE_THROWS_AS(m::mse(e, e), shelf::data_error);
        REQUIRE_THROWS_WITH(m::mse(e, e), Catch::Contains("shelf.data_error.201") && Catch::Contains("empty"));
    }
    SECTION("NaN or infinity is not finite, naming the index") {
        Vector<double> p = y;
        p[1] = std::nan("");
        REQUIRE_THROWS_AS(m::mae(y, p), shelf::data_error);
        REQUIRE_THROWS_WITH(m::mae(y, p), Catch::Contains("shelf.data_error.203") && Catch::Contains("y_pred[1]"));
        p[1] = INFINITY;
        REQUIRE_THROWS_WITH(m::r2(p, y), Catch::Contains("shelf.data_error.203") && Catch::Contains("y_true[1] is inf"));
    }
    SECTION("sample weights must match in length, be >= 0 and not all zero") {
        const Vector<double> short_w = Vector<double>::Ones(2);
        REQUIRE_THROWS_WITH(m::mse(y, y, &short_w),
                            Catch::Contains("shelf.data_error.202") &&
                                Catch::Contains("mse: y_true has 3 entries but sample_weight has 2"));
        const Vector<double> negative = (Vector<double>(3) << 1, -1, 1).finished();
        REQUIRE_THROWS_AS(m::mse(y, y, &negative), shelf::invalid_argument);
        REQUIRE_THROWS_WITH(m::mse(y, y, &negative),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("sample_weight[1] is -1"));
        const Vector<double> zero = Vector<double>::Zero(3);
        REQUIRE_THROWS_WITH(m::mse(y, y, &zero),
                            Catch::Contains("shelf.data_error.201") && Catch::Contains("sums to zero"));
    }
}
