// The calendar: lags and time features per frequency against hand-computed cases.
#include <catch2/catch.hpp>

#include <vector>

#include <shelf/forecast/calendar.hpp>

namespace {

using shelf::Timestamp;
using shelf::deepar::TimeFreq;
namespace cal = shelf::deepar::detail;

std::vector<int> range_of(int first, int last) {
    std::vector<int> out;
    for (int l = first; l <= last; ++l) out.push_back(l);
    return out;
}

std::vector<int> joined(std::vector<std::vector<int>> parts) {
    std::vector<int> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<double> features_of(const Timestamp& ts, TimeFreq freq) {
    const auto features = cal::frequency_time_features(freq);
    std::vector<double> out(features.size());
    cal::time_features(ts, features, out.data());
    return out;
}

}  // namespace

TEST_CASE("lags follow GluonTS's choice per frequency", "[forecast][calendar]") {
    SECTION("hourly: the first week of days ±1, four weeks back ±1 and a month back ±1") {
        REQUIRE(cal::lags_for(TimeFreq::hour) ==
                joined({range_of(1, 7), range_of(23, 25), range_of(47, 49), range_of(71, 73), range_of(95, 97),
                        range_of(119, 121), range_of(143, 145), range_of(167, 169), range_of(335, 337),
                        range_of(503, 505), range_of(671, 673), range_of(719, 721)}));
    }
    SECTION("daily: weeks, a month, 4 / 8 / 12 weeks and three years back") {
        REQUIRE(cal::lags_for(TimeFreq::day) ==
                joined({range_of(1, 8), range_of(13, 15), range_of(20, 22), range_of(27, 31), {56, 84},
                        range_of(363, 365), range_of(727, 729), range_of(1091, 1093)}));
    }
    SECTION("weekly, monthly and by the minute") {
        REQUIRE(cal::lags_for(TimeFreq::week) ==
                joined({range_of(1, 8), {12}, range_of(51, 53), range_of(103, 105), range_of(155, 157)}));
        REQUIRE(cal::lags_for(TimeFreq::month) ==
                joined({range_of(1, 7), range_of(11, 13), range_of(23, 25), range_of(35, 37)}));
        REQUIRE(cal::lags_for(TimeFreq::minute) ==
                joined({range_of(1, 7), range_of(58, 62), range_of(118, 122), range_of(178, 182)}));
    }
}

TEST_CASE("time features are scaled to [-0.5, 0.5] per frequency", "[forecast][calendar]") {
    SECTION("hourly: hour of day, day of week, day of month, day of year") {
        // 2014-01-01 was a Wednesday (Monday = 0).
        const auto f = features_of({2014, 1, 1, 0, 0, 0}, TimeFreq::hour);
        CHECK(f[0] == -0.5);
        CHECK(f[1] == Approx(2.0 / 6 - 0.5));
        CHECK(f[2] == -0.5);
        CHECK(f[3] == -0.5);
        // 2016-12-31 23:00, a Saturday, the 366th day of a leap year.
        const auto g = features_of({2016, 12, 31, 23, 0, 0}, TimeFreq::hour);
        CHECK(g[0] == Approx(0.5));
        CHECK(g[1] == Approx(5.0 / 6 - 0.5));
        CHECK(g[2] == Approx(0.5));
        CHECK(g[3] == Approx(365.0 / 365 - 0.5));
    }
    SECTION("by the minute: minute of hour first") {
        const auto f = features_of({2014, 1, 1, 12, 59, 0}, TimeFreq::minute);
        CHECK(f[0] == Approx(0.5));
        CHECK(f[1] == Approx(12.0 / 23 - 0.5));
    }
    SECTION("weekly: day of month and ISO week of year") {
        CHECK(features_of({2021, 1, 3, 0, 0, 0}, TimeFreq::week)[1] == Approx(0.5));   // week 53 of 2020
        CHECK(features_of({2021, 1, 4, 0, 0, 0}, TimeFreq::week)[1] == Approx(-0.5));  // week 1
        CHECK(features_of({2021, 1, 4, 0, 0, 0}, TimeFreq::week)[0] == Approx(3.0 / 30 - 0.5));
    }
    SECTION("monthly: month of year") {
        CHECK(features_of({2020, 12, 1, 0, 0, 0}, TimeFreq::month)[0] == Approx(0.5));
        CHECK(features_of({2020, 1, 1, 0, 0, 0}, TimeFreq::month)[0] == Approx(-0.5));
    }
}

TEST_CASE("a feature's cycle is counted in steps of the frequency", "[forecast][calendar]") {
    using F = shelf::deepar::TimeFeature;
    CHECK(cal::cycle_steps(F::hour_of_day, TimeFreq::hour) == 24);
    CHECK(cal::cycle_steps(F::day_of_week, TimeFreq::hour) == 168);
    CHECK(cal::cycle_steps(F::day_of_month, TimeFreq::hour) == 744);
    CHECK(cal::cycle_steps(F::day_of_year, TimeFreq::day) == 366);
    CHECK(cal::cycle_steps(F::minute_of_hour, TimeFreq::minute) == Approx(60));
    CHECK(cal::cycle_steps(F::week_of_year, TimeFreq::week) == Approx(366.0 / 7));
    CHECK(cal::cycle_steps(F::month_of_year, TimeFreq::month) == 12);
    // Features read in the order given, whatever the frequency's own list.
    std::vector<double> out(2);
    cal::time_features<double>({2014, 1, 1, 6, 0, 0}, {F::month_of_year, F::hour_of_day}, out.data());
    CHECK(out[0] == -0.5);
    CHECK(out[1] == Approx(6.0 / 23 - 0.5));
}

TEST_CASE("steps move through the calendar", "[forecast][calendar]") {
    CHECK(cal::step_after({2020, 1, 31, 0, 0, 0}, TimeFreq::month, 1) == Timestamp{2020, 2, 29, 0, 0, 0});
    CHECK(cal::step_after({2020, 1, 31, 0, 0, 0}, TimeFreq::month, -2) == Timestamp{2019, 11, 30, 0, 0, 0});
    CHECK(cal::step_after({2019, 12, 31, 23, 0, 0}, TimeFreq::hour, 2) == Timestamp{2020, 1, 1, 1, 0, 0});
    CHECK(cal::step_after({2020, 3, 1, 0, 0, 0}, TimeFreq::day, -1) == Timestamp{2020, 2, 29, 0, 0, 0});
    CHECK(cal::step_after({1970, 1, 1, 0, 0, 0}, TimeFreq::minute, -1) == Timestamp{1969, 12, 31, 23, 59, 0});
    CHECK(cal::step_after({2020, 1, 1, 0, 0, 0}, TimeFreq::week, 52) == Timestamp{2020, 12, 30, 0, 0, 0});
    CHECK_FALSE(cal::valid_timestamp({2019, 2, 29, 0, 0, 0}));
    CHECK(cal::valid_timestamp({2020, 2, 29, 23, 59, 59}));
}
