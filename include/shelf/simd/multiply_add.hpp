// shelf/simd/multiply_add.hpp: a·b + c on scalars and on SIMD batches, rounded alike: once
// where the target has fused multiply-add (FMA3, FMA4, AVX-512, AArch64), twice where it has not
// (SSE, AVX without FMA).
//
// The SIMD kernels call the batch form, their scalar references and tails the scalar form, so
// they give the same bits on every target, at every optimisation level: xsimd 8.1's AVX-512
// fma is a multiply and an add that GCC fuses at -O2 and above but not at -O1 or under
// -ffp-contract=off, so the batch form issues the AVX-512 instruction itself. The scalar form
// never falls back to the C library's slow software std::fma.
#pragma once

#include <cmath>
#include <type_traits>

#include <xsimd/xsimd.hpp>

namespace shelf::simd {

/// Whether xsimd::fma on the compiled-in architecture rounds once.
inline constexpr bool fused_multiply_add =
    XSIMD_WITH_FMA3_SSE || XSIMD_WITH_FMA3_AVX || XSIMD_WITH_FMA3_AVX2 || XSIMD_WITH_FMA4 || XSIMD_WITH_AVX512F ||
    XSIMD_WITH_NEON64;

/// a·b + c, rounded as xsimd::fma rounds it on the compiled-in architecture.
template <class T>
T multiply_add(T a, T b, T c) noexcept {
    if constexpr (fused_multiply_add) return std::fma(a, b, c);
    else return a * b + c;  // no FMA unit on this target, so nothing fuses the two
}

/// x·y + z on batches, rounded as the scalar multiply_add on the same target.
template <class T, class A>
xsimd::batch<T, A> multiply_add(const xsimd::batch<T, A>& x, const xsimd::batch<T, A>& y,
                                const xsimd::batch<T, A>& z) noexcept {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, float>)
        return _mm512_fmadd_ps(x, y, z);
    else if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, double>)
        return _mm512_fmadd_pd(x, y, z);
    else
#endif
        return xsimd::fma(x, y, z);
}

}  // namespace shelf::simd
