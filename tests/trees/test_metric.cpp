// Evaluation metrics against XGBoost's own values on the same predictions, and by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <shelf/trees/metric.hpp>

#include "fixture.hpp"

using shelf::gbt::evaluate_metric;
using shelf::gbt::parse_metric;

TEST_CASE("metrics equal XGBoost's on its predictions, with and without weights", "[trees][metric]") {
    // XGBoost computes each row's loss in float and sums in double; here both are double. Each
    // row's term then differs by at most float rounding, 2^-24 ≈ 6e-8 relative, and so does
    // their weighted mean: the tolerance is 1e-7 relative.
    const auto& d = fixture::data();
    for (const auto& entry : fixture::json("metrics.json")) {
        const std::string objective = entry["objective"];
        const bool multiclass = objective.rfind("multi:", 0) == 0;
        const shelf::RowMatrix<float> p = fixture::matrix(entry["predictions"]);
        const shelf::Vector<float>& y = d[entry["label"].get<std::string>()];
        for (const bool weighted : {false, true}) {
            const auto& values = entry[weighted ? "weighted_values" : "values"];
            for (const auto& [name, expected] : values.items()) {
                DYNAMIC_SECTION(objective << ": " << name << (weighted ? ", weighted" : "")) {
                    const auto m = parse_metric(name, multiclass);
                    CHECK(m.name == name);
                    const double got = evaluate_metric(m, p.data(), y.data(), weighted ? d["weight"].data() : nullptr,
                                                       p.rows(), static_cast<int>(p.cols()));
                    CHECK(got == Approx(expected.get<double>()).epsilon(1e-7));
                }
            }
        }
    }
}

TEST_CASE("metrics by hand", "[trees][metric]") {
    const std::vector<float> y{0, 0, 1, 1}, p{0.1f, 0.4f, 0.35f, 0.8f};
    const auto eval = [&](const char* name, const std::vector<float>& pred, const float* w = nullptr) {
        return evaluate_metric(parse_metric(name, false), pred.data(), y.data(), w, 4, 1);
    };
    SECTION("auc counts ordered pairs: 3 of 4 positive-negative pairs are in order") {
        CHECK(eval("auc", p) == Approx(0.75));
    }
    SECTION("tied scores count half") { CHECK(eval("auc", {0.5f, 0.5f, 0.5f, 0.5f}) == Approx(0.5)); }
    SECTION("error thresholds at 0.5, or at the number after @") {
        CHECK(eval("error", p) == Approx(0.25));
        CHECK(eval("error@0.3", p) == Approx(0.25));
        CHECK(eval("error@0.05", p) == Approx(0.5));
    }
    SECTION("logloss clips certainties instead of returning infinity") {
        CHECK(std::isfinite(eval("logloss", {1.0f, 0.0f, 1.0f, 0.0f})));
        CHECK(eval("logloss", {0.0f, 0.0f, 1.0f, 1.0f}) == Approx(0.0).margin(1e-12));
    }
    SECTION("rmse and mae weigh rows") {
        const std::vector<float> w{1, 1, 1, 3};
        CHECK(eval("rmse", {0, 0, 1, 0}) == Approx(std::sqrt(0.25)));
        CHECK(eval("mae", {0, 0, 1, 0}, w.data()) == Approx(3.0 / 6.0));
    }
    SECTION("auc of one class only is undefined") {
        const std::vector<float> ones{1, 1, 1, 1};
        const float* unweighted = nullptr;
        CHECK(std::isnan(evaluate_metric(parse_metric("auc", false), p.data(), ones.data(), unweighted, 4, 1)));
    }
}

TEST_CASE("metric names are checked against the objective", "[trees][metric]") {
    CHECK(parse_metric("auc", false).maximize);
    CHECK_FALSE(parse_metric("logloss", false).maximize);
    CHECK(parse_metric("tweedie-nloglik", false).name == "tweedie-nloglik@1.5");
    REQUIRE_THROWS_WITH(parse_metric("acc", false),
                        Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("valid metrics: rmse"));
    REQUIRE_THROWS_WITH(parse_metric("mlogloss", false),
                        Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("multi:softmax"));
    REQUIRE_THROWS_WITH(parse_metric("auc", true), Catch::Contains("merror or mlogloss"));
    REQUIRE_THROWS_WITH(parse_metric("rmse@2", false), Catch::Contains("only error@t"));
    REQUIRE_THROWS_WITH(parse_metric("error@x", false), Catch::Contains("shelf.invalid_argument.103"));
}

TEST_CASE("a metric over many rows is the same on any thread count", "[trees][metric]") {
    // 50,000 rows: several blocks of rows, summed on 1 and on 3 threads.
    shelf::Vector<float> p(50000), y(50000), w(50000);
    for (shelf::Index i = 0; i < p.size(); ++i) {
        p[i] = 0.05f + 0.9f * float((i * 7919) % 1000) / 1000.0f;
        y[i] = float((i * 31) % 3 == 0);
        w[i] = 0.5f + float(i % 5);
    }
    for (const char* name : {"logloss", "rmse", "error"}) {
        const auto m = parse_metric(name, false);
        const double one = evaluate_metric(m, p.data(), y.data(), w.data(), p.size(), 1, 1.0, 1);
        CHECK(evaluate_metric(m, p.data(), y.data(), w.data(), p.size(), 1, 1.0, 3) == one);
        CHECK(std::isfinite(one));
    }
}
