// shelf/simd/multiply_add.hpp: the scalar a·b + c that rounds as xsimd::fma does on the target.
//
// xsimd::fma is one fused instruction where the target has one (FMA3, FMA4, AVX-512, AArch64)
// and a multiply then an add, rounded twice, where it has not (SSE, AVX without FMA). The
// scalar references and the tails of the SIMD loops use this, so they give the SIMD loops'
// bits on every target, and never fall back to the C library's slow software std::fma.
#pragma once

#include <cmath>

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

}  // namespace shelf::simd
