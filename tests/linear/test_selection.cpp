// Model selection and the binary threshold, by each selection criterion.
#include <algorithm>
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <shelf/linear.hpp>
#include <shelf/metrics.hpp>

#include "synthetic.hpp"

using namespace shelf::linear;
using shelf::Index;
using synthetic::params;

namespace {

struct Split {
    synthetic::Data<double> train, valid;
};

const Split& noisy() {
    static const auto all = synthetic::logistic<double>(11000, 5, 21);
    static const Split s{synthetic::rows(all, 0, 8000), synthetic::rows(all, 8000, 3000)};
    return s;
}

/// The rule of detail::kept_model, restated: the kept model's criterion is within one binomial
/// standard error (on `rows`) of the best, and no model in that band has a lower loss.
void require_kept_by_rule(const FitReport& report, double rows) {
    double top = 0;
    for (const auto& c : report.models) top = std::max(top, c.metric);
    const double band = top - std::sqrt(top * (1 - top) / rows);
    const auto& kept = report.models[std::size_t(report.selected)];
    REQUIRE(kept.metric >= band);
    for (const auto& c : report.models)
        if (c.metric >= band) REQUIRE(kept.loss <= c.loss);
}

Model<double> train_with(SelectionCriteria criteria, void (*tweak)(Params&) = nullptr) {
    Params p = params(PredictorType::binary_classifier);
    p.binary_classifier_model_selection_criteria = criteria;
    if (tweak) tweak(p);
    return fit(noisy().train.X, noisy().train.y, p, {noisy().valid.X, noisy().valid.y});
}

shelf::Vector<double> probability(const Model<double>& m, const shelf::RowMatrix<double>& X) {
    return m.score(X).col(0);
}

/// The model classifies the validation rows exactly as `threshold` does, and its own
/// threshold lies between that score and the next lower one (out of reach of rounding).
void splits_like(const Model<double>& model, double threshold) {
    const shelf::Vector<double> p = probability(model, noisy().valid.X);
    REQUIRE(model.predict(noisy().valid.X) == shelf::Vector<double>((p.array() >= threshold).cast<double>()));
    REQUIRE(model.threshold() <= threshold);
    for (Index i = 0; i < p.size(); ++i)
        if (p[i] < threshold) REQUIRE(p[i] < model.threshold());
}

}  // namespace

TEST_CASE("the threshold is tuned on the validation channel for the criterion", "[linear][selection]") {
    const auto& y = noisy().valid.y;
    SECTION("precision_at_target_recall really attains the target recall on validation") {
        const auto model = train_with(SelectionCriteria::precision_at_target_recall,
                                      [](Params& p) { p.target_recall = 0.9; });
        const shelf::Vector<double> predicted = model.predict(noisy().valid.X);
        REQUIRE(shelf::metrics::recall(y, predicted) >= 0.9);
        // ... and among the thresholds that do, the one with the best precision.
        const auto best = shelf::metrics::precision_at_recall(y, probability(model, noisy().valid.X), 0.9);
        splits_like(model, best.threshold);
        REQUIRE(shelf::metrics::precision(y, predicted) == Approx(best.precision));
        REQUIRE(model.report().models[std::size_t(model.report().selected)].metric == Approx(best.precision));
    }
    SECTION("recall_at_target_precision really attains the target precision on validation") {
        const auto model = train_with(SelectionCriteria::recall_at_target_precision,
                                      [](Params& p) { p.target_precision = 0.85; });
        const shelf::Vector<double> predicted = model.predict(noisy().valid.X);
        REQUIRE(shelf::metrics::precision(y, predicted) >= 0.85);
        REQUIRE(shelf::metrics::recall(y, predicted) > 0.1);
    }
    SECTION("f_beta takes the threshold of the best F-beta") {
        const auto model = train_with(SelectionCriteria::f_beta, [](Params& p) { p.f_beta = 2.0; });
        const auto best = shelf::metrics::best_f_beta_threshold(y, probability(model, noisy().valid.X), 2.0);
        splits_like(model, best.threshold);
        REQUIRE(shelf::metrics::f_beta(y, model.predict(noisy().valid.X), 2.0) == Approx(best.f_beta));
    }
    SECTION("accuracy takes a threshold no worse than 0.5 on validation") {
        const auto model = train_with(SelectionCriteria::accuracy);
        const shelf::Vector<double> p = probability(model, noisy().valid.X);
        const double tuned = shelf::metrics::accuracy(y, model.predict(noisy().valid.X));
        const double half = shelf::metrics::accuracy(y, shelf::Vector<double>((p.array() >= 0.5).cast<double>()));
        REQUIRE(tuned >= half);
        REQUIRE(model.report().models[std::size_t(model.report().selected)].metric == Approx(tuned));
    }
    SECTION("loss_function keeps 0.5, and the model with the lowest validation loss") {
        const auto model = train_with(SelectionCriteria::loss_function);
        REQUIRE(model.threshold() == 0.5);
        const auto& models = model.report().models;
        for (const auto& c : models) REQUIRE(models[std::size_t(model.report().selected)].metric <= c.metric);
    }
}

TEST_CASE("the model kept is the best of the sweep on the selection data", "[linear][selection]") {
    const auto model = train_with(SelectionCriteria::f_beta);
    const auto& report = model.report();
    REQUIRE(report.on_validation);
    require_kept_by_rule(report, double(noisy().valid.X.rows()));
    SECTION("its reported metric is what evaluate() finds on the same data") {
        const auto metrics = evaluate(model, noisy().valid.X, noisy().valid.y);
        REQUIRE(metrics[2].first == "binary_f_beta");
        REQUIRE(metrics[2].second == Approx(report.models[std::size_t(report.selected)].metric));
    }
    SECTION("without a validation channel, selection uses the training data") {
        const auto on_train = fit(noisy().train.X, noisy().train.y, params(PredictorType::binary_classifier));
        REQUIRE_FALSE(on_train.report().on_validation);
        const double accuracy = shelf::metrics::accuracy(noisy().train.y, on_train.predict(noisy().train.X));
        REQUIRE(on_train.report().models[std::size_t(on_train.report().selected)].metric == Approx(accuracy));
    }
}

TEST_CASE("regressors and multiclass classifiers select by their own measures", "[linear][selection]") {
    SECTION("a regressor keeps the model with the lowest loss on the selection data") {
        const auto all = synthetic::regression<double>(4000, 4, 1.0, 23);
        const auto train = synthetic::rows(all, 0, 3000), valid = synthetic::rows(all, 3000, 1000);
        const auto model = fit(train.X, train.y, params(PredictorType::regressor), {valid.X, valid.y});
        const auto& report = model.report();
        const double mse = shelf::metrics::mse(valid.y, model.predict(valid.X));
        REQUIRE(report.models[std::size_t(report.selected)].metric == Approx(mse).epsilon(1e-6));
        for (const auto& c : report.models) REQUIRE(report.models[std::size_t(report.selected)].metric <= c.metric);
    }
    SECTION("a multiclass classifier keeps the most accurate model") {
        const auto train = synthetic::softmax<double>(3000, 4, 3, 25);
        Params p = params(PredictorType::multiclass_classifier);
        p.num_classes = 3;
        const auto model = fit(train.X, train.y, p);
        const double accuracy = shelf::metrics::accuracy(train.y, model.predict(train.X));
        const auto& report = model.report();
        REQUIRE(report.models[std::size_t(report.selected)].metric == Approx(accuracy));
        require_kept_by_rule(report, double(train.X.rows()));
    }
}

TEST_CASE("models the criterion cannot tell apart are told apart by their loss", "[linear][selection]") {
    using detail::kept_model;
    // On 10,000 rows one standard error of an accuracy of 0.85 is 0.0036: models 1 and 2 tie.
    const std::vector<double> metric{0.80, 0.85, 0.849, 0.70}, loss{0.10, 0.50, 0.40, 0.05};
    REQUIRE(kept_model(metric, loss, true, true, 10000) == 2);
    REQUIRE(kept_model(metric, loss, true, false, 10000) == 1);     // losses that do not compare
    REQUIRE(kept_model(metric, loss, true, true, 10000000) == 1);  // on 10^7 rows, 0.001 is not noise
    REQUIRE(kept_model(metric, loss, false, true, 10000) == 3);     // a minimised criterion: its least
    const std::vector<double> with_nan{std::nan(""), 0.85, 0.85}, losses{0.0, 0.3, 0.2};
    REQUIRE(kept_model(with_nan, losses, true, true, 100) == 2);
}
