// tests/conformance/test_deepar.cpp: the forecaster against the family contract, in the terms of
// series: what suite.hpp's run() checks of row data (NaN cells, column counts), it checks of
// targets and dynamic features; the rest is the same contract, with the suite's helpers.
#include "suite.hpp"

namespace {

template <class F>
void run_series_contract(shelf::deepar::Scaling scaling, bool seasonal_skip) {
    using T = typename F::Scalar;
    using Model = typename F::Model;
    const auto data = F::series(9, 120, 11);
    typename F::Params params = F::params();
    params.scaling = scaling;
    params.seasonal_skip = seasonal_skip;
    const Model model = F::fit(data, params);
    const shelf::RowMatrix<T> expected = F::output(model, data);

    SECTION("fit and forecast: one row per series, all finite") {
        REQUIRE(expected.rows() == 9);
        REQUIRE(expected.allFinite());
    }
    SECTION("a saved model loads equal, and forecasts the same") {
        const std::string bytes = conformance::saved<F>(model);
        const Model back = conformance::loaded<F>(bytes);
        REQUIRE(back == model);
        REQUIRE(F::output(back, data) == expected);
        REQUIRE(conformance::saved<F>(back) == bytes);
    }
    SECTION("truncated or damaged model files are refused") {
        const std::string bytes = conformance::saved<F>(model);
        for (std::size_t size : {std::size_t{0}, std::size_t{12}, bytes.size() / 2, bytes.size() - 1})
            CHECK(conformance::load_error<F>(bytes.substr(0, size)) != shelf::errc{});
        const std::size_t step = std::max<std::size_t>(1, bytes.size() / 200);
        for (std::size_t at = 0; at < bytes.size(); at += (at < 24 ? 1 : step)) {
            std::string damaged = bytes;
            damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
            INFO("byte " << at << " of " << bytes.size());
            CHECK(conformance::load_error<F>(damaged) != shelf::errc{});
        }
    }
    SECTION("another family's model file, or the other scalar type, is refused by name") {
        std::ostringstream other;
        shelf::ModelWriter("not-deepar", shelf::scalar_type_of<T>()).write(other);
        CHECK(conformance::load_error<F>(other.str()) == shelf::errc::wrong_family);
        using Other = typename F::template Rebind<std::conditional_t<std::is_same_v<T, float>, double, float>>;
        CHECK(conformance::load_error<Other>(conformance::saved<F>(model)) == shelf::errc::wrong_scalar);
    }
    SECTION("NaN targets are missing values; infinity is refused naming the series and point") {
        auto bad = data;
        bad[4].target[17] = std::numeric_limits<T>::quiet_NaN();
        CHECK(F::output(F::fit(bad, params), bad).allFinite());
        CHECK(F::output(model, bad).allFinite());
        bad[4].target[17] = std::numeric_limits<T>::infinity();
        REQUIRE_THROWS_WITH(F::fit(bad, params), Catch::Contains("shelf.data_error.203") &&
                                                     Catch::Contains("series 5 (1-based): target[17] is infinite"));
        REQUIRE_THROWS_WITH(F::output(model, bad), Catch::Contains("shelf.data_error.203") &&
                                                       Catch::Contains("series 5 (1-based): target[17]"));
    }
    SECTION("dynamic features the model does not have are refused naming both counts") {
        auto extra = data;
        extra[2].dynamic_feat = shelf::RowMatrix<T>::Zero(1, extra[2].target.size() + 6);
        REQUIRE_THROWS_WITH(F::output(model, extra), Catch::Contains("shelf.data_error.202") &&
                                                         Catch::Contains("series 3 (1-based)") &&
                                                         Catch::Contains("dynamic_feat has 1 features; the model has 0"));
    }
    SECTION("the same seed gives a bit-identical model, and the same forecasts on any thread count") {
        REQUIRE(conformance::saved<F>(F::fit(data, params)) == conformance::saved<F>(model));
        typename F::Params other = params;
        other.num_threads = 3;
        REQUIRE(F::output(F::fit(data, other), data) == expected);
    }
    SECTION("a progress callback that returns false stops training") {
        int calls = 0;
        const Model stopped = F::fit(data, params, [&](const shelf::Progress& p) {
            ++calls;
            CHECK(p.done <= p.total);
            return false;
        });
        REQUIRE(calls == 1);
        REQUIRE(stopped.report().stopped);
        REQUIRE_FALSE(model.report().stopped);
    }
    SECTION("an unknown hyperparameter is refused with a suggestion") {
        REQUIRE_THROWS_WITH(shelf::from_map<typename F::Params>({{"num_thread", "2"}}),
                            Catch::Contains("shelf.invalid_argument.102") && Catch::Contains("did you mean 'num_threads'"));
        auto negative_seed = shelf::to_map(params);
        negative_seed["seed"] = "-1";
        REQUIRE_THROWS_WITH(shelf::from_map<typename F::Params>(negative_seed),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("seed"));
    }
    SECTION("an allocation failing inside a parallel region arrives as std::bad_alloc") {
        typename F::Params threaded = F::parallel_params();
        threaded.num_threads = 2;
        threaded.scaling = scaling;
        threaded.seasonal_skip = seasonal_skip;
        for (int skip : {0, 1, 3}) {
            conformance::fault::arm(skip);
            bool thrown = false;
            try {
                (void)F::fit(data, threaded);
            } catch (const std::bad_alloc&) {
                thrown = true;
            }
            INFO("failing the allocation after " << skip << " in parallel regions");
            REQUIRE(conformance::fault::disarm());
            REQUIRE(thrown);
        }
    }
    SECTION("four threads forecasting at once get the serial answer") {
        std::vector<shelf::RowMatrix<T>> results(4);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < results.size(); ++t)
            threads.emplace_back([&, t] {
                for (int repeat = 0; repeat < 3; ++repeat) results[t] = F::output(model, data);
            });
        for (auto& thread : threads) thread.join();
        for (const auto& result : results) REQUIRE(result == expected);
    }
}

}  // namespace

TEMPLATE_TEST_CASE("deepar meets the family contract", "[conformance][deepar]", SHELF_CONFORMANCE_SCALARS) {
    // DeepAR's mean scaling; the standardised windows of scaling=standard with the seasonal skip's weights.
    const bool extended = GENERATE(false, true);
    run_series_contract<conformance::DeepAR<TestType>>(
        extended ? shelf::deepar::Scaling::standard : shelf::deepar::Scaling::mean, extended);
}
