// shelf/core/random.hpp: a small deterministic random number generator.
//
// std:: distributions differ between standard libraries, so shelf draws every
// random number from xoshiro256** (Blackman & Vigna) and its own samplers: the
// same seed gives the same model on every platform.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "types.hpp"

namespace shelf {

class Rng {
public:
    using result_type = std::uint64_t;

    /// Seeds the four state words from `seed` through splitmix64, as the authors recommend.
    explicit Rng(std::uint64_t seed = 0) noexcept {
        for (auto& word : state_) word = splitmix64(seed);
    }

    /// An independent generator for stream `stream` of `seed` (e.g. one per thread or tree),
    /// so parallel work is reproducible whatever the thread count.
    static Rng for_stream(std::uint64_t seed, std::uint64_t stream) noexcept {
        std::uint64_t mixed = seed;
        const std::uint64_t a = splitmix64(mixed);
        std::uint64_t s = stream ^ 0xD1B54A32D192ED03ull;
        return Rng(a ^ splitmix64(s));
    }

    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return ~result_type{0}; }

    /// The next 64 random bits.
    result_type operator()() noexcept {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// Uniform double in [0, 1) with 53 random bits.
    double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

    /// Uniform double in [lo, hi).
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

    /// Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n must be > 0.
    std::uint64_t uniform_index(std::uint64_t n) noexcept {
        __extension__ using u128 = unsigned __int128;  // GCC and Clang; silences -Wpedantic
        u128 m = static_cast<u128>((*this)()) * n;
        auto low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<u128>((*this)()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

    /// Standard normal by the polar method; the second variate is kept for the next call.
    double normal() noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u, v, s;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double factor = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = v * factor;
        has_spare_ = true;
        return u * factor;
    }

    double normal(double mean, double stddev) noexcept { return mean + stddev * normal(); }

    /// Gamma(shape, scale=1) by Marsaglia & Tsang (2000); shape < 1 by the boost u^(1/shape).
    double gamma(double shape) noexcept {
        if (shape < 1.0) {
            const double u = uniform();
            return gamma(shape + 1.0) * std::pow(u > 0.0 ? u : 0x1.0p-53, 1.0 / shape);
        }
        const double d = shape - 1.0 / 3.0;
        const double c = 1.0 / std::sqrt(9.0 * d);
        for (;;) {
            double x, v;
            do {
                x = normal();
                v = 1.0 + c * x;
            } while (v <= 0.0);
            v = v * v * v;
            const double u = uniform();
            if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
            if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
        }
    }

    /// Poisson(mean): multiplication method for small means, otherwise a gamma-Poisson
    /// split (Knuth, TAOCP 3.4.1) that keeps the cost logarithmic in the mean.
    std::uint64_t poisson(double mean) noexcept {
        std::uint64_t count = 0;
        while (mean > 16.0) {
            const auto m = static_cast<std::uint64_t>(mean * 0.875);
            const double g = gamma(static_cast<double>(m));
            if (g > mean) return count + binomial(m - 1, mean / g);
            count += m;
            mean -= g;
        }
        const double limit = std::exp(-mean);
        double product = uniform();
        while (product > limit) {
            ++count;
            product *= uniform();
        }
        return count;
    }

    /// Binomial(n, p) by counting for small n, by beta splitting otherwise.
    std::uint64_t binomial(std::uint64_t n, double p) noexcept {
        std::uint64_t count = 0;
        while (n > 32) {
            const std::uint64_t a = 1 + n / 2;
            const std::uint64_t b = n + 1 - a;
            const double ga = gamma(static_cast<double>(a));
            const double x = ga / (ga + gamma(static_cast<double>(b)));  // Beta(a, b)
            if (x >= p) {
                n = a - 1;
                p /= x;
            } else {
                count += a;
                n = b - 1;
                p = (p - x) / (1.0 - x);
            }
        }
        for (std::uint64_t i = 0; i < n; ++i) count += uniform() < p ? 1 : 0;
        return count;
    }

    /// Fisher–Yates shuffle of [first, last) for any random-access range.
    template <class It>
    void shuffle(It first, It last) noexcept {
        const auto n = static_cast<std::uint64_t>(last - first);
        for (std::uint64_t i = n; i > 1; --i) {
            const std::uint64_t j = uniform_index(i);
            using std::swap;
            swap(first[static_cast<std::ptrdiff_t>(i - 1)], first[static_cast<std::ptrdiff_t>(j)]);
        }
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    std::uint64_t state_[4];
    double spare_ = 0.0;
    bool has_spare_ = false;
};

/// `count` distinct rows of n, drawn uniformly by `rng` and sorted (all rows when count >= n).
inline std::vector<Index> sample_rows(Index n, std::int64_t count, Rng& rng) {
    std::vector<Index> rows(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) rows[static_cast<std::size_t>(i)] = i;
    if (count < n) {
        for (Index i = 0; i < count; ++i) {  // the first `count` steps of a Fisher–Yates shuffle
            const auto j = i + static_cast<Index>(rng.uniform_index(static_cast<std::uint64_t>(n - i)));
            std::swap(rows[static_cast<std::size_t>(i)], rows[static_cast<std::size_t>(j)]);
        }
        rows.resize(static_cast<std::size_t>(count));
        std::sort(rows.begin(), rows.end());
    }
    return rows;
}

}  // namespace shelf
