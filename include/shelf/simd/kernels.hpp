// shelf/simd/kernels.hpp: the xsimd loops under the distance kernels, each beside its scalar reference.
//
// A kernel is a functor whose operator() takes the target architecture first
// (xsimd's dispatch convention), so a runtime-dispatch build could instantiate it
// once per instruction set; the free functions below call it for
// xsimd::default_arch, the widest set the compiler was allowed to use. The
// functions in shelf::simd::scalar compute the same numbers one element at a
// time (multiply-adds rounded as the SIMD loop's, so ties break identically);
// the tests hold the SIMD loops to them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "shelf/core/types.hpp"
#include "shelf/simd/multiply_add.hpp"

namespace shelf::simd {

/// Σ (a[i] − b[i])² over n entries.
struct SquaredL2 {
    template <class Arch, class T>
    T operator()(Arch, const T* a, const T* b, Index n) const noexcept;
};

/// A running argmin down the columns of a block of inner products.
///
/// `dots` holds `rows` × `cols` inner products <c_r, x_j> (row-major, leading
/// dimension `ld`) between candidates c_r and points x_j; `norms[r]` = ‖c_r‖².
/// For each point j the candidate minimising ‖c_r‖² − 2<c_r, x_j> (its squared
/// distance less the constant ‖x_j‖²) is merged into `best[j]` / `best_row[j]`,
/// numbering candidates from `first_row`. Ties keep the lowest index, so offering
/// the candidates in blocks of increasing index gives the same answer as one block.
struct ArgminColumns {
    template <class Arch, class T>
    void operator()(Arch, const T* dots, Index ld, Index rows, Index cols, const T* norms, std::int32_t first_row,
                    T* best, std::int32_t* best_row) const noexcept;
};

/// ArgminColumns that also keeps the second-smallest value of each column in `second`
/// (Hamerly's k-means keeps it as a lower bound on the distance to every other center).
struct Argmin2Columns {
    template <class Arch, class T>
    void operator()(Arch, const T* dots, Index ld, Index rows, Index cols, const T* norms, std::int32_t first_row,
                    T* best, T* second, std::int32_t* best_row) const noexcept;
};

/// Whether all n entries are finite (no NaN, no infinity).
struct AllFinite {
    template <class Arch, class T>
    bool operator()(Arch, const T* x, Index n) const noexcept;
};

/// dst = src − shift over n entries (no shift when `shift` is null); returns ‖dst‖².
struct ShiftedCopy {
    template <class Arch, class T>
    T operator()(Arch, const T* src, const T* shift, T* dst, Index n) const noexcept;
};

/// Calls on_hit(j, distance) for each j in [0, n) whose distance
/// max(qn + cn[j] − scale·dots[j], floor) is below `threshold`, re-reading the threshold
/// after each hit (the caller tightens it as its top-k list fills). Squared Euclidean
/// distances from inner products and squared norms: scale 2, floor 0; negated inner
/// products: zero norms, scale 1, floor −∞.
struct ScanBelow {
    template <class Arch, class T, class F>
    void operator()(Arch, const T* dots, const T* cn, T qn, Index n, T scale, T floor, const T& threshold,
                    F&& on_hit) const;
};

/// Σ a[i]·b[i] over n entries.
struct InnerProduct {
    template <class Arch, class T>
    T operator()(Arch, const T* a, const T* b, Index n) const noexcept;
};

/// Squared L2 distance to a vector stored as 8-bit codes of a per-dimension affine quantizer,
/// x[i] ≈ low[i] + scale[i]·code[i]: Σ (q[i] − scale[i]·code[i])² over n entries, where the
/// caller passes q = query − low.
struct SquaredL2Codes {
    template <class Arch>
    float operator()(Arch, const float* q, const float* scale, const std::uint8_t* code, Index n) const noexcept;
};

/// Σ w[i]·code[i] over n entries (an inner product with codes as above, w = query·scale, less the
/// constant <query, low>).
struct InnerProductCodes {
    template <class Arch>
    float operator()(Arch, const float* w, const std::uint8_t* code, Index n) const noexcept;
};

// ---- definitions -------------------------------------------------------------

template <class Arch, class T>
T SquaredL2::operator()(Arch, const T* a, const T* b, Index n) const noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    batch acc0(T(0)), acc1(T(0));
    Index i = 0;
    for (; i + 2 * S <= n; i += 2 * S) {
        const batch d0 = batch::load_unaligned(a + i) - batch::load_unaligned(b + i);
        const batch d1 = batch::load_unaligned(a + i + S) - batch::load_unaligned(b + i + S);
        acc0 = multiply_add(d0, d0, acc0);
        acc1 = multiply_add(d1, d1, acc1);
    }
    for (; i + S <= n; i += S) {
        const batch d0 = batch::load_unaligned(a + i) - batch::load_unaligned(b + i);
        acc0 = multiply_add(d0, d0, acc0);
    }
    T sum = xsimd::hadd(acc0 + acc1);
    for (; i < n; ++i) sum = multiply_add(a[i] - b[i], a[i] - b[i], sum);
    return sum;
}

template <class Arch, class T>
bool AllFinite::operator()(Arch, const T* x, Index n) const noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    // x − x is 0 for a finite x and NaN otherwise; a NaN anywhere survives the sum.
    batch acc0(T(0)), acc1(T(0));
    Index i = 0;
    for (; i + 2 * S <= n; i += 2 * S) {
        const batch a = batch::load_unaligned(x + i), b = batch::load_unaligned(x + i + S);
        acc0 += a - a;
        acc1 += b - b;
    }
    for (; i + S <= n; i += S) {
        const batch a = batch::load_unaligned(x + i);
        acc0 += a - a;
    }
    T sum = xsimd::hadd(acc0 + acc1);
    for (; i < n; ++i) sum += x[i] - x[i];
    return sum == T(0);
}

template <class Arch, class T>
T ShiftedCopy::operator()(Arch, const T* src, const T* shift, T* dst, Index n) const noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    batch acc(T(0));
    Index i = 0;
    for (; i + S <= n; i += S) {
        batch v = batch::load_unaligned(src + i);
        if (shift) v = v - batch::load_unaligned(shift + i);
        v.store_unaligned(dst + i);
        acc = multiply_add(v, v, acc);
    }
    T sum = xsimd::hadd(acc);
    for (; i < n; ++i) {
        dst[i] = shift ? src[i] - shift[i] : src[i];
        sum = multiply_add(dst[i], dst[i], sum);
    }
    return sum;
}

template <class Arch, class T>
void ArgminColumns::operator()(Arch, const T* dots, Index ld, Index rows, Index cols, const T* norms,
                               std::int32_t first_row, T* best, std::int32_t* best_row) const noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    constexpr Index U = 4;  // independent min chains in flight: the compare/blend latency dominates otherwise
    const batch two(T(2));
    // Local row numbers are exact in T (callers keep blocks under 2^24 rows), so the index
    // travels in a T register beside the value and is converted once per column.
    alignas(64) T lane_value[U * S];
    alignas(64) T lane_row[U * S];
    auto merge = [&](Index j0, Index count) {
        for (Index l = 0; l < count; ++l)
            if (lane_value[l] < best[j0 + l]) {
                best[j0 + l] = lane_value[l];
                best_row[j0 + l] = first_row + static_cast<std::int32_t>(lane_row[l]);
            }
    };
    Index j = 0;
    for (; j + U * S <= cols; j += U * S) {
        batch v[U], r[U];
        for (Index u = 0; u < U; ++u) v[u] = batch(std::numeric_limits<T>::infinity()), r[u] = batch(T(0));
        for (Index row = 0; row < rows; ++row) {
            const T* p = dots + row * ld + j;
            const batch n(norms[row]), idx(static_cast<T>(row));
            for (Index u = 0; u < U; ++u) {
                const batch d = xsimd::fnma(two, batch::load_unaligned(p + u * S), n);
                const auto less = d < v[u];
                v[u] = xsimd::select(less, d, v[u]);
                r[u] = xsimd::select(less, idx, r[u]);
            }
        }
        for (Index u = 0; u < U; ++u) {
            v[u].store_aligned(lane_value + u * S);
            r[u].store_aligned(lane_row + u * S);
        }
        merge(j, U * S);
    }
    for (; j + S <= cols; j += S) {
        batch v(std::numeric_limits<T>::infinity()), r(T(0));
        for (Index row = 0; row < rows; ++row) {
            const batch d = xsimd::fnma(two, batch::load_unaligned(dots + row * ld + j), batch(norms[row]));
            const auto less = d < v;
            v = xsimd::select(less, d, v);
            r = xsimd::select(less, batch(static_cast<T>(row)), r);
        }
        v.store_aligned(lane_value);
        r.store_aligned(lane_row);
        merge(j, S);
    }
    for (; j < cols; ++j)
        for (Index row = 0; row < rows; ++row) {
            const T d = multiply_add(T(-2), dots[row * ld + j], norms[row]);
            if (d < best[j]) best[j] = d, best_row[j] = first_row + static_cast<std::int32_t>(row);
        }
}

template <class Arch, class T>
void Argmin2Columns::operator()(Arch, const T* dots, Index ld, Index rows, Index cols, const T* norms,
                                std::int32_t first_row, T* best, T* second, std::int32_t* best_row) const noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    constexpr Index U = 2;
    const batch two(T(2)), inf(std::numeric_limits<T>::infinity());
    alignas(64) T lane_value[U * S], lane_second[U * S], lane_row[U * S];
    // Merging a block's (best, second) into the running pair: the two smallest of four values.
    auto merge = [&](Index j0, Index count) {
        for (Index l = 0; l < count; ++l) {
            const Index j = j0 + l;
            if (lane_value[l] < best[j]) {
                second[j] = std::min(best[j], lane_second[l]);
                best[j] = lane_value[l];
                best_row[j] = first_row + static_cast<std::int32_t>(lane_row[l]);
            } else {
                second[j] = std::min(second[j], lane_value[l]);
            }
        }
    };
    auto step = [&](const batch& d, batch& v, batch& w, batch& r, const batch& idx) {
        const auto less = d < v;
        w = xsimd::select(less, v, xsimd::min(w, d));
        v = xsimd::select(less, d, v);
        r = xsimd::select(less, idx, r);
    };
    Index j = 0;
    for (; j + U * S <= cols; j += U * S) {
        batch v[U], w[U], r[U];
        for (Index u = 0; u < U; ++u) v[u] = inf, w[u] = inf, r[u] = batch(T(0));
        for (Index row = 0; row < rows; ++row) {
            const T* p = dots + row * ld + j;
            const batch n(norms[row]), idx(static_cast<T>(row));
            for (Index u = 0; u < U; ++u) step(xsimd::fnma(two, batch::load_unaligned(p + u * S), n), v[u], w[u], r[u], idx);
        }
        for (Index u = 0; u < U; ++u) {
            v[u].store_aligned(lane_value + u * S);
            w[u].store_aligned(lane_second + u * S);
            r[u].store_aligned(lane_row + u * S);
        }
        merge(j, U * S);
    }
    for (; j + S <= cols; j += S) {
        batch v = inf, w = inf, r(T(0));
        for (Index row = 0; row < rows; ++row)
            step(xsimd::fnma(two, batch::load_unaligned(dots + row * ld + j), batch(norms[row])), v, w, r,
                 batch(static_cast<T>(row)));
        v.store_aligned(lane_value);
        w.store_aligned(lane_second);
        r.store_aligned(lane_row);
        merge(j, S);
    }
    for (; j < cols; ++j)
        for (Index row = 0; row < rows; ++row) {
            const T d = multiply_add(T(-2), dots[row * ld + j], norms[row]);
            if (d < best[j]) {
                second[j] = best[j];
                best[j] = d;
                best_row[j] = first_row + static_cast<std::int32_t>(row);
            } else {
                second[j] = std::min(second[j], d);
            }
        }
}

template <class Arch, class T, class F>
void ScanBelow::operator()(Arch, const T* dots, const T* cn, T qn, Index n, T scale, T floor, const T& threshold,
                           F&& on_hit) const {
    using batch = xsimd::batch<T, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    const batch s(scale), q(qn), low(floor);
    alignas(64) T lane[S];
    Index j = 0;
    for (; j + S <= n; j += S) {
        const batch d = xsimd::max(xsimd::fnma(s, batch::load_unaligned(dots + j), q + batch::load_unaligned(cn + j)), low);
        if (!xsimd::any(d < batch(threshold))) continue;  // the common case once the list is full
        d.store_aligned(lane);
        for (Index l = 0; l < S; ++l)
            if (lane[l] < threshold) on_hit(j + l, lane[l]);
    }
    for (; j < n; ++j) {
        const T d = std::max(multiply_add(-scale, dots[j], qn + cn[j]), floor);
        if (d < threshold) on_hit(j, d);
    }
}

template <class Arch, class T>
T InnerProduct::operator()(Arch, const T* a, const T* b, Index n) const noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    batch acc0(T(0)), acc1(T(0));
    Index i = 0;
    for (; i + 2 * S <= n; i += 2 * S) {
        acc0 = multiply_add(batch::load_unaligned(a + i), batch::load_unaligned(b + i), acc0);
        acc1 = multiply_add(batch::load_unaligned(a + i + S), batch::load_unaligned(b + i + S), acc1);
    }
    for (; i + S <= n; i += S) acc0 = multiply_add(batch::load_unaligned(a + i), batch::load_unaligned(b + i), acc0);
    T sum = xsimd::hadd(acc0 + acc1);
    for (; i < n; ++i) sum = multiply_add(a[i], b[i], sum);
    return sum;
}

namespace detail {

/// batch::size codes from `code` as floats. xsimd 8.1 widens 8-bit integers to floats only
/// through memory, so AVX-512 and AVX2 take their intrinsics; other targets go through a buffer.
template <class Arch>
xsimd::batch<float, Arch> widen_codes(Arch, const std::uint8_t* code) noexcept {
    using batch = xsimd::batch<float, Arch>;
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>)
        return batch(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(code)))));
    else
#endif
#if XSIMD_WITH_AVX2
    if constexpr (std::is_base_of_v<xsimd::avx2, Arch>)
        return batch(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(code)))));
    else
#endif
    {
        alignas(64) float lanes[batch::size];
        for (std::size_t l = 0; l < batch::size; ++l) lanes[l] = static_cast<float>(code[l]);
        return batch::load_aligned(lanes);
    }
}

}  // namespace detail

template <class Arch>
float SquaredL2Codes::operator()(Arch arch, const float* q, const float* scale, const std::uint8_t* code,
                                 Index n) const noexcept {
    using batch = xsimd::batch<float, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    batch acc0(0.0f), acc1(0.0f);
    Index i = 0;
    for (; i + 2 * S <= n; i += 2 * S) {
        const batch d0 = xsimd::fnma(batch::load_unaligned(scale + i), detail::widen_codes(arch, code + i),
                                     batch::load_unaligned(q + i));
        const batch d1 = xsimd::fnma(batch::load_unaligned(scale + i + S), detail::widen_codes(arch, code + i + S),
                                     batch::load_unaligned(q + i + S));
        acc0 = multiply_add(d0, d0, acc0);
        acc1 = multiply_add(d1, d1, acc1);
    }
    for (; i + S <= n; i += S) {
        const batch d0 = xsimd::fnma(batch::load_unaligned(scale + i), detail::widen_codes(arch, code + i),
                                     batch::load_unaligned(q + i));
        acc0 = multiply_add(d0, d0, acc0);
    }
    float sum = xsimd::hadd(acc0 + acc1);
    for (; i < n; ++i) {
        const float d = q[i] - scale[i] * static_cast<float>(code[i]);
        sum = multiply_add(d, d, sum);
    }
    return sum;
}

template <class Arch>
float InnerProductCodes::operator()(Arch arch, const float* w, const std::uint8_t* code, Index n) const noexcept {
    using batch = xsimd::batch<float, Arch>;
    constexpr Index S = static_cast<Index>(batch::size);
    batch acc0(0.0f), acc1(0.0f);
    Index i = 0;
    for (; i + 2 * S <= n; i += 2 * S) {
        acc0 = multiply_add(batch::load_unaligned(w + i), detail::widen_codes(arch, code + i), acc0);
        acc1 = multiply_add(batch::load_unaligned(w + i + S), detail::widen_codes(arch, code + i + S), acc1);
    }
    for (; i + S <= n; i += S) acc0 = multiply_add(batch::load_unaligned(w + i), detail::widen_codes(arch, code + i), acc0);
    float sum = xsimd::hadd(acc0 + acc1);
    for (; i < n; ++i) sum = multiply_add(w[i], static_cast<float>(code[i]), sum);
    return sum;
}

// ---- entry points for the compiled-in architecture ---------------------------

template <class T>
T squared_l2(const T* a, const T* b, Index n) noexcept {
    return SquaredL2{}(xsimd::default_arch{}, a, b, n);
}

template <class T>
bool all_finite(const T* x, Index n) noexcept {
    return AllFinite{}(xsimd::default_arch{}, x, n);
}

template <class T>
T shifted_copy(const T* src, const T* shift, T* dst, Index n) noexcept {
    return ShiftedCopy{}(xsimd::default_arch{}, src, shift, dst, n);
}

template <class T>
void argmin_columns(const T* dots, Index ld, Index rows, Index cols, const T* norms, std::int32_t first_row, T* best,
                    std::int32_t* best_row) noexcept {
    ArgminColumns{}(xsimd::default_arch{}, dots, ld, rows, cols, norms, first_row, best, best_row);
}

template <class T>
void argmin2_columns(const T* dots, Index ld, Index rows, Index cols, const T* norms, std::int32_t first_row, T* best,
                     T* second, std::int32_t* best_row) noexcept {
    Argmin2Columns{}(xsimd::default_arch{}, dots, ld, rows, cols, norms, first_row, best, second, best_row);
}

template <class T, class F>
void scan_below(const T* dots, const T* cn, T qn, Index n, T scale, T floor, const T& threshold, F&& on_hit) {
    ScanBelow{}(xsimd::default_arch{}, dots, cn, qn, n, scale, floor, threshold, std::forward<F>(on_hit));
}

template <class T>
T inner_product(const T* a, const T* b, Index n) noexcept {
    return InnerProduct{}(xsimd::default_arch{}, a, b, n);
}

inline float squared_l2_codes(const float* q, const float* scale, const std::uint8_t* code, Index n) noexcept {
    return SquaredL2Codes{}(xsimd::default_arch{}, q, scale, code, n);
}

inline float inner_product_codes(const float* w, const std::uint8_t* code, Index n) noexcept {
    return InnerProductCodes{}(xsimd::default_arch{}, w, code, n);
}

/// One element at a time: the reference the SIMD loops are tested against.
namespace scalar {

template <class T>
T squared_l2(const T* a, const T* b, Index n) noexcept {
    T sum = 0;
    for (Index i = 0; i < n; ++i) sum = multiply_add(a[i] - b[i], a[i] - b[i], sum);
    return sum;
}

template <class T>
T shifted_copy(const T* src, const T* shift, T* dst, Index n) noexcept {
    T sum = 0;
    for (Index i = 0; i < n; ++i) {
        dst[i] = shift ? src[i] - shift[i] : src[i];
        sum = multiply_add(dst[i], dst[i], sum);
    }
    return sum;
}

template <class T>
void argmin_columns(const T* dots, Index ld, Index rows, Index cols, const T* norms, std::int32_t first_row, T* best,
                    std::int32_t* best_row) noexcept {
    for (Index j = 0; j < cols; ++j)
        for (Index row = 0; row < rows; ++row) {
            const T d = multiply_add(T(-2), dots[row * ld + j], norms[row]);
            if (d < best[j]) best[j] = d, best_row[j] = first_row + static_cast<std::int32_t>(row);
        }
}

template <class T>
void argmin2_columns(const T* dots, Index ld, Index rows, Index cols, const T* norms, std::int32_t first_row, T* best,
                     T* second, std::int32_t* best_row) noexcept {
    for (Index j = 0; j < cols; ++j)
        for (Index row = 0; row < rows; ++row) {
            const T d = multiply_add(T(-2), dots[row * ld + j], norms[row]);
            if (d < best[j]) {
                second[j] = best[j];
                best[j] = d;
                best_row[j] = first_row + static_cast<std::int32_t>(row);
            } else {
                second[j] = std::min(second[j], d);
            }
        }
}

template <class T>
T inner_product(const T* a, const T* b, Index n) noexcept {
    T sum = 0;
    for (Index i = 0; i < n; ++i) sum = multiply_add(a[i], b[i], sum);
    return sum;
}

inline float squared_l2_codes(const float* q, const float* scale, const std::uint8_t* code, Index n) noexcept {
    float sum = 0;
    for (Index i = 0; i < n; ++i) {
        const float d = q[i] - scale[i] * static_cast<float>(code[i]);
        sum = multiply_add(d, d, sum);
    }
    return sum;
}

inline float inner_product_codes(const float* w, const std::uint8_t* code, Index n) noexcept {
    float sum = 0;
    for (Index i = 0; i < n; ++i) sum = multiply_add(w[i], static_cast<float>(code[i]), sum);
    return sum;
}

}  // namespace scalar

}  // namespace shelf::simd
