// shelf/simd/skinny.hpp: products of a block of rows with a matrix of few columns, each beside
// its scalar reference.
//
// The linear learner multiplies each mini-batch (a thousand rows of d features) by the weights
// of the models one thread trains (d × a few dozen columns), and back. A GEMM library packs
// both operands first, and here packing the rows costs as much as the product. These loops
// keep a few rows' worth of accumulators in registers instead, one SIMD batch of columns wide,
// and read each operand where it lies (the columns past the last whole SIMD batch are copied
// into one, zero-padded). Every output element is a chain of multiply-adds in the order of
// the inner index, rounded alike (multiply_add.hpp) (multiply_add.hpp), so the SIMD loops and the
// scalar references give the same bits on every target.
#pragma once

#include <vector>

#include <xsimd/xsimd.hpp>

#include "shelf/core/types.hpp"
#include "shelf/simd/multiply_add.hpp"

namespace shelf::simd {

/// out(r, k) = Σ_j A(r, j) · W(j, k) for the m × d row-major A (leading dimension lda), the
/// d × c row-major W (ldw) and the m × c row-major out (ldo), which is overwritten.
struct RowsTimes {
    template <class Arch, class T>
    void operator()(Arch, const T* A, Index lda, const T* W, Index ldw, Index m, Index d, Index c, T* out,
                    Index ldo) const;
};

/// G(j, k) += Σ_r A(r, j) · S(r, k) (G += Aᵀ S) for the m × d row-major A (lda), the m × c
/// row-major S (lds) and the d × c row-major G (ldg).
struct AddTransposedTimes {
    template <class Arch, class T>
    void operator()(Arch, const T* A, Index lda, const T* S, Index lds, Index m, Index d, Index c, T* G,
                    Index ldg) const;
};

namespace detail {

/// The first `count` lanes of v, stored at out.
template <class B, class T>
void store_lanes(const B& v, T* out, Index count) noexcept {
    alignas(64) T lanes[B::size];
    v.store_aligned(lanes);
    for (Index i = 0; i < count; ++i) out[i] = lanes[i];
}

/// rows × width values at `from` (leading dimension ld), as rows × N with zeros past `width`:
/// the columns past the last whole batch, made into one.
template <class T>
std::vector<T> padded(const T* from, Index ld, Index rows, Index width, Index N) {
    std::vector<T> out(static_cast<std::size_t>(rows * N), T(0));
    for (Index r = 0; r < rows; ++r)
        for (Index k = 0; k < width; ++k) out[static_cast<std::size_t>(r * N + k)] = from[r * ld + k];
    return out;
}

}  // namespace detail

template <class Arch, class T>
void RowsTimes::operator()(Arch, const T* A, Index lda, const T* W, Index ldw, Index m, Index d, Index c, T* out,
                           Index ldo) const {
    using B = xsimd::batch<T, Arch>;
    constexpr Index N = B::size, R = 4;  // R rows at a time: independent chains hide the FMA latency
    // One batch of columns k .. k + width: from W (leading dimension ld) into out.
    auto columns = [&](const T* w_at, Index ld, Index k, Index width) {
        auto put = [&](const B& v, Index r) {
            if (width == N) v.store_unaligned(out + r * ldo + k);
            else detail::store_lanes(v, out + r * ldo + k, width);
        };
        Index r = 0;
        for (; r + R <= m; r += R) {
            const T* a = A + r * lda;
            B s0(T(0)), s1(T(0)), s2(T(0)), s3(T(0));
            for (Index j = 0; j < d; ++j) {
                const B w = B::load_unaligned(w_at + j * ld);
                s0 = multiply_add(B(a[j]), w, s0);
                s1 = multiply_add(B(a[lda + j]), w, s1);
                s2 = multiply_add(B(a[2 * lda + j]), w, s2);
                s3 = multiply_add(B(a[3 * lda + j]), w, s3);
            }
            put(s0, r), put(s1, r + 1), put(s2, r + 2), put(s3, r + 3);
        }
        for (; r < m; ++r) {
            B s(T(0));
            for (Index j = 0; j < d; ++j) s = multiply_add(B(A[r * lda + j]), B::load_unaligned(w_at + j * ld), s);
            put(s, r);
        }
    };
    const Index whole = c - c % N;
    for (Index k = 0; k < whole; k += N) columns(W + k, ldw, k, N);
    if (whole < c) {
        const std::vector<T> tail = detail::padded(W + whole, ldw, d, c - whole, N);
        columns(tail.data(), N, whole, c - whole);
    }
}

template <class Arch, class T>
void AddTransposedTimes::operator()(Arch, const T* A, Index lda, const T* S, Index lds, Index m, Index d, Index c,
                                    T* G, Index ldg) const {
    using B = xsimd::batch<T, Arch>;
    constexpr Index N = B::size, R = 4;  // R rows of G at a time, each S row loaded once for them
    // One batch of columns k .. k + width: S from s_at (leading dimension ld) into G.
    auto columns = [&](const T* s_at, Index ld, Index k, Index width) {
        auto get = [&](Index j) {
            if (width == N) return B::load_unaligned(G + j * ldg + k);
            alignas(64) T lanes[N] = {};
            for (Index i = 0; i < width; ++i) lanes[i] = G[j * ldg + k + i];
            return B::load_aligned(lanes);
        };
        auto put = [&](const B& v, Index j) {
            if (width == N) v.store_unaligned(G + j * ldg + k);
            else detail::store_lanes(v, G + j * ldg + k, width);
        };
        Index j = 0;
        for (; j + R <= d; j += R) {
            B g0 = get(j), g1 = get(j + 1), g2 = get(j + 2), g3 = get(j + 3);
            for (Index r = 0; r < m; ++r) {
                const B s = B::load_unaligned(s_at + r * ld);
                const T* a = A + r * lda + j;
                g0 = multiply_add(B(a[0]), s, g0);
                g1 = multiply_add(B(a[1]), s, g1);
                g2 = multiply_add(B(a[2]), s, g2);
                g3 = multiply_add(B(a[3]), s, g3);
            }
            put(g0, j), put(g1, j + 1), put(g2, j + 2), put(g3, j + 3);
        }
        for (; j < d; ++j) {
            B g = get(j);
            for (Index r = 0; r < m; ++r) g = multiply_add(B(A[r * lda + j]), B::load_unaligned(s_at + r * ld), g);
            put(g, j);
        }
    };
    const Index whole = c - c % N;
    for (Index k = 0; k < whole; k += N) columns(S + k, lds, k, N);
    if (whole < c) {
        const std::vector<T> tail = detail::padded(S + whole, lds, m, c - whole, N);
        columns(tail.data(), N, whole, c - whole);
    }
}

template <class T>
void rows_times(const T* A, Index lda, const T* W, Index ldw, Index m, Index d, Index c, T* out, Index ldo) {
    RowsTimes{}(xsimd::default_arch{}, A, lda, W, ldw, m, d, c, out, ldo);
}

template <class T>
void add_transposed_times(const T* A, Index lda, const T* S, Index lds, Index m, Index d, Index c, T* G,
                          Index ldg) {
    AddTransposedTimes{}(xsimd::default_arch{}, A, lda, S, lds, m, d, c, G, ldg);
}

namespace scalar {

template <class T>
void rows_times(const T* A, Index lda, const T* W, Index ldw, Index m, Index d, Index c, T* out, Index ldo) noexcept {
    for (Index r = 0; r < m; ++r)
        for (Index k = 0; k < c; ++k) {
            T s(0);
            for (Index j = 0; j < d; ++j) s = multiply_add(A[r * lda + j], W[j * ldw + k], s);
            out[r * ldo + k] = s;
        }
}

template <class T>
void add_transposed_times(const T* A, Index lda, const T* S, Index lds, Index m, Index d, Index c, T* G,
                          Index ldg) noexcept {
    for (Index j = 0; j < d; ++j)
        for (Index k = 0; k < c; ++k) {
            T g = G[j * ldg + k];
            for (Index r = 0; r < m; ++r) g = multiply_add(A[r * lda + j], S[r * lds + k], g);
            G[j * ldg + k] = g;
        }
}

}  // namespace scalar

}  // namespace shelf::simd
