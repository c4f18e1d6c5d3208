// The unrolled LSTM: its backward pass against finite differences of its forward pass, with two
// layers, dropout, a category embedding, a dynamic feature and the seasonal skip.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/forecast/features.hpp>
#include <shelf/forecast/fit.hpp>
#include <shelf/forecast/network.hpp>

namespace {

namespace dp = shelf::deepar;
using shelf::Index;

struct NetworkCase {
    dp::Params params;
    std::vector<shelf::Series<double>> series;
};

NetworkCase network_case(dp::Likelihood likelihood) {
    NetworkCase c;
    c.params.time_freq = dp::TimeFreq::month;  // 19 lags, a short history
    c.params.prediction_length = 3;
    c.params.context_length = 4;
    c.params.epochs = 1;
    c.params.num_cells = 3;
    c.params.num_layers = 2;
    c.params.embedding_dimension = 2;
    c.params.cardinality.value = std::vector<int>{3};
    c.params.num_dynamic_feat.value = 1;
    c.params.likelihood = likelihood;
    c.params.dropout_rate = 0.3;
    shelf::Rng rng(5);
    for (int i = 0; i < 3; ++i) {
        shelf::Series<double> s;
        s.start = {2010, 1 + i, 1, 0, 0, 0};
        s.target.resize(30);
        for (Index t = 0; t < 30; ++t) s.target[t] = 5 + i + std::sin(double(t)) + 0.3 * rng.normal();
        s.cat = {i};
        s.dynamic_feat = shelf::RowMatrix<double>::Random(1, 30);
        c.series.push_back(s);
    }
    return c;
}

}  // namespace

TEST_CASE("the LSTM's gradient matches finite differences of its loss", "[forecast][network]") {
    const auto likelihood = GENERATE(dp::Likelihood::student_t, dp::Likelihood::gaussian);
    const auto scaling = GENERATE(dp::Scaling::mean, dp::Scaling::standard);
    const bool skip = GENERATE(false, true);
    NetworkCase c = network_case(likelihood);
    c.params.scaling = scaling;
    c.params.seasonal_skip = skip;
    const dp::detail::Inputs in(c.params);
    const dp::detail::Layout shape = dp::Model<double>::layout(c.params);
    CHECK(shape.skips == (skip ? 14 : 0));  // the monthly lags from 3 on: 3 ... 7, 11 ... 13, 23 ... 25, 35 ... 37
    shelf::Rng init(1);
    shelf::Vector<double> weights = dp::detail::initial_weights<double>(shape, init);
    for (Index s = 0; s < shape.skips; ++s) weights[shape.skip() + s] = 0.1 * init.normal();
    const Index L = in.context + in.prediction;
    dp::detail::Window<double> w;
    w.resize(3, L, in.max_lag, in.covariates(), in.num_cat());
    w.known = L;
    for (Index r = 0; r < 3; ++r)
        dp::detail::fill_row(w, r, c.series[static_cast<std::size_t>(r)], 10 + 3 * r,
                             dp::detail::Affine{scaling == dp::Scaling::standard ? 4.0 + double(r) : 0.0, 2.0 + double(r)}, in);
    dp::detail::Unroll<double> unroll;
    // The same dropout masks in every evaluation: a generator started afresh from one seed.
    const auto loss_at = [&](const shelf::Vector<double>& x) {
        dp::detail::Window<double> copy = w;
        shelf::Rng dropout(9);
        double count = 0;
        return unroll.forward(shape, x.data(), copy, in.lags, likelihood, c.params.dropout_rate,
                              dp::detail::Pass::train, &dropout, count);
    };
    shelf::Vector<double> grad = shelf::Vector<double>::Zero(shape.size());
    {
        dp::detail::Window<double> copy = w;
        shelf::Rng dropout(9);
        double count = 0;
        (void)unroll.forward(shape, weights.data(), copy, in.lags, likelihood, c.params.dropout_rate,
                             dp::detail::Pass::train, &dropout, count);
        REQUIRE(count == double(3 * L));
        unroll.backward(shape, weights.data(), copy, in.lags, grad.data());
    }
    Index checked = 0;
    double worst = 0;
    for (Index k = 0; k < shape.size(); ++k) {
        const double h = 1e-6;
        shelf::Vector<double> up = weights, down = weights;
        up[k] += h, down[k] -= h;
        const double numeric = (loss_at(up) - loss_at(down)) / (2 * h);
        worst = std::max(worst, std::abs(numeric - grad[k]) / std::max(1.0, std::abs(numeric)));
        checked += 1;
    }
    INFO(checked << " weights; the largest relative difference is " << worst);
    CHECK(worst < 1e-6);
    // Every group has a gradient: embeddings, both layers, the projection.
    CHECK(grad.segment(0, shape.layer_weights(0)).norm() > 0);
    CHECK(grad.segment(shape.layer_weights(1), shape.projection() - shape.layer_weights(1)).norm() > 0);
    CHECK(grad.segment(shape.projection(), shape.skip() - shape.projection()).norm() > 0);
    if (skip) CHECK(grad.segment(shape.skip(), shape.skips).norm() > 0);
}

TEST_CASE("the learning rate decays after patience epochs without a lower loss", "[forecast][network]") {
    dp::detail::Plateau s(0.01, 0.5, 2, 0.002);
    CHECK(s.after_epoch(3.0) == 0.01);
    CHECK(s.after_epoch(2.0) == 0.01);
    CHECK(s.after_epoch(2.5) == 0.01);
    CHECK(s.after_epoch(2.4) == 0.005);  // two epochs above the best 2.0
    CHECK(s.after_epoch(2.1) == 0.005);
    CHECK(s.after_epoch(1.0) == 0.005);  // a new best resets the count
    CHECK(s.after_epoch(1.5) == 0.005);
    CHECK(s.after_epoch(1.5) == 0.0025);
    CHECK(s.after_epoch(1.5) == 0.0025);
    CHECK(s.after_epoch(1.5) == 0.002);  // the floor
    dp::detail::Plateau below(0.001, 0.5, 1, 0.01);  // a floor above the rate never raises it
    (void)below.after_epoch(1.0);
    CHECK(below.after_epoch(1.0) == 0.001);
}

TEST_CASE("sample paths run the steps they share once, and draw as if each ran them", "[forecast][network]") {
    const NetworkCase c = network_case(dp::Likelihood::student_t);
    const dp::detail::Inputs in(c.params);
    const dp::detail::Layout shape = dp::Model<double>::layout(c.params);
    shelf::Rng init(3);
    const shelf::Vector<double> weights = dp::detail::initial_weights<double>(shape, init);
    shelf::Series<double> s = c.series[1];
    const Index missing = GENERATE(Index(-1), Index(2));  // none, or the context's third point
    if (missing >= 0) s.target[20 + missing] = std::nan("");
    const auto sample = [&](Index shared) {
        dp::detail::Window<double> w;
        w.resize(6, in.context + in.prediction, in.max_lag, in.covariates(), in.num_cat());
        w.known = in.context;
        w.loss_from = w.steps;
        dp::detail::fill_row(w, 0, s, 20, dp::detail::Affine{0, 4.0}, in);
        dp::detail::copy_row_to_all(w, 0);
        w.shared = shared;
        shelf::Rng rng(11);
        double count = 0;
        shelf::RowMatrix<double> paths(6, in.prediction);
        dp::detail::Unroll<double> unroll;
        unroll.forward(shape, weights.data(), w, in.lags, c.params.likelihood, 0.0, dp::detail::Pass::sample, &rng,
                       count, &paths);
        return paths;
    };
    const shelf::RowMatrix<double> each = sample(0), once = sample(missing >= 0 ? missing : in.context);
    CHECK((each - once).cwiseAbs().maxCoeff() <= 1e-9 * each.cwiseAbs().maxCoeff());
    CHECK(each.col(0).maxCoeff() > each.col(0).minCoeff());  // the paths part after the context
}
