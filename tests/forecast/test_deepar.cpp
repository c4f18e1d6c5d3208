// The forecaster end to end: it beats seasonal naive on a synthetic panel, handles missing
// values and cold starts, is reproducible, round-trips, and names the series and field of bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <shelf/core/params.hpp>
#include <shelf/core/random.hpp>
#include <shelf/forecast.hpp>
#include <shelf/metrics/forecasting.hpp>

namespace {

namespace dp = shelf::deepar;
using shelf::Index;
using shelf::Series;

/// `count` hourly series: a daily cycle whose level and amplitude depend on the series'
/// category, with noise.
std::vector<Series<float>> panel(int count, Index length, std::uint64_t seed) {
    shelf::Rng rng(seed);
    std::vector<Series<float>> out;
    for (int i = 0; i < count; ++i) {
        Series<float> s;
        s.start = {2021, 3, 1 + i % 20, 0, 0, 0};
        s.cat = {i % 4};
        const double level = 20.0 * (1 + i % 4), phase = 0.3 * (i % 5);
        s.target.resize(length);
        for (Index t = 0; t < length; ++t)
            s.target[t] = static_cast<float>(level * (1 + 0.6 * std::sin(2 * M_PI * double(t) / 24 + phase)) +
                                             0.1 * level * rng.normal());
        out.push_back(s);
    }
    return out;
}

dp::Params small_params() {
    dp::Params p;
    p.time_freq = dp::TimeFreq::hour;
    p.prediction_length = 12;
    p.context_length = 24;
    p.epochs = 6;
    p.num_batches_per_epoch = 12;
    p.mini_batch_size = 32;
    p.num_cells = 16;
    p.num_layers = 2;
    p.embedding_dimension = 3;
    p.num_eval_samples = 50;
    p.learning_rate = 0.01;
    p.seed = 3;
    return p;
}

/// Mean wQL over 0.1 … 0.9 of seasonal naive (the last day repeated, every quantile at it).
double seasonal_naive_wql(const std::vector<Series<float>>& test, Index P) {
    std::vector<float> y, q;
    for (const auto& s : test) {
        const Index n = s.target.size();
        for (Index t = 0; t < P; ++t) y.push_back(s.target[n - P + t]), q.push_back(s.target[n - P - 24 + t]);
    }
    const Eigen::Map<const shelf::Vector<float>> Y(y.data(), static_cast<Index>(y.size())), Q(q.data(), static_cast<Index>(q.size()));
    double sum = 0;
    for (int k = 1; k <= 9; ++k) sum += shelf::metrics::weighted_quantile_loss(Y, Q, k / 10.0);
    return sum / 9;
}

double metric(const shelf::Metrics& m, const std::string& name) {
    for (const auto& [key, value] : m)
        if (key == name) return value;
    FAIL("no metric " << name);
    return 0;
}

std::string saved(const dp::Model<float>& m) {
    std::ostringstream out;
    m.save(out);
    return out.str();
}

}  // namespace

TEST_CASE("the forecaster beats seasonal naive on a synthetic panel", "[forecast][deepar]") {
    const auto train = panel(16, 24 * 12, 1);
    const dp::Model<float> model = dp::fit(train, small_params());
    const shelf::Metrics m = dp::evaluate(model, train);
    const double naive = seasonal_naive_wql(train, 12);
    INFO("deepar mean wQL " << metric(m, "mean_wQuantileLoss") << ", seasonal naive " << naive);
    CHECK(metric(m, "mean_wQuantileLoss") < naive);
    CHECK(m.size() == 2 + 9);
    CHECK(m[2].first == "wQuantileLoss[0.1]");
    CHECK(model.report().training_loss.back() < model.report().training_loss.front());
}

TEST_CASE("forecasts have the requested shape, ordered quantiles and the next timestamp", "[forecast][deepar]") {
    const auto train = panel(8, 24 * 6, 2);
    dp::Params p = small_params();
    p.epochs = 1;
    p.num_batches_per_epoch = 2;
    const dp::Model<float> model = dp::fit(train, p);
    dp::ForecastOptions options;
    options.num_samples = 40;
    options.quantiles = {0.05, 0.5, 0.95};
    options.samples = true;
    const auto forecasts = model.forecast(train, options);
    REQUIRE(forecasts.size() == train.size());
    const auto& f = forecasts[0];
    CHECK(f.start == shelf::Timestamp{2021, 3, 7, 0, 0, 0});  // 144 hours after 2021-03-01
    REQUIRE(f.mean.size() == 12);
    REQUIRE(f.quantiles.rows() == 12);
    REQUIRE(f.quantiles.cols() == 3);
    REQUIRE(f.samples.rows() == 40);
    for (Index t = 0; t < 12; ++t) {
        CHECK(f.quantiles(t, 0) <= f.quantiles(t, 1));
        CHECK(f.quantiles(t, 1) <= f.quantiles(t, 2));
        CHECK(f.mean[t] == Approx(f.samples.col(t).mean()));
    }
    dp::OutputTypes types;
    types.samples = true;
    const auto out = dp::outputs(model, train, options, types);
    REQUIRE(out.size() == 5);
    CHECK(out[0].name == "mean");
    CHECK(out[1].name == "quantiles.0.05");
    CHECK(out[4].name == "samples");
    CHECK(out[4].sublist == 12);
    CHECK(out[4].values.row(0) == Eigen::Map<const shelf::RowMatrix<float>>(f.samples.data(), 1, 40 * 12).cast<double>());
    const auto only = dp::outputs(model, train, options, dp::OutputTypes::parse({"quantiles"}));
    REQUIRE(only.size() == 3);
    CHECK(only[0].name == "quantiles.0.05");
    CHECK_THROWS_WITH(dp::OutputTypes::parse({"mean", "median"}), Catch::Contains("unknown type \"median\""));
    CHECK_THROWS_WITH(dp::OutputTypes::parse({"mean", "mean"}), Catch::Contains("\"mean\" is given twice"));
}

TEST_CASE("missing targets are left out of the loss and filled by the model", "[forecast][deepar]") {
    auto train = panel(8, 24 * 6, 3);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (auto& s : train)
        for (Index t = 5; t < s.target.size(); t += 7) s.target[t] = nan;
    train[0].target.tail(10).setConstant(nan);  // the context's end is missing: sampled
    dp::Params p = small_params();
    p.epochs = 1;
    p.num_batches_per_epoch = 4;
    const dp::Model<float> model = dp::fit(train, p);
    for (double loss : model.report().training_loss) CHECK(std::isfinite(loss));
    for (const auto& f : model.forecast(train)) CHECK(f.mean.allFinite());
}

TEST_CASE("a series with no points is forecast from its category", "[forecast][deepar]") {
    const auto train = panel(8, 24 * 6, 4);
    dp::Params p = small_params();
    p.epochs = 2;
    p.num_batches_per_epoch = 4;
    const dp::Model<float> model = dp::fit(train, p);
    Series<float> fresh;
    fresh.start = {2021, 5, 1, 0, 0, 0};
    fresh.cat = {3};
    Series<float> one = fresh;
    one.target = shelf::Vector<float>::Constant(1, 80.0f);
    const auto f = model.forecast({fresh, one});
    CHECK(f[0].mean.allFinite());
    CHECK(f[1].mean.allFinite());
    // Category 3's series sit near 80; the cold start should be of that size, not of category 0's 20.
    CHECK(f[0].mean.mean() > 40);
    fresh.cat.clear();
    dp::Params no_cat = p;
    no_cat.cardinality.value = std::vector<int>{};
    auto plain = train;
    for (auto& s : plain) s.cat.clear();
    const dp::Model<float> without = dp::fit(plain, no_cat);
    REQUIRE_THROWS_WITH(without.forecast({plain[0], fresh}),
                        Catch::Contains("shelf.data_error.201") && Catch::Contains("series 2 (1-based)") &&
                            Catch::Contains("no observed point") && Catch::Contains("cold-start"));
}

TEST_CASE("the same seed gives the same model on any thread count, and it round-trips", "[forecast][deepar]") {
    const auto train = panel(8, 24 * 6, 5);
    dp::Params p = small_params();
    p.epochs = 1;
    p.num_batches_per_epoch = 3;
    p.mini_batch_size = 70;  // three chunks of windows
    p.num_threads = 1;
    const dp::Model<float> a = dp::fit(train, p);
    p.num_threads = 2;
    const dp::Model<float> b = dp::fit(train, p);
    CHECK(a.weights() == b.weights());  // the files differ in num_threads alone
    p.seed = 4;
    CHECK(saved(dp::fit(train, p)) != saved(a));

    std::istringstream in(saved(a));
    const dp::Model<float> back = dp::Model<float>::load(in);
    CHECK(back == a);
    CHECK(back.forecast(train)[3].mean == a.forecast(train)[3].mean);
    CHECK(back.params().cardinality.value == std::vector<int>{4});
    CHECK(back.params().num_dynamic_feat.value == 0);
}

TEST_CASE("cardinality and num_dynamic_feat = ignore leave the series' cat and dynamic_feat unread",
          "[forecast][deepar]") {
    auto with = panel(8, 24 * 6, 8);
    shelf::Rng rng(8);
    for (auto& s : with) {
        s.dynamic_feat = shelf::RowMatrix<float>(2, s.target.size());
        for (Index t = 0; t < s.dynamic_feat.size(); ++t) s.dynamic_feat.data()[t] = static_cast<float>(rng.normal());
    }
    auto without = with;
    for (auto& s : without) s.cat.clear(), s.dynamic_feat.resize(0, 0);
    dp::Params p = small_params();
    p.epochs = 1;
    p.num_batches_per_epoch = 3;
    const dp::Model<float> plain = dp::fit(without, p);
    const dp::Params ignoring = shelf::from_map({{"cardinality", "ignore"}, {"num_dynamic_feat", "Ignore"}}, p);
    CHECK(ignoring.cardinality.ignored);
    CHECK(ignoring.num_dynamic_feat.ignored);
    const dp::Model<float> model = dp::fit(with, ignoring);
    // The same network and draws as a model that never saw them.
    CHECK(model.weights() == plain.weights());
    CHECK(model.forecast(with)[2].mean == plain.forecast(without)[2].mean);
    // Features of any count, and categories out of any range, are left unread.
    with[0].cat = {99, 7};
    with[0].dynamic_feat.resize(5, 3);
    CHECK(model.forecast(with)[0].mean == plain.forecast(without)[0].mean);
    // Saved as "ignore", and read back so.
    CHECK(shelf::to_map(model.params()).at("cardinality") == "ignore");
    std::istringstream in(saved(model));
    const dp::Model<float> back = dp::Model<float>::load(in);
    CHECK(back.params().cardinality.ignored);
    CHECK(back.params().num_dynamic_feat.ignored);
    CHECK(back.forecast(with)[2].mean == model.forecast(with)[2].mean);
    REQUIRE_THROWS_WITH(shelf::from_map<dp::Params>({{"cardinality", "ignored"}}, p),
                        Catch::Contains("cardinality") && Catch::Contains("'auto', 'ignore' or a list"));
}

TEST_CASE("time_features = auto reads the frequency's calendar features whose cycle training spans",
          "[forecast][deepar]") {
    using F = dp::TimeFeature;
    dp::Params p = small_params();
    p.epochs = 1;
    p.num_batches_per_epoch = 1;
    const auto resolved = [&](Index hours) { return *dp::fit(panel(2, hours, 9), p).params().time_features; };
    // A week of hours: a day of month or of the year would only be met beyond training.
    CHECK(resolved(24 * 7) == std::vector<F>{F::hour_of_day, F::day_of_week});
    CHECK(resolved(24 * 7 - 1) == std::vector<F>{F::hour_of_day});
    CHECK(resolved(24 * 31) == std::vector<F>{F::hour_of_day, F::day_of_week, F::day_of_month});
    CHECK(resolved(24 * 366) == std::vector<F>{F::hour_of_day, F::day_of_week, F::day_of_month, F::day_of_year});
    // A list given is read as given, and saved so.
    const dp::Params given = shelf::from_map({{"time_features", "[day_of_week, hour_of_day]"}}, p);
    const dp::Model<float> model = dp::fit(panel(2, 24 * 3, 9), given);
    CHECK(*model.params().time_features == std::vector<F>{F::day_of_week, F::hour_of_day});
    CHECK(shelf::to_map(model.params()).at("time_features") == "[day_of_week, hour_of_day]");
    std::istringstream in(saved(model));
    CHECK(dp::Model<float>::load(in) == model);
    REQUIRE_THROWS_WITH(shelf::from_map({{"time_features", "[hour_of_dya]"}}, p),
                        Catch::Contains("time_features") && Catch::Contains("hour_of_dya") &&
                            Catch::Contains("a list, each one of minute_of_hour, hour_of_day"));
}

TEST_CASE("age_feature = false: a forecast reads the last points alone, not the series' length",
          "[forecast][deepar]") {
    const auto train = panel(4, 24 * 6, 10);
    dp::Params p = small_params();
    p.epochs = 1;
    p.num_batches_per_epoch = 2;
    p.time_features = std::vector<dp::TimeFeature>{};
    auto longer = train;  // 100 more points before each series: lags and context read none of them
    for (auto& s : longer) {
        shelf::Vector<float> y(s.target.size() + 100);
        y << shelf::Vector<float>::Constant(100, 7.0f), s.target;
        s.target = y;
    }
    p.age_feature = false;
    const dp::Model<float> without = dp::fit(train, p);
    CHECK(without.forecast(longer)[1].mean == without.forecast(train)[1].mean);
    p.age_feature = true;
    const dp::Model<float> with = dp::fit(train, p);
    CHECK(with.forecast(longer)[1].mean != with.forecast(train)[1].mean);
}

TEST_CASE("validation series keep the best epoch and stop training early", "[forecast][deepar]") {
    const auto train = panel(8, 24 * 6, 6);
    dp::Params p = small_params();
    p.epochs = 30;
    p.num_batches_per_epoch = 3;
    p.learning_rate = 0.3;  // too large to keep improving
    p.early_stopping_patience = 2;
    const dp::Model<float> model = dp::fit(train, p, train);
    const auto& r = model.report();
    CHECK(r.validation_loss.size() == static_cast<std::size_t>(r.epochs_run));
    CHECK(r.stopped_early);
    CHECK(r.epochs_run < 30);
    CHECK(r.best_epoch == r.epochs_run - 2);
}

TEST_CASE("bad input names the series and the field", "[forecast][deepar]") {
    const auto train = panel(4, 24 * 3, 7);
    dp::Params p = small_params();
    p.epochs = 1;
    p.num_batches_per_epoch = 1;
    SECTION("an unknown time_freq lists the valid ones") {
        REQUIRE_THROWS_WITH(shelf::from_map<dp::Params>({{"time_freq", "Q"}, {"prediction_length", "3"},
                                                         {"context_length", "3"}, {"epochs", "1"}}),
                            Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("time_freq") &&
                                Catch::Contains("min, H, D, W, M"));
        REQUIRE_THROWS_WITH(shelf::from_map<dp::Params>({{"time_freq", "H"}}),
                            Catch::Contains("shelf.invalid_argument.104") && Catch::Contains("prediction_length"));
    }
    SECTION("a category id at or above the cardinality") {
        auto bad = train;
        bad[2].cat = {4};
        p.cardinality.value = std::vector<int>{4};
        REQUIRE_THROWS_WITH(dp::fit(bad, p), Catch::Contains("shelf.data_error.204") &&
                                                 Catch::Contains("series 3 (1-based)") &&
                                                 Catch::Contains("cat[0] = 4 is out of range"));
        const auto model = dp::fit(train, p);
        REQUIRE_THROWS_WITH(model.forecast(bad), Catch::Contains("series 3 (1-based)") && Catch::Contains("cat[0]"));
    }
    SECTION("dynamic features of the wrong length") {
        auto with = train;
        for (auto& s : with) s.dynamic_feat = shelf::RowMatrix<float>::Zero(1, s.target.size());
        const auto model = dp::fit(with, p);
        REQUIRE(model.params().num_dynamic_feat.value == 1);
        // Forecasting needs the features over the 12 steps ahead too.
        REQUIRE_THROWS_WITH(model.forecast(with), Catch::Contains("shelf.data_error.202") &&
                                                      Catch::Contains("series 1 (1-based)") &&
                                                      Catch::Contains("dynamic_feat has 72 values per feature; expected 84"));
        with[1].dynamic_feat = shelf::RowMatrix<float>::Zero(1, 5);
        REQUIRE_THROWS_WITH(dp::fit(with, p), Catch::Contains("series 2 (1-based)") && Catch::Contains("dynamic_feat"));
    }
    SECTION("a malformed start") {
        auto bad = train;
        bad[1].start.month = 13;
        REQUIRE_THROWS_WITH(dp::fit(bad, p), Catch::Contains("shelf.data_error.205") &&
                                                 Catch::Contains("series 2 (1-based)") && Catch::Contains("start"));
    }
    SECTION("targets outside the likelihood's support, or infinite") {
        auto bad = train;
        bad[0].target[3] = -1;
        p.likelihood = dp::Likelihood::negative_binomial;
        REQUIRE_THROWS_WITH(dp::fit(bad, p), Catch::Contains("target[3]") && Catch::Contains("negative-binomial"));
        bad[0].target[3] = std::numeric_limits<float>::infinity();
        REQUIRE_THROWS_WITH(dp::fit(bad, p), Catch::Contains("shelf.data_error.203") && Catch::Contains("target[3]"));
    }
    SECTION("no series long enough to train on") {
        p.prediction_length = 100;
        REQUIRE_THROWS_WITH(dp::fit(train, p), Catch::Contains("shelf.data_error.201") &&
                                                   Catch::Contains("longer than prediction_length = 100"));
    }
}

TEST_CASE("lags longer than the training windows reach are not read", "[forecast][deepar]") {
    // Series of 100 hours, windows of 24 + 12: lag 168 is never observed in training, and its
    // weights would keep their initial values, yet forecasts after a longer history read it.
    const auto train = panel(4, 100, 8);
    dp::Params p = small_params();
    p.epochs = 1;
    p.num_batches_per_epoch = 1;
    const dp::Model<float> model = dp::fit(train, p);
    CHECK(model.params().max_lag == 64);
    CHECK(model.lags() == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 23, 24, 25, 47, 48, 49});
    std::istringstream in(saved(model));
    CHECK(dp::Model<float>::load(in).lags() == model.lags());
    p.max_lag = 24;
    CHECK(dp::fit(train, p).lags() == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 23, 24});
    p.max_lag.reset();
    CHECK(dp::fit(panel(4, 30, 8), p).params().max_lag == 7);
}

TEST_CASE("scaling = standard reads each window as (y - mean) / sd of its context", "[forecast][deepar]") {
    dp::Params p = small_params();
    p.context_length = 4;
    p.scaling = dp::Scaling::standard;
    const dp::detail::Inputs in(p);
    Series<float> s;
    s.start = {2021, 3, 1, 0, 0, 0};
    s.target.resize(8);
    s.target << 100, 102, std::nanf(""), 98, 104, 50, 50, 50;
    SECTION("the map: the observed points' mean and standard deviation, or the mean |y|") {
        const dp::detail::Affine standard = dp::detail::context_map(s, 0, in, 7.0);
        CHECK(standard.loc == Approx(100.0));
        CHECK(standard.scale == Approx(std::sqrt(8.0 / 3)));  // deviations 0, 2, -2 over 3 points
        p.scaling = dp::Scaling::mean;
        const dp::detail::Affine mean = dp::detail::context_map(s, 0, dp::detail::Inputs(p), 7.0);
        CHECK(mean.loc == 0);
        CHECK(mean.scale == Approx(100.0));
        // A flat context keeps a scale of 1e-4 of its level; one with no points takes the fallback.
        CHECK(dp::detail::context_map(s, 5, in, 7.0).scale == Approx(50 * 1e-4));
        CHECK(dp::detail::context_map(s, 5, in, 7.0).loc == Approx(50.0));
        CHECK(dp::detail::context_map(s, 20, in, 7.0).scale == 7.0);
        CHECK(dp::detail::context_map(s, 20, in, 7.0).loc == 0);
    }
    SECTION("the window: history in the network's units, the location and log scale as covariates") {
        dp::detail::Window<float> w;
        w.resize(1, in.context + in.prediction, in.max_lag, in.covariates(), in.num_cat());
        const dp::detail::Affine map{100.0, 2.0};
        dp::detail::fill_row(w, 0, s, 0, map, in);
        CHECK(w.history(0, in.max_lag - 1) == 0);  // before the series: padding
        CHECK(w.history(0, in.max_lag + 1) == Approx(1.0));
        CHECK(std::isnan(w.history(0, in.max_lag + 2)));  // missing inside the window: the network fills it
        CHECK(w.history(0, in.max_lag + 3) == Approx(-1.0));
        CHECK(w.history(0, in.max_lag + 5) == Approx(-25.0));
        const Index cov = in.covariates();
        CHECK(cov == static_cast<Index>(in.time_features.size()) + 1 + 2);  // age, location, log scale
        CHECK(w.covariates(0, cov - 2) == Approx(std::asinh(50.0)));
        CHECK(w.covariates(0, cov - 1) == Approx(std::log(2.0)));
    }
    SECTION("forecasts of a shifted panel move with it, and the setting round-trips") {
        auto train = panel(8, 24 * 6, 12);
        p = small_params();
        p.epochs = 2;
        p.scaling = dp::Scaling::standard;
        const dp::Model<float> model = dp::fit(train, p);
        std::istringstream file(saved(model));
        CHECK(dp::Model<float>::load(file).params().scaling == dp::Scaling::standard);
        const auto forecasts = model.forecast(train);
        CHECK(std::isfinite(forecasts[0].mean[0]));
        // Inputs in the network's units do not see a shift of the whole panel, but the
        // location covariate does: a forecast moves by the shift, give or take what it reads there.
        auto shifted = train;
        for (auto& series : shifted) series.target.array() += 1000.0f;
        const auto moved = model.forecast(shifted);
        CHECK(moved[0].mean.mean() > forecasts[0].mean.mean() + 500);
    }
    SECTION("likelihoods that cannot be shifted refuse it by name") {
        p.likelihood = dp::Likelihood::negative_binomial;
        REQUIRE_THROWS_WITH(p.validate(), Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("scaling=standard") &&
                                              Catch::Contains("negative-binomial"));
        p.likelihood = dp::Likelihood::beta;
        REQUIRE_THROWS_WITH(p.validate(), Catch::Contains("beta"));
        REQUIRE_THROWS_WITH(shelf::from_map<dp::Params>({{"time_freq", "H"}, {"prediction_length", "3"},
                                                         {"context_length", "3"}, {"epochs", "1"}, {"scaling", "std"}}),
                            Catch::Contains("scaling") && Catch::Contains("mean, standard"));
    }
}

TEST_CASE("averaged_epochs: the weights are the mean of the last epochs'", "[forecast][deepar]") {
    SECTION("the mean of the last count vectors, of all while fewer were added") {
        dp::detail::EpochMean<float> mean(3);
        for (float v : {1.0f, 2.0f}) mean.add(shelf::Vector<float>::Constant(2, v));
        CHECK(mean.mean() == shelf::Vector<float>::Constant(2, 1.5f));
        for (float v : {6.0f, 7.0f}) mean.add(shelf::Vector<float>::Constant(2, v));
        CHECK(mean.mean() == shelf::Vector<float>::Constant(2, 5.0f));  // 2, 6, 7
    }
    SECTION("a fit keeps the mean of its last epochs' weights, and the setting round-trips") {
        // A fit of e epochs ends where a longer one stands after its epoch e (same seed).
        const auto train = panel(8, 24 * 6, 9);
        dp::Params p = small_params();
        p.num_batches_per_epoch = 4;
        Eigen::VectorXd sum = Eigen::VectorXd::Zero(dp::fit(train, p).weights().size());
        for (int e = 4; e <= 6; ++e) {
            p.epochs = e;
            sum += dp::fit(train, p).weights().cast<double>();
        }
        p.averaged_epochs = 3;
        const dp::Model<float> model = dp::fit(train, p);
        CHECK(model.weights().cast<double>().isApprox(sum / 3, 1e-6));
        std::istringstream file(saved(model));
        CHECK(dp::Model<float>::load(file).params().averaged_epochs == 3);
    }
}

TEST_CASE("seasonal_skip: the location adds a learnt term in the lags of at least prediction_length", "[forecast][deepar]") {
    // 120 hours, windows of 24 + 24: lags up to 72, of which 24, 25, 47, 48, 49, 71 and 72 skip.
    const auto train = panel(4, 120, 10);
    dp::Params p = small_params();
    p.prediction_length = 24;
    p.epochs = 1;
    p.num_batches_per_epoch = 2;
    p.likelihood = dp::Likelihood::deterministic_l1;
    p.seasonal_skip = true;
    const dp::Model<float> trained = dp::fit(train, p);
    const dp::detail::Layout shape = dp::Model<float>::layout(trained.params());
    REQUIRE(shape.skips == 7);
    CHECK(trained.weights().size() == shape.size());
    SECTION("a skip weight of 1 on lag 24 and nothing else forecasts the last day again") {
        for (auto scaling : {dp::Scaling::mean, dp::Scaling::standard}) {
            dp::Params q = trained.params();
            q.scaling = scaling;
            const dp::detail::Layout layout = dp::Model<float>::layout(q);
            shelf::Vector<float> weights = shelf::Vector<float>::Zero(layout.size());
            weights[layout.skip()] = 1;  // the first skip is the shortest skipped lag, 24
            const dp::Model<float> copy(q, weights, std::vector<double>(4, 0.0));
            const auto forecasts = copy.forecast(train);
            for (std::size_t i = 0; i < train.size(); ++i)
                for (Index t = 0; t < 24; ++t) CHECK(forecasts[i].mean[t] == Approx(train[i].target[120 - 24 + t]).epsilon(1e-5));
        }
    }
    SECTION("the setting round-trips, and likelihoods without a location refuse it by name") {
        std::istringstream file(saved(trained));
        CHECK(dp::Model<float>::load(file).params().seasonal_skip);
        p.likelihood = dp::Likelihood::negative_binomial;
        REQUIRE_THROWS_WITH(p.validate(), Catch::Contains("seasonal_skip") && Catch::Contains("negative-binomial"));
        p.likelihood = dp::Likelihood::beta;
        REQUIRE_THROWS_WITH(p.validate(), Catch::Contains("seasonal_skip") && Catch::Contains("beta"));
    }
    SECTION("without it, the layout has no skip weights") {
        p.seasonal_skip = false;
        CHECK(dp::Model<float>::layout(p).skips == 0);
    }
}
