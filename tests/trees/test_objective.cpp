// Every objective of the registry: gradient and hessian against finite differences of an
// independent loss, known values, label rules and the base-score mapping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include <shelf/trees/objective.hpp>
#include <shelf/trees/params.hpp>

using shelf::gbt::GradientPair;
using shelf::gbt::ObjectiveSettings;

namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// The loss each objective minimises, written independently of the library; `m` holds the
/// row's margins (one, or one per class).
using Loss = std::function<double(const std::vector<double>& m, double y)>;

using Factor = std::function<double(const std::vector<double>&, double)>;

struct Oracle {
    Loss loss;
    Factor hess_factor;          ///< hessian = factor(m, y) × d²loss/dm² (XGBoost's departures from the exact one)
    std::vector<double> labels;  ///< labels to try
};

const Factor exact = [](const std::vector<double>&, double) { return 1.0; };

std::map<std::string, Oracle> oracles(const ObjectiveSettings& s) {
    const Loss logistic = [](const auto& m, double y) {
        return -(y * std::log(sigmoid(m[0])) + (1 - y) * std::log(1 - sigmoid(m[0])));
    };
    const Loss softmax = [](const auto& m, double y) {
        double sum = 0;
        for (double v : m) sum += std::exp(v);
        return -(m[static_cast<std::size_t>(y)] - std::log(sum));
    };
    const double rho = s.tweedie_variance_power, delta = s.huber_slope, mds = s.poisson_max_delta_step;
    return {
        {"reg:squarederror", {[](const auto& m, double y) { return 0.5 * (m[0] - y) * (m[0] - y); }, exact, {-1.5, 0.0, 2.25}}},
        {"reg:logistic", {logistic, exact, {0.0, 0.3, 1.0}}},
        {"binary:logistic", {logistic, exact, {0.0, 1.0}}},
        {"binary:logitraw", {logistic, exact, {0.0, 1.0}}},
        // XGBoost's softmax hessian is 2·p·(1 − p), twice the diagonal of the exact one.
        {"multi:softprob", {softmax, [](const auto&, double) { return 2.0; }, {0.0, 1.0, 2.0}}},
        {"multi:softmax", {softmax, [](const auto&, double) { return 2.0; }, {0.0, 1.0, 2.0}}},
        // Poisson's hessian is inflated by exp(max_delta_step).
        {"count:poisson", {[](const auto& m, double y) { return std::exp(m[0]) - y * m[0]; },
                           [mds](const auto&, double) { return std::exp(mds); }, {0.0, 1.0, 4.0}}},
        {"reg:gamma", {[](const auto& m, double y) { return y * std::exp(-m[0]) + m[0]; }, exact, {0.5, 2.0}}},
        {"reg:tweedie", {[rho](const auto& m, double y) {
                             return -y * std::exp((1 - rho) * m[0]) / (1 - rho) + std::exp((2 - rho) * m[0]) / (2 - rho);
                         }, exact, {0.0, 1.0, 3.0}}},
        {"reg:pseudohubererror", {[delta](const auto& m, double y) {
                                      const double z = (m[0] - y) / delta;
                                      return delta * delta * (std::sqrt(1 + z * z) - 1);
                                  }, exact, {-2.0, 0.5, 3.0}}},
        // Absolute error and hinge have no useful second derivative: XGBoost uses the row
        // weight (and a tiny positive number on hinge's flat side). Their gradients are checked
        // here away from the kinks; the hessians by the known values below.
        {"reg:absoluteerror", {[](const auto& m, double y) { return std::abs(m[0] - y); }, exact, {-1.0, 0.5}}},
        {"binary:hinge", {[](const auto& m, double y) { return std::max(0.0, 1 - (2 * y - 1) * m[0]); }, exact, {0.0, 1.0}}},
    };
}

template <class Objective>
std::vector<GradientPair<double>> gradient(const Objective& obj, const std::vector<double>& m, double y, double w) {
    std::vector<GradientPair<double>> g(m.size());
    obj.gradient(m.data(), y, w, g.data());
    return g;
}

}  // namespace

TEST_CASE("every objective's gradient and hessian are the derivatives of its loss", "[trees][objective]") {
    ObjectiveSettings settings;
    settings.num_class = 3;
    settings.tweedie_variance_power = 1.3;
    settings.huber_slope = 1.5;
    settings.poisson_max_delta_step = 0.7;
    const auto table = oracles(settings);
    const std::vector<std::vector<double>> margins1{{-1.3}, {-0.2}, {0.35}, {1.7}};
    const std::vector<std::vector<double>> margins3{{-1.3, 0.2, 0.9}, {0.4, 0.4, -0.8}, {2.0, -1.0, 0.1}};
    for (const auto& info : shelf::gbt::objective_infos()) {
        DYNAMIC_SECTION(info.name << " matches central differences of its loss") {
            REQUIRE(table.count(info.name) == 1);  // a new objective needs an oracle here
            const Oracle& oracle = table.at(info.name);
            const auto objective = shelf::gbt::make_objective(info.name, settings);
            const bool kinked = std::string(info.name) == "reg:absoluteerror" || std::string(info.name) == "binary:hinge";
            std::visit(
                [&](const auto& obj) {
                    // The margins and labels stay away from the kinks of |m − y| and max(0, 1 − y'm).
                    for (const auto& m : info.multiclass ? margins3 : margins1)
                        for (const double y : oracle.labels) {
                            const double w = 1.75;
                            const auto g = gradient(obj, m, y, w);
                            for (std::size_t k = 0; k < m.size(); ++k) {
                                const double h = 1e-5;
                                auto up = m, down = m;
                                up[k] += h;
                                down[k] -= h;
                                const double fd_grad = (oracle.loss(up, y) - oracle.loss(down, y)) / (2 * h);
                                INFO("margin " << m[k] << " (output " << k << "), label " << y);
                                CHECK(g[k].grad == Approx(w * fd_grad).epsilon(1e-6).margin(1e-8));
                                if (kinked) continue;
                                const double fd_hess = (gradient(obj, up, y, 1.0)[k].grad - gradient(obj, down, y, 1.0)[k].grad) / (2 * h);
                                CHECK(g[k].hess == Approx(w * oracle.hess_factor(m, y) * fd_hess).epsilon(1e-6).margin(1e-8));
                            }
                        }
                },
                objective);
        }
    }
}

TEST_CASE("gradients of a block of rows are each row's gradient", "[trees][objective]") {
    // The trainer takes one-output objectives a block at a time (the logistic ones in SIMD, with
    // exp computed in double and rounded): each pair must be the row's own within a float ulp
    // or two, in blocks that do not fill a SIMD register or a chunk, weighted or not.
    ObjectiveSettings settings;
    settings.scale_pos_weight = 2.5;
    std::vector<float> margin, label, weight;
    for (int i = 0; i < 301; ++i) {
        margin.push_back(-40.0f + 0.27f * static_cast<float>(i));
        label.push_back(i % 3 == 0 ? 1.0f : 0.0f);
        weight.push_back(0.5f + 0.01f * static_cast<float>(i % 17));
    }
    for (const auto& info : shelf::gbt::objective_infos()) {
        if (info.multiclass) continue;
        DYNAMIC_SECTION(info.name) {
            const auto objective = shelf::gbt::make_objective(info.name, settings);
            std::visit(
                [&](const auto& obj) {
                    for (const std::size_t count : {std::size_t{1}, std::size_t{7}, margin.size()})
                        for (const bool weighted : {false, true}) {
                            std::vector<GradientPair<float>> block(count);
                            shelf::gbt::gradients_of(obj, margin.data(), label.data(), weighted ? weight.data() : nullptr,
                                                     count, block.data());
                            for (std::size_t i = 0; i < count; ++i) {
                                GradientPair<float> row;
                                obj.gradient(&margin[i], label[i], weighted ? weight[i] : 1.0f, &row);
                                INFO("rows " << count << ", row " << i << ", margin " << margin[i] << ", weighted " << weighted);
                                CHECK(block[i].grad == Approx(row.grad).epsilon(3e-7).margin(1e-30));
                                CHECK(block[i].hess == Approx(row.hess).epsilon(3e-7).margin(1e-30));
                            }
                        }
                },
                objective);
        }
    }
}

TEST_CASE("objectives give XGBoost's values at known points", "[trees][objective]") {
    ObjectiveSettings s;
    s.scale_pos_weight = 3.0;
    GradientPair<float> g[3];
    SECTION("logistic at margin 0 with a positive label is scaled by weight and scale_pos_weight") {
        const float m = 0.0f;
        shelf::gbt::objectives::BinaryLogistic(s).gradient(&m, 1.0f, 2.0f, g);
        CHECK(g[0].grad == Approx(-0.5 * 2 * 3));
        CHECK(g[0].hess == Approx(0.25 * 2 * 3));
        shelf::gbt::objectives::BinaryLogistic(s).gradient(&m, 0.0f, 2.0f, g);  // negatives are not scaled
        CHECK(g[0].grad == Approx(0.5 * 2));
    }
    SECTION("logistic keeps the hessian positive when the margin saturates") {
        const float m = 60.0f;
        shelf::gbt::objectives::BinaryLogistic(s).gradient(&m, 1.0f, 1.0f, g);
        CHECK(g[0].hess == Approx(1e-16f * 3.0f));
    }
    SECTION("hinge pushes rows inside the margin and leaves the others with a tiny hessian") {
        const float inside = 0.5f, outside = 1.5f;
        shelf::gbt::objectives::Hinge(s).gradient(&inside, 1.0f, 2.0f, g);
        CHECK(g[0].grad == -2.0f);
        CHECK(g[0].hess == 2.0f);
        shelf::gbt::objectives::Hinge(s).gradient(&outside, 1.0f, 2.0f, g);
        CHECK(g[0].grad == 0.0f);
        CHECK(g[0].hess == std::numeric_limits<float>::min());
    }
    SECTION("absolute error's gradient is the sign of the residual and its hessian the weight") {
        const float m = 2.0f;
        shelf::gbt::objectives::AbsoluteError(s).gradient(&m, 3.0f, 1.5f, g);
        CHECK(g[0].grad == -1.5f);
        CHECK(g[0].hess == 1.5f);
        shelf::gbt::objectives::AbsoluteError(s).gradient(&m, 2.0f, 1.5f, g);
        CHECK(g[0].grad == 0.0f);
    }
    SECTION("softmax gradients sum to zero and transform to probabilities") {
        s.num_class = 3;
        const float m[3] = {0.5f, -1.0f, 2.0f};
        shelf::gbt::objectives::Softprob(s).gradient(m, 2.0f, 1.0f, g);
        CHECK(g[0].grad + g[1].grad + g[2].grad == Approx(0.0).margin(1e-6));
        CHECK(g[2].grad < 0);
        float p[3] = {0.5f, -1.0f, 2.0f};
        shelf::gbt::objectives::Softprob(s).transform(p);
        CHECK(p[0] + p[1] + p[2] == Approx(1.0));
        shelf::gbt::objectives::Softmax(s).transform(p);
        CHECK(p[0] == 2.0f);
    }
}

TEST_CASE("softmax of a block of rows is each row's probabilities", "[trees][objective]") {
    // Prediction and the metrics take softmax rows together, their exps in SIMD (in double,
    // rounded to float once): 61 rows of 5 classes.
    ObjectiveSettings settings;
    settings.num_class = 5;
    const shelf::gbt::objectives::Softprob softprob(settings);
    std::vector<float> margin;
    for (int i = 0; i < 61 * 5; ++i) margin.push_back(-30.0f + 0.2f * static_cast<float>((i * 37) % 301));
    std::vector<float> block = margin;
    shelf::gbt::transform_rows(softprob, block.data(), 61, 5);
    for (std::size_t r = 0; r < 61; ++r) {
        std::vector<float> row(margin.begin() + static_cast<std::ptrdiff_t>(5 * r),
                               margin.begin() + static_cast<std::ptrdiff_t>(5 * r + 5));
        softprob.transform(row.data());
        // The reference in double throughout (simd::softmax shifts in double too, so nothing
        // rounds before the exp): within float's rounding of the result.
        const double top = *std::max_element(margin.begin() + static_cast<std::ptrdiff_t>(5 * r),
                                             margin.begin() + static_cast<std::ptrdiff_t>(5 * r + 5));
        double sum = 0;
        for (std::size_t k = 0; k < 5; ++k) sum += std::exp(static_cast<double>(margin[5 * r + k]) - top);
        for (std::size_t k = 0; k < 5; ++k) {
            INFO("row " << r << ", class " << k);
            CHECK(block[5 * r + k] == row[k]);
            CHECK(block[5 * r + k] == Approx(std::exp(static_cast<double>(margin[5 * r + k]) - top) / sum).epsilon(1.2e-7));
        }
    }
}

TEST_CASE("the registry lists each objective once and refuses unknown names", "[trees][objective]") {
    std::map<std::string, int> seen;
    for (const auto& info : shelf::gbt::objective_infos()) ++seen[info.name];
    CHECK(seen.size() == 12);
    for (const auto& [name, count] : seen) CHECK(count == 1);
    SECTION("reg:linear is XGBoost's old name of reg:squarederror") {
        CHECK(std::string(shelf::gbt::find_objective("reg:linear").name) == "reg:squarederror");
    }
    SECTION("an unknown objective names the valid ones") {
        REQUIRE_THROWS_WITH(shelf::gbt::find_objective("binary:logit"),
                            Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("binary:logistic") &&
                                Catch::Contains("reg:tweedie"));
    }
}

TEST_CASE("base_score maps to a margin that transforms back to it", "[trees][objective]") {
    ObjectiveSettings s;
    s.num_class = 3;
    for (const auto& info : shelf::gbt::objective_infos()) {
        if (info.multiclass || std::string(info.name) == "binary:hinge") continue;
        DYNAMIC_SECTION(info.name) {
            std::visit(
                [&](const auto& obj) {
                    using Objective = std::decay_t<decltype(obj)>;
                    if constexpr (!std::is_base_of_v<shelf::gbt::objectives::SoftmaxBase, Objective>) {
                        for (const double base : {0.2, 0.5, 0.9}) {
                            double v = obj.margin_of(base);
                            if (std::string(info.name) != "binary:logitraw") obj.transform(&v);
                            CHECK(v == Approx(base));
                        }
                    }
                },
                shelf::gbt::make_objective(info.name, s));
        }
    }
    SECTION("a base_score outside the objective's range is refused") {
        REQUIRE_THROWS_WITH(shelf::gbt::check_base_score(shelf::gbt::find_objective("binary:logistic"), 1.0),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("(0, 1)"));
        REQUIRE_THROWS_WITH(shelf::gbt::check_base_score(shelf::gbt::find_objective("count:poisson"), 0.0),
                            Catch::Contains("> 0"));
        REQUIRE_NOTHROW(shelf::gbt::check_base_score(shelf::gbt::find_objective("reg:squarederror"), -4.0));
    }
}

TEST_CASE("label rules follow each objective's domain", "[trees][objective]") {
    using shelf::gbt::find_objective;
    using shelf::gbt::label_ok;
    CHECK(label_ok(find_objective("binary:logistic"), 1.0f, 0));
    CHECK_FALSE(label_ok(find_objective("binary:logistic"), 0.5f, 0));  // binary means 0 or 1 here
    CHECK(label_ok(find_objective("reg:logistic"), 0.5f, 0));
    CHECK_FALSE(label_ok(find_objective("reg:logistic"), 1.5f, 0));
    CHECK(label_ok(find_objective("multi:softprob"), 2.0f, 3));
    CHECK_FALSE(label_ok(find_objective("multi:softprob"), 3.0f, 3));
    CHECK_FALSE(label_ok(find_objective("multi:softprob"), 1.5f, 3));
    CHECK(label_ok(find_objective("count:poisson"), 0.0f, 0));
    CHECK_FALSE(label_ok(find_objective("count:poisson"), -1.0f, 0));
    CHECK_FALSE(label_ok(find_objective("reg:gamma"), 0.0f, 0));
    CHECK_FALSE(label_ok(find_objective("reg:squarederror"), NAN, 0));
}
