// shelf/simd/tree_walk.hpp: 64 rows down a complete tree at once (AVX-512), beside its scalar reference.
//
// A tree of depth d <= 6 padded to a complete tree keeps each level's 2^l splits in two
// registers; 16 rows step down a level with two register permutes and one gather of their
// feature values. This measured 3x the scalar lock-step walk on AMD Zen 4 (docs/gbt.md), where
// gathering the nodes themselves was slower than not vectorising. xsimd 8.1 has no runtime
// two-register permute, so this is the one kernel written with intrinsics; builds without
// AVX-512 use gbt's scalar lock-step walk, and the tests hold both to the reference below.
//
// Layout: `split_value` / `split_code` hold the levels one after the other (level l's 2^l
// nodes at offset 2^l - 1); a code is the feature index | (missing values go left) << 31, a
// padding node sends every row left with threshold +inf. `leaf_value` holds the 2^d leaves.
#pragma once

#include <cstdint>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "shelf/core/types.hpp"

namespace shelf::simd {

/// Whether this build has the AVX-512 walk; padded trees are kept only then.
#if defined(__AVX512F__)
inline constexpr bool has_padded_tree_walk = true;
#else
inline constexpr bool has_padded_tree_walk = false;
#endif
inline constexpr int padded_tree_max_depth = 6;
inline constexpr int padded_tree_rows = 64;
inline constexpr std::uint32_t missing_left_bit = 0x80000000u;

namespace scalar {

/// sums[r] += the leaf row r of `rows` (padded_tree_rows rows of `width` floats) reaches.
inline void padded_tree_walk(const float* split_value, const std::int32_t* split_code, const float* leaf_value,
                             int depth, const float* rows, Index width, float* sums) noexcept {
    for (int r = 0; r < padded_tree_rows; ++r) {
        std::int32_t at = 0;
        for (int level = 0; level < depth; ++level) {
            const std::int32_t offset = (1 << level) - 1;
            const auto code = static_cast<std::uint32_t>(split_code[offset + at]);
            const float x = rows[r * width + static_cast<Index>(code & ~missing_left_bit)];
            const bool left = x < split_value[offset + at] || (x != x && (code & missing_left_bit) != 0);
            at = 2 * at + (left ? 0 : 1);
        }
        sums[r] += leaf_value[at];
    }
}

}  // namespace scalar

#if defined(__AVX512F__)
/// The AVX-512 walk: the same sums as scalar::padded_tree_walk, bit for bit.
inline void padded_tree_walk(const float* split_value, const std::int32_t* split_code, const float* leaf_value,
                             int depth, const float* rows, Index width, float* sums) noexcept {
    constexpr int groups = padded_tree_rows / 16;
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i feature_bits = _mm512_set1_epi32(static_cast<int>(~missing_left_bit));
    const __m512i missing_left = _mm512_set1_epi32(static_cast<int>(missing_left_bit));
    const __m512i one = _mm512_set1_epi32(1);
    __m512i row_start[groups], at[groups];  // at: position within the current level
    for (int q = 0; q < groups; ++q) {
        row_start[q] = _mm512_mullo_epi32(_mm512_add_epi32(lanes, _mm512_set1_epi32(16 * q)),
                                          _mm512_set1_epi32(static_cast<int>(width)));
        at[q] = _mm512_setzero_si512();
    }
    const auto low = [](int count) { return static_cast<__mmask16>(count >= 16 ? 0xffffu : (1u << count) - 1); };
    const auto high = [](int count) { return static_cast<__mmask16>(count > 16 ? 0xffffu : 0u); };
    for (int level = 0; level < depth; ++level) {
        const int count = 1 << level;
        const float* value = split_value + count - 1;
        const std::int32_t* code = split_code + count - 1;
        const __m512 value0 = _mm512_maskz_loadu_ps(low(count), value);
        const __m512 value1 = _mm512_maskz_loadu_ps(high(count), value + 16);
        const __m512i code0 = _mm512_maskz_loadu_epi32(low(count), code);
        const __m512i code1 = _mm512_maskz_loadu_epi32(high(count), code + 16);
        for (int q = 0; q < groups; ++q) {
            const __m512 threshold = _mm512_permutex2var_ps(value0, at[q], value1);
            const __m512i node = _mm512_permutex2var_epi32(code0, at[q], code1);
            const __m512 x = _mm512_i32gather_ps(_mm512_add_epi32(row_start[q], _mm512_and_si512(node, feature_bits)), rows, 4);
            // NaN fails `x < threshold`, so it goes right unless the node sends missing values left.
            const __mmask16 left = _mm512_cmp_ps_mask(x, threshold, _CMP_LT_OQ) |
                                   (_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q) & _mm512_test_epi32_mask(node, missing_left));
            const __m512i twice = _mm512_add_epi32(at[q], at[q]);
            at[q] = _mm512_mask_add_epi32(twice, static_cast<__mmask16>(~left), twice, one);
        }
    }
    const int count = 1 << depth;
    const __m512 leaf0 = _mm512_maskz_loadu_ps(low(count), leaf_value);
    const __m512 leaf1 = _mm512_maskz_loadu_ps(high(count), leaf_value + 16);
    const __m512 leaf2 = _mm512_maskz_loadu_ps(high(count - 16), leaf_value + 32);
    const __m512 leaf3 = _mm512_maskz_loadu_ps(high(count - 32), leaf_value + 48);
    const __m512i upper_half = _mm512_set1_epi32(32);
    for (int q = 0; q < groups; ++q) {
        const __m512 output = _mm512_mask_blend_ps(_mm512_test_epi32_mask(at[q], upper_half),
                                                   _mm512_permutex2var_ps(leaf0, at[q], leaf1),
                                                   _mm512_permutex2var_ps(leaf2, at[q], leaf3));
        _mm512_storeu_ps(sums + 16 * q, _mm512_add_ps(_mm512_loadu_ps(sums + 16 * q), output));
    }
}
#endif

}  // namespace shelf::simd
