// shelf/simd/byte_products.hpp: inner products of byte-valued rows, exact in 32-bit integers.
//
// Data whose values are whole numbers from 0 to 255 (pixels, SIFT descriptors) has exact inner
// products in int32 (up to 2^31 / 255² ≈ 33,000 dimensions). AVX-512 VNNI multiplies unsigned by
// signed bytes and adds four products into each 32-bit lane in one instruction (vpdpbusd):
// 64 multiply-adds where a float FMA does 16, and measured at 1.9 × row_products' float rate
// here. The stored rows are kept as signed bytes x − 128, so that
// <q, x> = <q, x − 128> + 128 · Σ q, with the queries unsigned.
//
// Layout: the stored rows in panels of 32 (two 16-lane batches), each panel depth-major in
// groups of four bytes: byte j of row v is at panel v / 32, [j / 4][v % 32][j % 4]. A row is
// written in place, so adding rows touches only their own bytes. The micro-kernel keeps 12
// query rows × 2 batches of sums in registers and per group of four bytes loads two batches
// of the panel and broadcasts four bytes of each query.
//
// Where the compiler targets no VNNI, byte_products_available is false and callers keep to
// float products; scalar::byte_products is the reference either way. Products stay exact in
// int32 up to max_byte_depth values per row.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#include <immintrin.h>
#define SHELF_BYTE_PRODUCTS 1
#endif

#include <xsimd/xsimd.hpp>

#include "shelf/core/types.hpp"

namespace shelf::simd {

/// Values per row up to which a product of byte rows fits an int32: 255² · depth < 2^31.
inline constexpr Index max_byte_depth = 33000;

#ifdef SHELF_BYTE_PRODUCTS
inline constexpr bool byte_products_available = true;
#else
inline constexpr bool byte_products_available = false;
#endif

/// Stored rows of bytes in the micro-kernel's panels (see the header comment).
class BytePanels {
public:
    static constexpr Index panel_rows = 32;

    BytePanels() = default;
    explicit BytePanels(Index depth) : groups_((depth + 3) / 4), depth_(depth) {}

    Index rows() const noexcept { return rows_; }
    Index depth() const noexcept { return depth_; }
    Index groups() const noexcept { return groups_; }
    const std::int8_t* panel(Index p) const noexcept { return bytes_.data() + p * panel_bytes(); }

    /// Room for `rows` rows; rows past the old count read as 0 (stored as −128) until set.
    void resize(Index rows) {
        const Index panels = (rows + panel_rows - 1) / panel_rows;
        bytes_.resize(static_cast<std::size_t>(panels * panel_bytes()), std::int8_t(-128));
        rows_ = rows;
    }
    /// Sets row v to the values x[0 .. depth − 1], each a whole number from 0 to 255.
    template <class T>
    void set(Index v, const T* x) noexcept {
        std::int8_t* at = bytes_.data() + (v / panel_rows) * panel_bytes() + (v % panel_rows) * 4;
        for (Index j = 0; j < depth_; ++j)
            at[(j / 4) * panel_rows * 4 + j % 4] = static_cast<std::int8_t>(static_cast<int>(x[j]) - 128);
    }
    void clear() noexcept {
        bytes_.clear();
        rows_ = 0;
    }

private:
    Index panel_bytes() const noexcept { return groups_ * panel_rows * 4; }

    std::vector<std::int8_t, xsimd::aligned_allocator<std::int8_t, 64>> bytes_;
    Index groups_ = 0, depth_ = 0, rows_ = 0;
};

/// Query rows as the kernel reads them: unsigned bytes, each row zero-padded to whole groups of four.
struct ByteRows {
    std::vector<std::uint8_t> bytes;
    std::vector<std::int32_t> sums;  ///< Σ of each row's values (for the −128 of the stored rows)
    Index rows = 0, stride = 0;

    /// Rows [0, m) of X (leading dimension ld, `depth` columns), whole numbers from 0 to 255.
    template <class T>
    void assign(const T* X, Index ld, Index m, Index depth) {
        stride = (depth + 3) / 4 * 4;
        rows = m;
        bytes.assign(static_cast<std::size_t>(m * stride), 0);
        sums.assign(static_cast<std::size_t>(m), 0);
        for (Index r = 0; r < m; ++r)
            for (Index j = 0; j < depth; ++j) {
                const int v = static_cast<int>(X[r * ld + j]);
                bytes[static_cast<std::size_t>(r * stride + j)] = static_cast<std::uint8_t>(v);
                sums[static_cast<std::size_t>(r)] += v;
            }
    }
};

/// True when every value of the m × d X (leading dimension ld) is a whole number from 0 to 255.
template <class T>
bool byte_valued(const T* X, Index ld, Index m, Index d) noexcept {
    for (Index r = 0; r < m; ++r)
        for (Index j = 0; j < d; ++j) {
            const T v = X[r * ld + j];
            if (!(v >= T(0) && v <= T(255) && v == static_cast<T>(static_cast<int>(v)))) return false;
        }
    return true;
}

namespace scalar {

/// out(r, c) = <A row r, stored row c0 + c> for c < n, the reference of byte_products.
inline void byte_products(const ByteRows& A, Index r0, Index m, const BytePanels& B, Index c0, Index n, std::int32_t* out,
                          Index ldo) noexcept {
    for (Index r = r0; r < r0 + m; ++r)
        for (Index c = 0; c < n; ++c) {
            const Index v = c0 + c;
            const std::int8_t* at = B.panel(v / BytePanels::panel_rows) + (v % BytePanels::panel_rows) * 4;
            std::int32_t sum = 128 * A.sums[static_cast<std::size_t>(r)];
            for (Index j = 0; j < B.depth(); ++j)
                sum += A.bytes[static_cast<std::size_t>(r * A.stride + j)] * at[(j / 4) * BytePanels::panel_rows * 4 + j % 4];
            out[(r - r0) * ldo + c] = sum;
        }
}

}  // namespace scalar

#ifdef SHELF_BYTE_PRODUCTS
/// out(r, c) = <A row r0 + r, stored row c0 + c> for r < m and c < n, exactly; c0 is a
/// multiple of BytePanels::panel_rows.
inline void byte_products(const ByteRows& A, Index first, Index m, const BytePanels& B, Index c0, Index n, std::int32_t* out,
                          Index ldo) noexcept {
    constexpr Index MR = 12, NR = BytePanels::panel_rows;
    const Index groups = B.groups();
    alignas(64) std::int32_t lanes[NR];
    for (Index p = 0; p * NR < n; ++p) {
        const std::int8_t* panel = B.panel(c0 / NR + p);
        const Index width = std::min(NR, n - p * NR);
        for (Index r0 = 0; r0 < m; r0 += MR) {
            const Index rows = std::min(MR, m - r0);
            const std::uint8_t* a[MR];
            for (Index r = 0; r < MR; ++r) a[r] = A.bytes.data() + (first + r0 + std::min(r, rows - 1)) * A.stride;
            __m512i acc[MR][2];
            for (Index r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
            const std::int8_t* b = panel;
            for (Index g = 0; g < groups; ++g, b += NR * 4) {
                const __m512i low = _mm512_load_si512(b), high = _mm512_load_si512(b + 64);
                for (Index r = 0; r < MR; ++r) {  // unrolled by the compiler: MR is a constant
                    std::int32_t four;
                    std::memcpy(&four, a[r] + 4 * g, 4);
                    const __m512i x = _mm512_set1_epi32(four);
                    acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x, low);
                    acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x, high);
                }
            }
            for (Index r = 0; r < rows; ++r) {
                const __m512i offset = _mm512_set1_epi32(128 * A.sums[static_cast<std::size_t>(first + r0 + r)]);
                _mm512_store_si512(lanes, _mm512_add_epi32(acc[r][0], offset));
                _mm512_store_si512(lanes + 16, _mm512_add_epi32(acc[r][1], offset));
                std::copy(lanes, lanes + width, out + (r0 + r) * ldo + p * NR);
            }
        }
    }
}
#else
inline void byte_products(const ByteRows& A, Index first, Index m, const BytePanels& B, Index c0, Index n, std::int32_t* out,
                          Index ldo) noexcept {
    scalar::byte_products(A, first, m, B, c0, n, out, ldo);
}
#endif

}  // namespace shelf::simd
