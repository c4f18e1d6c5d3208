// Every loss of the registry: its derivative against finite differences, and known values.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <type_traits>
#include <vector>

#include <shelf/linear/losses.hpp>

using namespace shelf::linear;
using Array1 = Eigen::Array<double, 1, 1>;
using shelf::Index;

namespace {

/// The value of a 1 × 1 array expression.
template <class E>
double at(const E& e) {
    return Array1(e)(0);
}

/// An element-wise loss at score s and label y, and its derivative there.
template <class L>
double value(const L& loss, double s, double y) {
    return at(loss.value(Array1::Constant(s), y));
}
template <class L>
double derivative(const L& loss, double s, double y) {
    return at(loss.derivative(Array1::Constant(s), y));
}

const LossSettings settings{1.0, 0.3, 0.7, 0.2};  // margin, quantile, huber_delta, insensitivity

}  // namespace

TEST_CASE("every loss's gradient matches central finite differences", "[linear][losses]") {
    int losses_checked = 0;
    for_each_loss(settings, [&](const auto& loss) {
        using L = std::decay_t<decltype(loss)>;
        const double h = 1e-6;
        int checked = 0, points = 0;
        if constexpr (std::is_same_v<L, losses::Softmax>) {
            const auto softmax_value = [&](Eigen::ArrayXd s, Index y) {
                double total = 0;
                loss.evaluate(s, 3, y, &total, false);
                return total;
            };
            const std::vector<Eigen::ArrayXd> scores{Eigen::Array3d(0.1, -0.4, 2.0), Eigen::Array3d(3.0, 3.0, -1.0),
                                                     Eigen::Array3d(-20.0, 5.0, 0.0)};
            for (const auto& s : scores)
                for (Index y = 0; y < 3; ++y) {
                    Eigen::ArrayXd g = s;
                    loss.evaluate(g, 3, y, nullptr, true);
                    for (Index c = 0; c < 3; ++c) {
                        Eigen::ArrayXd up = s, down = s;
                        up[c] += h;
                        down[c] -= h;
                        const double numeric = (softmax_value(up, y) - softmax_value(down, y)) / (2 * h);
                        REQUIRE(g[c] == Approx(numeric).margin(1e-6));
                        ++checked, ++points;
                    }
                    REQUIRE(g.sum() == Approx(0).margin(1e-12));  // probabilities minus a one-hot
                }
            // A row of two models is each model on its own.
            Eigen::ArrayXd row(6);
            row << scores[0], scores[2];
            double pair[2] = {0, 0};
            loss.evaluate(row, 3, 1, pair, true);
            REQUIRE(pair[0] == Approx(softmax_value(scores[0], 1)));
            REQUIRE(pair[1] == Approx(softmax_value(scores[2], 1)));
        } else {
            const std::vector<double> labels = L::target == PredictorType::binary_classifier
                                                   ? std::vector<double>{0.0, 1.0}
                                                   : std::vector<double>{-1.3, 0.4, 2.0};
            for (const double y : labels)
                for (double s = -3.05; s < 3.0; s += 0.1) {
                    ++points;
                    const double left = (value(loss, s, y) - value(loss, s - h, y)) / h;
                    const double right = (value(loss, s + h, y) - value(loss, s, y)) / h;
                    if (std::abs(left - right) > 1e-4) continue;  // a kink: no derivative to compare
                    const double central = (value(loss, s + h, y) - value(loss, s - h, y)) / (2 * h);
                    INFO("loss " << shelf::detail::format_value(L::id) << ", s = " << s << ", y = " << y);
                    REQUIRE(derivative(loss, s, y) == Approx(central).margin(1e-6));
                    ++checked;
                }
        }
        INFO("loss " << shelf::detail::format_value(L::id));
        REQUIRE(checked >= points * 9 / 10);  // kinks are rare on the grid
        ++losses_checked;
    });
    REQUIRE(losses_checked == 9);
}

TEST_CASE("losses take the values their definitions give", "[linear][losses]") {
    SECTION("logistic is log 2 at a zero score, and stable for large scores") {
        REQUIRE(value(losses::Logistic{}, 0.0, 1.0) == Approx(std::log(2.0)));
        REQUIRE(value(losses::Logistic{}, 50.0, 1.0) == Approx(0.0).margin(1e-12));
        REQUIRE(value(losses::Logistic{}, 50.0, 0.0) == Approx(50.0));
        REQUIRE(derivative(losses::Logistic{}, 0.0, 1.0) == Approx(-0.5));
    }
    SECTION("hinge is the distance inside the margin, for labels 0 and 1 alike") {
        REQUIRE(value(losses::Hinge{1.0}, 0.25, 1.0) == Approx(0.75));
        REQUIRE(value(losses::Hinge{1.0}, -0.25, 0.0) == Approx(0.75));
        REQUIRE(value(losses::Hinge{1.0}, 2.0, 1.0) == 0.0);
        REQUIRE(value(losses::Hinge{0.5}, 0.0, 1.0) == Approx(0.5));
    }
    SECTION("regression losses") {
        REQUIRE(value(losses::Squared{}, 3.0, 1.0) == Approx(4.0));
        REQUIRE(value(losses::Absolute{}, -1.0, 1.5) == Approx(2.5));
        REQUIRE(value(losses::EpsInsensitiveAbsolute{0.2}, 2.0, 1.0) == Approx(0.8));
        REQUIRE(value(losses::EpsInsensitiveAbsolute{0.2}, 1.1, 1.0) == 0.0);
        REQUIRE(value(losses::EpsInsensitiveSquared{0.2}, 2.0, 1.0) == Approx(0.64));
        REQUIRE(value(losses::Quantile{0.3}, 1.0, 2.0) == Approx(0.3));  // under-prediction costs tau
        REQUIRE(value(losses::Quantile{0.3}, 2.0, 1.0) == Approx(0.7));  // over-prediction 1 - tau
        REQUIRE(value(losses::Huber{0.7}, 1.5, 1.0) == Approx(0.125));   // quadratic inside delta
        REQUIRE(value(losses::Huber{0.7}, 3.0, 1.0) == Approx(0.7 * (2.0 - 0.35)));
    }
    SECTION("softmax of equal scores is log of the class count, and stable for large scores") {
        const auto value_of = [](Eigen::ArrayXd s, Index y) {
            double total = 0;
            losses::Softmax{}.evaluate(s, 3, y, &total, false);
            return total;
        };
        REQUIRE(value_of(Eigen::Array3d(2.0, 2.0, 2.0), 1) == Approx(std::log(3.0)));
        REQUIRE(value_of(Eigen::Array3d(1000.0, 0.0, 0.0), 0) == Approx(0.0).margin(1e-12));
        REQUIRE(value_of(Eigen::Array3d(1000.0, 0.0, 0.0), 1) == Approx(1000.0));
    }
}

TEST_CASE("the registry lists each loss once, for the predictor type it trains", "[linear][losses]") {
    std::set<Loss> seen;
    for_each_loss(settings, [&](const auto& loss) { seen.insert(std::decay_t<decltype(loss)>::id); });
    REQUIRE(seen.size() == 9);
    REQUIRE(target_of(Loss::logistic) == PredictorType::binary_classifier);
    REQUIRE(target_of(Loss::hinge_loss) == PredictorType::binary_classifier);
    REQUIRE(target_of(Loss::softmax_loss) == PredictorType::multiclass_classifier);
    for (Loss l : {Loss::squared_loss, Loss::absolute_loss, Loss::eps_insensitive_squared_loss,
                   Loss::eps_insensitive_absolute_loss, Loss::quantile_loss, Loss::huber_loss})
        REQUIRE(target_of(l) == PredictorType::regressor);
    SECTION("auto picks logistic, softmax_loss and squared_loss") {
        REQUIRE(default_loss(PredictorType::binary_classifier) == Loss::logistic);
        REQUIRE(default_loss(PredictorType::multiclass_classifier) == Loss::softmax_loss);
        REQUIRE(default_loss(PredictorType::regressor) == Loss::squared_loss);
    }
    SECTION("a loss of another predictor type is an error that lists the valid ones") {
        REQUIRE_NOTHROW(require_loss_for(Loss::hinge_loss, PredictorType::binary_classifier));
        REQUIRE_THROWS_WITH(require_loss_for(Loss::squared_loss, PredictorType::binary_classifier),
                            Catch::Contains("shelf.invalid_argument.105") &&
                                Catch::Contains("loss = squared_loss does not train a binary_classifier") &&
                                Catch::Contains("expected one of logistic, hinge_loss"));
        REQUIRE_THROWS_WITH(require_loss_for(Loss::logistic, PredictorType::multiclass_classifier),
                            Catch::Contains("expected one of softmax_loss"));
    }
}
