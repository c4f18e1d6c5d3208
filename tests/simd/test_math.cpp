#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/simd/math.hpp>

namespace {

/// Distance between a and the reference b, in units of T's last place at b.
template <class T>
double ulps(T a, double b) {
    if (std::isnan(b)) return std::isnan(a) ? 0.0 : INFINITY;
    if (std::isinf(b)) return static_cast<double>(a) == b ? 0.0 : INFINITY;
    const double spacing = std::max(static_cast<double>(std::nextafter(static_cast<T>(std::abs(b)), std::numeric_limits<T>::infinity())) -
                                        static_cast<double>(static_cast<T>(std::abs(b))),
                                    static_cast<double>(std::numeric_limits<T>::denorm_min()));
    return std::abs(static_cast<double>(a) - b) / spacing;
}

template <class T>
std::vector<T> spread(double lo, double hi, std::size_t n) {  // n values from lo to hi, odd count of each length tail
    std::vector<T> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1));
    return v;
}

/// The largest error of `kernel` against `reference` over x, in ulps.
template <class T, class Kernel, class Reference>
double worst(const std::vector<T>& x, Kernel kernel, Reference reference) {
    std::vector<T> out(x.size());
    kernel(x.data(), x.size(), out.data());
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, ulps(out[i], reference(static_cast<double>(x[i]))));
    return worst;
}

}  // namespace

TEMPLATE_TEST_CASE("exp, log, sigmoid and tanh are within a few ulps of the C library", "[simd][math]", float, double) {
    using T = TestType;
    namespace s = shelf::simd;
    // float: rounding a double result once is within half an ulp, plus xsimd's double error.
    const double limit = std::is_same_v<T, float> ? 1.0 : 4.0;
    for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{255}, std::size_t{1001}}) {
        INFO(n << " values");
        CHECK(worst(spread<T>(-80, 80, n), s::exp<T>, s::scalar::exp) <= limit);
        CHECK(worst(spread<T>(1e-30, 1e6, n), s::log<T>, s::scalar::log) <= limit);
        CHECK(worst(spread<T>(-40, 40, n), s::sigmoid<T>, s::scalar::sigmoid) <= limit);
        CHECK(worst(spread<T>(-10, 10, n), s::tanh<T>, s::scalar::tanh) <= limit);
    }
    SECTION("random values near zero, where relative error matters most") {
        shelf::Rng rng(4);
        std::vector<T> x(4096);
        for (auto& v : x) v = static_cast<T>(rng.normal() * 1e-3);
        CHECK(worst(x, s::exp<T>, s::scalar::exp) <= limit);
        CHECK(worst(x, s::tanh<T>, s::scalar::tanh) <= limit);
        CHECK(worst(x, s::sigmoid<T>, s::scalar::sigmoid) <= limit);
    }
    SECTION("limits: exp overflows to inf and underflows to 0, sigmoid saturates, NaN passes through") {
        const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
        const std::vector<T> x{T(-1000), T(1000), nan, -inf, inf, T(0)};
        std::vector<T> e(x.size()), g(x.size()), l(x.size());
        s::exp(x.data(), x.size(), e.data());
        s::sigmoid(x.data(), x.size(), g.data());
        CHECK(e[0] == T(0));
        CHECK(e[1] == inf);
        CHECK(std::isnan(e[2]));
        CHECK(e[3] == T(0));
        CHECK(e[5] == T(1));
        CHECK(g[0] == T(0));
        CHECK(g[1] == T(1));
        CHECK(std::isnan(g[2]));
        CHECK(g[5] == T(0.5));
        const std::vector<T> y{T(0), T(-1), T(1)};
        s::log(y.data(), y.size(), l.data());
        CHECK(l[0] == -inf);
        CHECK(std::isnan(l[1]));
        CHECK(l[2] == T(0));
    }
}

TEMPLATE_TEST_CASE("softmax rows sum to 1, ignore a shift and match the reference", "[simd][math]", float, double) {
    using T = TestType;
    shelf::Rng rng(9);
    const std::size_t rows = 37, cols = 11;
    std::vector<T> v(rows * cols);
    for (auto& x : v) x = static_cast<T>(std::round(rng.normal() * 5 * 64) / 64);  // exact after adding 512
    std::vector<T> shifted = v;
    for (auto& x : shifted) x += T(512);  // would overflow exp unshifted
    std::vector<T> p = v;
    shelf::simd::softmax(p.data(), rows, cols);
    shelf::simd::softmax(shifted.data(), rows, cols);
    for (std::size_t r = 0; r < rows; ++r) {
        double sum = 0;
        const double lse = shelf::simd::scalar::log_sum_exp(std::vector<double>(v.begin() + r * cols, v.begin() + (r + 1) * cols).data(), cols);
        for (std::size_t k = 0; k < cols; ++k) {
            const std::size_t i = r * cols + k;
            sum += p[i];
            // float: shifted and exponentiated in double, rounded once; double: the shift rounds,
            // and exp turns its absolute error into a relative one of |x − lse| ulps.
            // The reference rounds too, by about |lse| ulps.
            const double arg = static_cast<double>(v[i]) - lse;
            CHECK(ulps(p[i], std::exp(arg)) <= (std::is_same_v<T, float> ? 1.0 : 4.0 + 4 * (std::abs(arg) + std::abs(lse))));
            CHECK(shifted[i] == p[i]);
        }
        CHECK(sum == Approx(1.0).epsilon(std::numeric_limits<T>::epsilon() * 8));
    }
}

TEMPLATE_TEST_CASE("the logistic loss and its derivative match the reference at any score", "[simd][math]", float, double) {
    using T = TestType;
    namespace s = shelf::simd;
    // In T's own precision: xsimd's exp and log1p, a division and two products.
    const double limit = 4.0, relative = 8 * std::numeric_limits<T>::epsilon();
    shelf::Rng rng(12);
    for (const std::size_t cols : {std::size_t{1}, std::size_t{3}, std::size_t{16}}) {
        const std::size_t rows = 101;  // rows × cols is not a whole number of chunks
        std::vector<T> z(rows * cols), y(rows), d(z.size());
        std::vector<double> loss(z.size());
        for (std::size_t i = 0; i < z.size(); ++i) z[i] = static_cast<T>(rng.normal() * (i % 7 == 0 ? 30 : 3));
        for (auto& label : y) label = T(rng.uniform() < 0.5);
        s::logistic_loss(z.data(), rows, cols, y.data(), d.data(), loss.data());
        for (std::size_t i = 0; i < z.size(); ++i) {
            const double zi = static_cast<double>(z[i]), yi = static_cast<double>(y[i / cols]);
            INFO("cols " << cols << ", score " << zi << ", label " << yi);
            CHECK(ulps(d[i], s::scalar::logistic_derivative(zi, yi)) <= limit);
            CHECK(loss[i] == Approx(s::scalar::logistic_loss(zi, yi)).epsilon(relative));
        }
        // In place, and either output alone, gives the same values.
        std::vector<T> in_place = z;
        std::vector<double> alone(z.size());
        s::logistic_loss(in_place.data(), rows, cols, y.data(), in_place.data(), nullptr);
        s::logistic_loss(z.data(), rows, cols, y.data(), static_cast<T*>(nullptr), alone.data());
        CHECK(in_place == d);
        CHECK(alone == loss);
    }
    SECTION("large scores: no overflow, the loss is linear in the score") {
        const std::vector<T> z{T(-200), T(200), T(-200), T(200)}, y{T(0), T(0), T(1), T(1)};
        std::vector<T> d(4);
        std::vector<double> loss(4);
        s::logistic_loss(z.data(), 4, 1, y.data(), d.data(), loss.data());
        const double tail = std::exp(-200.0);  // what a right answer carries beyond the linear part
        CHECK(loss[0] == Approx(static_cast<double>(static_cast<T>(tail))).epsilon(relative));
        CHECK(loss[1] == 200.0);
        CHECK(loss[2] == 200.0);
        CHECK(loss[3] == Approx(static_cast<double>(static_cast<T>(tail))).epsilon(relative));
        CHECK(static_cast<double>(d[0]) == Approx(static_cast<double>(static_cast<T>(tail))).epsilon(1e-6));
        CHECK(d[1] == T(1));
        CHECK(d[2] == T(-1));
        CHECK(static_cast<double>(d[3]) == Approx(-static_cast<double>(static_cast<T>(tail))).epsilon(1e-6));
    }
}

TEMPLATE_TEST_CASE("the softmax loss is log-sum-exp less the label's score, its derivative softmax less one-hot", "[simd][math]", float, double) {
    using T = TestType;
    const double relative = 16 * std::numeric_limits<T>::epsilon();
    shelf::Rng rng(13);
    for (const std::size_t classes : {std::size_t{1}, std::size_t{3}, std::size_t{26}, std::size_t{600}}) {
        const std::size_t models = 4, rows = 37, groups = rows * models;  // 600: a group longer than a chunk
        std::vector<T> z(groups * classes), y(rows), d(z.size());
        std::vector<double> loss(groups);
        for (auto& v : z) v = static_cast<T>(rng.normal() * 4);
        z[5] = T(500);  // no overflow
        for (auto& label : y) label = static_cast<T>(rng.uniform_index(classes));
        shelf::simd::softmax_loss(z.data(), groups, classes, models, y.data(), d.data(), loss.data());
        for (std::size_t g = 0; g < groups; ++g) {
            const T* row = z.data() + g * classes;
            const auto label = static_cast<std::size_t>(y[g / models]);
            const std::vector<double> wide(row, row + classes);
            const double lse = shelf::simd::scalar::log_sum_exp(wide.data(), classes);
            INFO("classes " << classes << ", group " << g);
            CHECK(loss[g] == Approx(lse - wide[label]).epsilon(relative).margin(relative));
            for (std::size_t k = 0; k < classes; ++k)
                CHECK(static_cast<double>(d[g * classes + k]) ==
                      Approx(std::exp(wide[k] - lse) - (k == label)).epsilon(relative).margin(relative));
        }
        std::vector<T> in_place = z;
        std::vector<double> alone(groups);
        shelf::simd::softmax_loss(in_place.data(), groups, classes, models, y.data(), in_place.data(), nullptr);
        shelf::simd::softmax_loss(z.data(), groups, classes, models, y.data(), static_cast<T*>(nullptr), alone.data());
        CHECK(in_place == d);
        CHECK(alone == loss);
    }
}
