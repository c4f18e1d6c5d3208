// shelf/simd/math.hpp: exp, log, sigmoid, tanh, softmax and the logistic and softmax losses over
// arrays, in SIMD.
//
// The element-wise functions take each value in double, apply xsimd's double-precision
// function, and round back to T: for float that is std::exp (or log, tanh) correctly rounded
// within one ulp, at a fraction of its cost; for double, xsimd's own accuracy (a few ulps).
// As in kernels.hpp, each kernel is a functor taking the architecture first, the free
// functions call it for xsimd::default_arch, and shelf::simd::scalar holds the references the
// tests hold the kernels to. Objectives, losses, link functions and the forecaster's LSTM
// call these, never std::exp in a loop over data.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>

#include <xsimd/xsimd.hpp>

namespace shelf::simd {

namespace detail {

/// out[i] = f(x[i]) for `count` values (out may be x), each in double, rounded to T. `f` maps a
/// batch of doubles of `Arch`.
template <class Arch, class T, class F>
void map_in_double(const T* x, std::size_t count, T* out, F f) noexcept {
    using Batch = xsimd::batch<double, Arch>;
    constexpr std::size_t chunk = 256;
    static_assert(chunk % Batch::size == 0, "a chunk is a whole number of SIMD registers");
    alignas(64) double e[chunk];
    for (std::size_t i = 0; i < count; i += chunk) {
        const std::size_t m = std::min(chunk, count - i), padded = (m + Batch::size - 1) / Batch::size * Batch::size;
        for (std::size_t j = 0; j < m; ++j) e[j] = static_cast<double>(x[i + j]);
        std::fill(e + m, e + padded, 0.0);
        for (std::size_t j = 0; j < padded; j += Batch::size) f(Batch::load_aligned(e + j)).store_aligned(e + j);
        for (std::size_t j = 0; j < m; ++j) out[i + j] = static_cast<T>(e[j]);
    }
}

/// f folded over v[0 .. n) from `init` in four interleaved chains, then the chains joined by f
/// too (so f takes (A, V) and (A, A)): a single chain waits out each step's latency (a maximum
/// or a sum over a row of a few dozen classes).
template <class V, class A, class F>
A fold4(const V* v, std::size_t n, A init, F f) noexcept {
    A a[4] = {init, init, init, init};
    std::size_t k = 0;
    for (; k + 4 <= n; k += 4)
        for (std::size_t j = 0; j < 4; ++j) a[j] = f(a[j], v[k + j]);
    for (; k < n; ++k) a[0] = f(a[0], v[k]);
    return f(f(a[0], a[1]), f(a[2], a[3]));
}

/// Room for blocks of whole rows of `cols` values, `chunk` values at a time: on the stack, or for a
/// row longer than a chunk, one padded row on the heap. `rows_per_block` rows fit at once.
template <class V, std::size_t lanes>
struct RowBlocks {
    static constexpr std::size_t chunk = 512;
    alignas(64) V stack[chunk];
    std::vector<V> wide;
    V* data;
    std::size_t rows_per_block;
    explicit RowBlocks(std::size_t cols)
        : wide(cols > chunk ? (cols + lanes - 1) / lanes * lanes : 0), data(cols > chunk ? wide.data() : stack),
          rows_per_block(cols > chunk ? 1 : chunk / cols) {}
};

}  // namespace detail

/// out[i] = exp(x[i]).
struct Exp {
    template <class Arch, class T>
    void operator()(Arch, const T* x, std::size_t count, T* out) const noexcept {
        detail::map_in_double<Arch>(x, count, out, [](const auto& b) { return xsimd::exp(b); });
    }
};

/// out[i] = log(x[i]) (NaN below 0, −inf at 0).
struct Log {
    template <class Arch, class T>
    void operator()(Arch, const T* x, std::size_t count, T* out) const noexcept {
        detail::map_in_double<Arch>(x, count, out, [](const auto& b) { return xsimd::log(b); });
    }
};

/// out[i] = 1 / (1 + exp(−x[i])), the logistic function: 0 and 1 in the limits, never NaN for finite x.
struct Sigmoid {
    template <class Arch, class T>
    void operator()(Arch, const T* x, std::size_t count, T* out) const noexcept {
        detail::map_in_double<Arch>(x, count, out, [](const auto& b) {
            using Batch = std::decay_t<decltype(b)>;
            return Batch(1.0) / (Batch(1.0) + xsimd::exp(-b));
        });
    }
};

/// out[i] = tanh(x[i]).
struct Tanh {
    template <class Arch, class T>
    void operator()(Arch, const T* x, std::size_t count, T* out) const noexcept {
        detail::map_in_double<Arch>(x, count, out, [](const auto& b) { return xsimd::tanh(b); });
    }
};

/// Each of `rows` rows of `cols` values (row-major, in place) becomes its softmax: shifted by its
/// maximum in double (no overflow, and for float no rounding before the exp), exponentiated and
/// divided by its sum in double, rounded once. Rows are taken a block at a time, so that short
/// rows (a few classes) still fill the SIMD registers.
struct Softmax {
    template <class Arch, class T>
    void operator()(Arch, T* v, std::size_t rows, std::size_t cols) const {
        using Batch = xsimd::batch<double, Arch>;
        if (cols == 0) return;
        detail::RowBlocks<double, Batch::size> blocks(cols);
        double* e = blocks.data;
        const std::size_t per = blocks.rows_per_block;
        for (std::size_t r0 = 0; r0 < rows; r0 += per) {
            const std::size_t m = std::min(per, rows - r0), count = m * cols;
            const std::size_t padded = (count + Batch::size - 1) / Batch::size * Batch::size;
            for (std::size_t r = 0; r < m; ++r) {
                const T* row = v + (r0 + r) * cols;
                const auto top = static_cast<double>(*std::max_element(row, row + cols));
                for (std::size_t k = 0; k < cols; ++k) e[r * cols + k] = static_cast<double>(row[k]) - top;
            }
            std::fill(e + count, e + padded, 0.0);
            for (std::size_t j = 0; j < padded; j += Batch::size) xsimd::exp(Batch::load_unaligned(e + j)).store_unaligned(e + j);
            for (std::size_t r = 0; r < m; ++r) {
                T* row = v + (r0 + r) * cols;
                double sum = 0;
                for (std::size_t k = 0; k < cols; ++k) sum += e[r * cols + k];
                for (std::size_t k = 0; k < cols; ++k) row[k] = static_cast<T>(e[r * cols + k] / sum);
            }
        }
    }
};

/// The logistic loss of `rows` × `cols` scores z (row-major) against a 0/1 label per row, one exp
/// per score: with e = exp(−|z|), loss = max(z, 0) + log1p(e) − y·z (log(1 + exp z) − y·z, stable
/// at any z) and derivative = σ(z) − y, σ(z) = 1 / (1 + e) for z ≥ 0 and e / (1 + e) below.
/// Either output may be null; `derivative` may be z itself. Unlike the functions above it works
/// in T, not double: a training loss needs no more, and float runs twice the lanes of double (the
/// linear learner's sweep evaluates it for every model at every row of every epoch). The loss is
/// written in double, as it is summed.
struct LogisticLoss {
    template <class Arch, class T>
    void operator()(Arch, const T* z, std::size_t rows, std::size_t cols, const T* y, T* derivative,
                    double* loss) const noexcept {
        using Batch = xsimd::batch<T, Arch>;
        constexpr std::size_t chunk = 256;
        static_assert(chunk % Batch::size == 0, "a chunk is a whole number of SIMD registers");
        alignas(64) T s[chunk], label[chunk], d[chunk], l[chunk];
        const std::size_t count = rows * cols;
        std::size_t row = 0, col = 0;  // of element i
        for (std::size_t i = 0; i < count; i += chunk) {
            const std::size_t m = std::min(chunk, count - i), padded = (m + Batch::size - 1) / Batch::size * Batch::size;
            std::copy(z + i, z + i + m, s);
            for (std::size_t j = 0; j < m;) {  // the labels, a run of a row's columns at a time
                const std::size_t run = std::min(cols - col, m - j);
                std::fill(label + j, label + j + run, y[row]);
                j += run, col += run;
                if (col == cols) col = 0, ++row;
            }
            std::fill(s + m, s + padded, T(0));
            std::fill(label + m, label + padded, T(0));
            for (std::size_t j = 0; j < padded; j += Batch::size) {
                const Batch v = Batch::load_aligned(s + j), t = Batch::load_aligned(label + j);
                const Batch e = xsimd::exp(-xsimd::abs(v));
                if (derivative) {  // (1 − y)·σ(z) − y·σ(−z): no cancellation for y = 0 or 1
                    const Batch inverse = Batch(1) / (Batch(1) + e), small = e * inverse;
                    const auto positive = v >= Batch(0);
                    const Batch p = xsimd::select(positive, inverse, small), q = xsimd::select(positive, small, inverse);
                    ((Batch(1) - t) * p - t * q).store_aligned(d + j);
                }
                if (loss) ((xsimd::max(v, Batch(0)) - t * v) + xsimd::log1p(e)).store_aligned(l + j);  // exact first part
            }
            if (derivative) std::copy(d, d + m, derivative + i);
            if (loss)
                for (std::size_t j = 0; j < m; ++j) loss[i + j] = static_cast<double>(l[j]);
        }
    }
};

/// The softmax (cross-entropy) loss of `groups` runs of `classes` scores z (row-major), group g
/// labelled y[g / per_label] (a row of several models' scores carries one label): loss =
/// log Σ_k exp(z_k) − z_y, each group shifted by its maximum (no overflow), and derivative =
/// softmax(z) − one_hot(y). Either output may be null; `derivative` may be z itself. In T, as
/// LogisticLoss; groups are taken a block at a time, so that a few classes still fill registers.
struct SoftmaxLoss {
    template <class Arch, class T>
    void operator()(Arch, const T* z, std::size_t groups, std::size_t classes, std::size_t per_label, const T* y,
                    T* derivative, double* loss) const {
        using Batch = xsimd::batch<T, Arch>;
        if (classes == 0) return;
        detail::RowBlocks<T, Batch::size> blocks(classes);
        constexpr std::size_t chunk = detail::RowBlocks<T, Batch::size>::chunk;  // at least the groups per block
        alignas(64) T top[chunk];
        alignas(64) double sum[chunk], log_sum[chunk];
        T* e = blocks.data;
        const std::size_t per = blocks.rows_per_block;
        for (std::size_t g0 = 0; g0 < groups; g0 += per) {
            const std::size_t m = std::min(per, groups - g0), count = m * classes;
            const std::size_t padded = (count + Batch::size - 1) / Batch::size * Batch::size;
            const T* scores = z + g0 * classes;
            for (std::size_t g = 0; g < m; ++g) {
                const T* row = scores + g * classes;
                top[g] = detail::fold4(row, classes, row[0], [](T a, T b) { return std::max(a, b); });
                for (std::size_t k = 0; k < classes; ++k) e[g * classes + k] = row[k] - top[g];
            }
            std::fill(e + count, e + padded, T(0));
            for (std::size_t j = 0; j < padded; j += Batch::size)  // unaligned: the heap row may be
                xsimd::exp(Batch::load_unaligned(e + j)).store_unaligned(e + j);
            using Wide = xsimd::batch<double, Arch>;
            const std::size_t padded_groups = (m + Wide::size - 1) / Wide::size * Wide::size;
            for (std::size_t g = 0; g < m; ++g)
                sum[g] = detail::fold4(e + g * classes, classes, 0.0, [](double a, auto b) { return a + static_cast<double>(b); });
            std::fill(sum + m, sum + padded_groups, 1.0);
            // log(sum) as log1p(sum − 1), exact since sum ≥ 1 (the maximum contributes e^0): xsimd
            // 8.1's log does not compile at -O0 with AVX-512 (its select on integer lanes).
            if (loss)
                for (std::size_t j = 0; j < padded_groups; j += Wide::size)
                    xsimd::log1p(Wide::load_aligned(sum + j) - Wide(1.0)).store_aligned(log_sum + j);
            for (std::size_t g = 0; g < m; ++g) {
                const auto label = static_cast<std::size_t>(y[(g0 + g) / per_label]);
                if (loss) loss[g0 + g] = log_sum[g] - static_cast<double>(scores[g * classes + label] - top[g]);
                if (!derivative) continue;
                T* out = derivative + (g0 + g) * classes;
                const auto inverse = static_cast<T>(1.0 / sum[g]);
                for (std::size_t k = 0; k < classes; ++k) out[k] = e[g * classes + k] * inverse;
                out[label] -= T(1);
            }
        }
    }
};

template <class T>
void exp(const T* x, std::size_t count, T* out) noexcept { Exp{}(xsimd::default_arch{}, x, count, out); }
template <class T>
void log(const T* x, std::size_t count, T* out) noexcept { Log{}(xsimd::default_arch{}, x, count, out); }
template <class T>
void sigmoid(const T* x, std::size_t count, T* out) noexcept { Sigmoid{}(xsimd::default_arch{}, x, count, out); }
template <class T>
void tanh(const T* x, std::size_t count, T* out) noexcept { Tanh{}(xsimd::default_arch{}, x, count, out); }
template <class T>
void logistic_loss(const T* z, std::size_t rows, std::size_t cols, const T* y, T* derivative, double* loss) noexcept {
    LogisticLoss{}(xsimd::default_arch{}, z, rows, cols, y, derivative, loss);
}
template <class T>
void softmax_loss(const T* z, std::size_t groups, std::size_t classes, std::size_t per_label, const T* y,
                  T* derivative, double* loss) {
    SoftmaxLoss{}(xsimd::default_arch{}, z, groups, classes, per_label, y, derivative, loss);
}
template <class T>
void softmax(T* v, std::size_t rows, std::size_t cols) { Softmax{}(xsimd::default_arch{}, v, rows, cols); }

namespace scalar {

/// The references: one value at a time, in double, through the C library.
inline double exp(double x) noexcept { return std::exp(x); }
inline double log(double x) noexcept { return std::log(x); }
inline double sigmoid(double x) noexcept { return 1.0 / (1.0 + std::exp(-x)); }
inline double tanh(double x) noexcept { return std::tanh(x); }
/// log(1 + e^z) − y·z and σ(z) − y.
inline double logistic_loss(double z, double y) noexcept { return std::max(z, 0.0) - y * z + std::log1p(std::exp(-std::abs(z))); }
inline double logistic_derivative(double z, double y) noexcept { return (1 - y) * sigmoid(z) - y * sigmoid(-z); }
inline double log_sum_exp(const double* v, std::size_t n) noexcept {
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < n; ++k) top = std::max(top, v[k]);
    if (!std::isfinite(top)) return top;
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum += std::exp(v[k] - top);
    return top + std::log(sum);
}

}  // namespace scalar

}  // namespace shelf::simd
