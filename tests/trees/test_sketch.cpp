// The weighted quantile sketch and the bin matrix.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <shelf/trees/binning.hpp>
#include <shelf/trees/sketch.hpp>

#include "fixture.hpp"

using namespace shelf::gbt::detail;

TEST_CASE("a small sketch is exact", "[trees][sketch]") {
    SketchWorkspace<float> work;
    QuantileSketch<float> sketch(6, 1.0 / 2048, work);
    for (const float v : {3.0f, 1.0f, 3.0f, 2.0f, 3.0f, 1.0f}) sketch.push(v, 1.0f);
    const Summary<float> s = sketch.summary();
    REQUIRE(s.size() == 3);
    CHECK(s[0].value == 1.0f);
    CHECK(s[0].wmin == 2.0f);
    CHECK(s[1].rmin == 2.0f);
    CHECK(s[1].rmax == 3.0f);
    CHECK(s[2].value == 3.0f);
    CHECK(s[2].rmax == 6.0f);
}

TEST_CASE("cut points: the minimum opens the first bin, the others close bins", "[trees][sketch]") {
    shelf::RowMatrix<float> X(6, 2);
    X << 1, NAN,  //
        2, 5,     //
        2, 5,     //
        3, NAN,   //
        4, 5,     //
        10, 5;
    std::vector<shelf::Index> present;
    const Cuts<float> cuts = make_cuts<float>(X, nullptr, 256, 1, present);
    CHECK(present == std::vector<shelf::Index>{6, 4});
    SECTION("few distinct values give one bin each, and a last cut above the maximum") {
        const std::vector<float> c0(cuts.cuts(0), cuts.cuts(0) + cuts.bins(0));
        CHECK(c0 == std::vector<float>{2, 3, 4, 10, 10 + (10 + 1e-5f)});
        CHECK(cuts.min_values[0] == 1.0f - (1.0f + 1e-5f));
    }
    SECTION("a feature with one value has one bin") {
        CHECK(cuts.bins(1) == 1);
        CHECK(cuts.cuts(1)[0] == 5 + (5 + 1e-5f));
    }
    SECTION("a value's bin is the first cut above it") {
        CHECK(cuts.bin_of(0, 1.0f) == 0);
        CHECK(cuts.bin_of(0, 2.0f) == 1);
        CHECK(cuts.bin_of(0, 3.5f) == 2);
        CHECK(cuts.bin_of(0, 10.0f) == 4);
        CHECK(cuts.bin_of(0, 1e9f) == 4);  // above every cut: the last bin
        CHECK(cuts.bin_of(0, -1e9f) == 0);
    }
    SECTION("missing values get the code after the last bin; codes fit a byte") {
        REQUIRE(codes_fit<std::uint8_t>(cuts, present, 6));
        const auto bins = bin_rows<std::uint8_t, float>(X, cuts, 1);
        CHECK(bins.row(0)[1] == 1);
        CHECK(bins.row(1)[1] == 0);
        CHECK(bins.column(0)[5] == 4);
    }
}

TEST_CASE("cut points of a large sample sit at its quantiles", "[trees][sketch]") {
    // 100,000 values pass through the multi-level sketch. A cut's rank may be off by the
    // sketch's error, 1 / (8 · 256) of the weight, plus half the spacing of the 2,048-entry
    // summary it is pruned from, twice: 1/1024 in all.
    const shelf::Index n = 100000;
    shelf::RowMatrix<float> X(n, 1);
    shelf::Rng rng(3);
    for (shelf::Index r = 0; r < n; ++r) X(r, 0) = static_cast<float>(rng.normal());
    std::vector<shelf::Index> present;
    const Cuts<float> cuts = make_cuts<float>(X, nullptr, 256, 2, present);
    std::vector<float> sorted(X.data(), X.data() + n);
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(cuts.bins(0) == 256);
    for (std::uint32_t b = 0; b + 1 < cuts.bins(0); ++b) {
        const float c = cuts.cuts(0)[b];
        if (b > 0) REQUIRE(c > cuts.cuts(0)[b - 1]);
        const double rank = static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), c) - sorted.begin());
        // Cut b+1 of 256 sits near quantile (b + 1) / 256.
        CHECK(std::abs(rank / n - (b + 1) / 256.0) < 1.0 / 1024);
    }
}

TEST_CASE("weights act as repeated rows", "[trees][sketch]") {
    // 100 distinct values with integer weights summarise exactly like the rows repeated.
    shelf::RowMatrix<float> X(100, 1);
    shelf::Vector<float> w(100);
    std::vector<float> repeated;
    for (shelf::Index r = 0; r < 100; ++r) {
        X(r, 0) = static_cast<float>((r * 37) % 100);
        w[r] = static_cast<float>(1 + r % 3);
        for (int k = 0; k < 1 + r % 3; ++k) repeated.push_back(X(r, 0));
    }
    const shelf::RowMatrix<float> Xrep =
        Eigen::Map<shelf::RowMatrix<float>>(repeated.data(), static_cast<shelf::Index>(repeated.size()), 1);
    std::vector<shelf::Index> present;
    const auto a = make_cuts<float>(X, w.data(), 32, 1, present);
    const auto b = make_cuts<float>(Xrep, nullptr, 32, 1, present);
    CHECK(a.bins(0) == 32);
    CHECK(a.values == b.values);
}

TEST_CASE("codes that do not fit a byte use two", "[trees][sketch]") {
    // 256 bins plus a missing value need 257 codes.
    shelf::RowMatrix<float> X(1000, 1);
    for (shelf::Index r = 0; r < 1000; ++r) X(r, 0) = r == 0 ? NAN : static_cast<float>(r);
    std::vector<shelf::Index> present;
    const auto cuts = make_cuts<float>(X, nullptr, 256, 1, present);
    REQUIRE(cuts.bins(0) == 256);
    CHECK_FALSE(codes_fit<std::uint8_t>(cuts, present, 1000));
    CHECK(codes_fit<std::uint16_t>(cuts, present, 1000));
    SECTION("and such a model still trains and predicts missing values") {
        shelf::Vector<float> y(1000);
        for (shelf::Index r = 0; r < 1000; ++r) y[r] = r < 500 ? 0.0f : 1.0f;
        y[0] = 1;
        shelf::gbt::Params p;
        p.num_round = 3;
        p.objective = "binary:logistic";
        const auto model = shelf::gbt::fit(X, y, p);
        const auto out = model.predict(X);
        CHECK(out(0, 0) > 0.5f);
        CHECK(out(10, 0) < 0.5f);
        CHECK(out(900, 0) > 0.5f);
    }
}
