#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <tuple>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/simd/kernels.hpp>

namespace {

template <class T>
std::vector<T> random_values(shelf::Rng& rng, shelf::Index n, double scale = 1.0) {
    std::vector<T> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = static_cast<T>(rng.normal() * scale);
    return v;
}

}  // namespace

TEMPLATE_TEST_CASE("squared_l2 agrees with the scalar reference for every length", "[simd]", float, double) {
    using T = TestType;
    shelf::Rng rng(1);
    for (shelf::Index n = 0; n < 80; ++n) {
        const auto a = random_values<T>(rng, n), b = random_values<T>(rng, n);
        const T simd = shelf::simd::squared_l2(a.data(), b.data(), n);
        const T scalar = shelf::simd::scalar::squared_l2(a.data(), b.data(), n);
        REQUIRE(simd == Approx(scalar).epsilon(std::numeric_limits<T>::epsilon() * 64).margin(1e-30));
    }
    SECTION("identical vectors are at distance 0") {
        const auto a = random_values<T>(rng, 37);
        REQUIRE(shelf::simd::squared_l2(a.data(), a.data(), 37) == T(0));
    }
}

TEMPLATE_TEST_CASE("argmin_columns gives exactly the scalar reference's answer", "[simd]", float, double) {
    using T = TestType;
    shelf::Rng rng(2);
    for (shelf::Index rows : {1, 3, 17}) {
        for (shelf::Index cols : {1, 15, 16, 63, 64, 65, 130}) {
            const shelf::Index ld = cols + 3;  // a leading dimension wider than the block
            // Values on a coarse grid so that ties are common.
            std::vector<T> dots(static_cast<std::size_t>(rows * ld)), norms(static_cast<std::size_t>(rows));
            for (auto& x : dots) x = static_cast<T>(static_cast<int>(rng.uniform_index(5)));
            for (auto& x : norms) x = static_cast<T>(static_cast<int>(rng.uniform_index(7)));
            std::vector<T> best(static_cast<std::size_t>(cols)), best_ref(best.size());
            std::vector<std::int32_t> row(best.size()), row_ref(best.size());
            // Start from a previous block's answer: half the columns already hold a value.
            for (std::size_t j = 0; j < best.size(); ++j) {
                best[j] = best_ref[j] = j % 2 ? T(-3) : std::numeric_limits<T>::infinity();
                row[j] = row_ref[j] = j % 2 ? 0 : -1;
            }
            shelf::simd::argmin_columns(dots.data(), ld, rows, cols, norms.data(), 5, best.data(), row.data());
            shelf::simd::scalar::argmin_columns(dots.data(), ld, rows, cols, norms.data(), 5, best_ref.data(),
                                                row_ref.data());
            INFO("rows " << rows << ", cols " << cols);
            REQUIRE(best == best_ref);
            REQUIRE(row == row_ref);
        }
    }
}

TEST_CASE("argmin_columns keeps the lowest index on ties and the earlier block's answer on equal values",
          "[simd]") {
    // Three candidates, all at the same value for each of 20 points.
    const shelf::Index cols = 20;
    std::vector<float> dots(3 * cols, 1.0f), norms{2.0f, 2.0f, 2.0f};
    std::vector<float> best(cols, std::numeric_limits<float>::infinity());
    std::vector<std::int32_t> row(cols, -1);
    shelf::simd::argmin_columns(dots.data(), cols, 3, cols, norms.data(), 10, best.data(), row.data());
    for (shelf::Index j = 0; j < cols; ++j) {
        REQUIRE(best[j] == 0.0f);
        REQUIRE(row[j] == 10);
    }
    SECTION("a later block with the same value does not replace the answer") {
        shelf::simd::argmin_columns(dots.data(), cols, 3, cols, norms.data(), 13, best.data(), row.data());
        for (shelf::Index j = 0; j < cols; ++j) REQUIRE(row[j] == 10);
    }
    SECTION("a later block with a lower value does") {
        std::vector<float> lower(3, 1.0f);
        shelf::simd::argmin_columns(dots.data(), cols, 3, cols, lower.data(), 13, best.data(), row.data());
        for (shelf::Index j = 0; j < cols; ++j) REQUIRE(row[j] == 13);
    }
}

TEST_CASE("scan_below reports exactly the entries under the threshold", "[simd]") {
    shelf::Rng rng(3);
    const double inf = std::numeric_limits<double>::infinity();
    // Squared distances (scale 2, clamped at 0) and negated inner products (zero norms, scale 1, no floor).
    for (const auto& [scale, floor, threshold] : {std::tuple{2.0, 0.0, 0.8}, std::tuple{1.0, -inf, -0.1}})
        for (shelf::Index n : {0, 5, 16, 33, 100}) {
            const auto dots = random_values<double>(rng, n);
            const auto cn = scale == 2.0 ? random_values<double>(rng, n, 0.1) : std::vector<double>(std::size_t(n), 0.0);
            const double qn = scale == 2.0 ? 0.5 : 0.0;
            std::vector<shelf::Index> hits;
            std::vector<double> values;
            shelf::simd::scan_below(dots.data(), cn.data(), qn, n, scale, floor, threshold, [&](shelf::Index j, double d) {
                hits.push_back(j);
                values.push_back(d);
            });
            std::vector<shelf::Index> expected;
            std::vector<double> expected_values;
            for (shelf::Index j = 0; j < n; ++j) {
                const auto at = static_cast<std::size_t>(j);
                const double d = std::max(qn + cn[at] - scale * dots[at], floor);
                if (d < threshold) expected.push_back(j), expected_values.push_back(d);
            }
            INFO("scale " << scale << ", n " << n);
            REQUIRE(hits == expected);
            for (std::size_t i = 0; i < values.size(); ++i) REQUIRE(values[i] == Approx(expected_values[i]).margin(1e-12));
        }
}

TEMPLATE_TEST_CASE("shifted_copy subtracts the shift and returns the squared norm", "[simd]", float, double) {
    using T = TestType;
    shelf::Rng rng(7);
    for (shelf::Index n : {0, 1, 15, 16, 17, 100}) {
        const auto src = random_values<T>(rng, n), shift = random_values<T>(rng, n);
        std::vector<T> dst(static_cast<std::size_t>(n)), ref(dst.size());
        const T norm = shelf::simd::shifted_copy(src.data(), shift.data(), dst.data(), n);
        const T expected = shelf::simd::scalar::shifted_copy(src.data(), shift.data(), ref.data(), n);
        REQUIRE(dst == ref);
        REQUIRE(norm == Approx(expected).epsilon(std::numeric_limits<T>::epsilon() * 64).margin(1e-30));
        SECTION("without a shift it is a plain copy") {
            REQUIRE(shelf::simd::shifted_copy(src.data(), static_cast<const T*>(nullptr), dst.data(), n) ==
                    Approx(shelf::simd::scalar::squared_l2(src.data(), std::vector<T>(src.size()).data(), n)));
            REQUIRE(dst == src);
        }
    }
}

TEMPLATE_TEST_CASE("all_finite finds a NaN or an infinity anywhere", "[simd]", float, double) {
    using T = TestType;
    shelf::Rng rng(8);
    for (shelf::Index n : {1, 7, 16, 33, 64}) {
        auto v = random_values<T>(rng, n, 1e30);
        REQUIRE(shelf::simd::all_finite(v.data(), n));
        for (shelf::Index at : {shelf::Index{0}, n / 2, n - 1}) {
            for (T bad : {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                          -std::numeric_limits<T>::infinity()}) {
                auto w = v;
                w[static_cast<std::size_t>(at)] = bad;
                REQUIRE_FALSE(shelf::simd::all_finite(w.data(), n));
            }
        }
    }
    REQUIRE(shelf::simd::all_finite(static_cast<const T*>(nullptr), 0));
}

TEMPLATE_TEST_CASE("argmin2_columns keeps the best and second-best values like the scalar reference", "[simd]",
                   float, double) {
    using T = TestType;
    shelf::Rng rng(9);
    for (shelf::Index rows : {1, 2, 9, 40}) {
        for (shelf::Index cols : {1, 16, 31, 32, 33, 70}) {
            std::vector<T> dots(static_cast<std::size_t>(rows * cols)), norms(static_cast<std::size_t>(rows));
            for (auto& x : dots) x = static_cast<T>(static_cast<int>(rng.uniform_index(6)));
            for (auto& x : norms) x = static_cast<T>(static_cast<int>(rng.uniform_index(9)));
            std::vector<T> best(static_cast<std::size_t>(cols), std::numeric_limits<T>::infinity()), second = best,
                                                                                                   best_ref = best,
                                                                                                   second_ref = best;
            std::vector<std::int32_t> row(best.size(), -1), row_ref(best.size(), -1);
            // Two blocks of candidates, as a driver offers them.
            const shelf::Index half = rows / 2;
            for (auto [first, count] : {std::pair<shelf::Index, shelf::Index>{0, half}, {half, rows - half}}) {
                if (count == 0) continue;
                shelf::simd::argmin2_columns(dots.data() + first * cols, cols, count, cols, norms.data() + first,
                                             static_cast<std::int32_t>(first), best.data(), second.data(), row.data());
                shelf::simd::scalar::argmin2_columns(dots.data() + first * cols, cols, count, cols, norms.data() + first,
                                                     static_cast<std::int32_t>(first), best_ref.data(),
                                                     second_ref.data(), row_ref.data());
            }
            INFO("rows " << rows << ", cols " << cols);
            REQUIRE(best == best_ref);
            REQUIRE(second == second_ref);
            REQUIRE(row == row_ref);
            for (std::size_t j = 0; j < best.size(); ++j) REQUIRE(best[j] <= second[j]);
        }
    }
}
