#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include <shelf/core/random.hpp>

using shelf::Rng;

TEST_CASE("Rng is xoshiro256** seeded by splitmix64", "[core][random]") {
    SECTION("its first outputs match the independent Python reference (tests/reference/gen_rng.py)") {
        Rng zero(0), answer(42);
        const std::uint64_t expect_zero[] = {0x99EC5F36CB75F2B4ull, 0xBF6E1F784956452Aull,
                                             0x1A5F849D4933E6E0ull, 0x6AA594F1262D2D2Cull};
        const std::uint64_t expect_answer[] = {0x15780B2E0C2EC716ull, 0x6104D9866D113A7Eull,
                                               0xAE17533239E499A1ull, 0xECB8AD4703B360A1ull};
        for (auto e : expect_zero) REQUIRE(zero() == e);
        for (auto e : expect_answer) REQUIRE(answer() == e);
    }
    SECTION("the same seed gives the same stream, another seed or stream another") {
        Rng a(7), b(7), c(8);
        auto s1 = Rng::for_stream(7, 1), s2 = Rng::for_stream(7, 2), s1b = Rng::for_stream(7, 1);
        bool differs = false, streams_differ = false;
        for (int i = 0; i < 100; ++i) {
            const auto x = a();
            REQUIRE(x == b());
            differs |= x != c();
            const auto y = s1();
            REQUIRE(y == s1b());
            streams_differ |= y != s2();
        }
        REQUIRE(differs);
        REQUIRE(streams_differ);
    }
}

TEST_CASE("Rng samplers have the right moments", "[core][random]") {
    Rng rng(123);
    const int n = 200000;
    auto moments = [&](auto draw) {
        double sum = 0, sum2 = 0;
        for (int i = 0; i < n; ++i) {
            const double x = draw();
            sum += x;
            sum2 += x * x;
        }
        const double mean = sum / n;
        return std::pair<double, double>{mean, sum2 / n - mean * mean};
    };
    SECTION("uniform() lies in [0, 1) with mean 1/2 and variance 1/12") {
        double lo = 1, hi = 0;
        auto [mean, var] = moments([&] {
            const double u = rng.uniform();
            lo = std::min(lo, u), hi = std::max(hi, u);
            return u;
        });
        REQUIRE(lo >= 0.0);
        REQUIRE(hi < 1.0);
        REQUIRE(mean == Approx(0.5).margin(0.005));
        REQUIRE(var == Approx(1.0 / 12).margin(0.002));
    }
    SECTION("normal() has mean 0 and variance 1") {
        auto [mean, var] = moments([&] { return rng.normal(); });
        REQUIRE(mean == Approx(0.0).margin(0.01));
        REQUIRE(var == Approx(1.0).margin(0.015));
    }
    SECTION("gamma(k) has mean k and variance k, also for k < 1") {
        for (double k : {0.3, 1.0, 2.5, 40.0}) {
            auto [mean, var] = moments([&] { return rng.gamma(k); });
            REQUIRE(mean == Approx(k).epsilon(0.02));
            REQUIRE(var == Approx(k).epsilon(0.05));
        }
    }
    SECTION("poisson(m) has mean m and variance m, small and large m") {
        for (double m : {0.5, 4.0, 30.0, 1000.0}) {
            auto [mean, var] = moments([&] { return static_cast<double>(rng.poisson(m)); });
            REQUIRE(mean == Approx(m).epsilon(0.02));
            REQUIRE(var == Approx(m).epsilon(0.05));
        }
    }
    SECTION("binomial(n, p) has mean np and variance np(1-p)") {
        auto [mean, var] = moments([&] { return static_cast<double>(rng.binomial(200, 0.3)); });
        REQUIRE(mean == Approx(60.0).epsilon(0.01));
        REQUIRE(var == Approx(42.0).epsilon(0.05));
    }
}

TEST_CASE("Rng integer draws and shuffles are uniform", "[core][random]") {
    Rng rng(5);
    SECTION("uniform_index(n) covers [0, n) evenly") {
        std::vector<int> counts(7, 0);
        for (int i = 0; i < 70000; ++i) {
            const auto k = rng.uniform_index(7);
            REQUIRE(k < 7);
            ++counts[k];
        }
        for (int c : counts) REQUIRE(c == Approx(10000).margin(400));
    }
    SECTION("shuffle permutes, and every position sees every value") {
        std::vector<int> v(10);
        std::vector<std::vector<int>> seen(10, std::vector<int>(10, 0));
        for (int trial = 0; trial < 20000; ++trial) {
            std::iota(v.begin(), v.end(), 0);
            rng.shuffle(v.begin(), v.end());
            for (int i = 0; i < 10; ++i) ++seen[i][v[i]];
        }
        std::sort(v.begin(), v.end());
        for (int i = 0; i < 10; ++i) REQUIRE(v[i] == i);
        for (auto& row : seen)
            for (int c : row) REQUIRE(c == Approx(2000).margin(250));
    }
}
