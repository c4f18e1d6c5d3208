// shelf/simd/row_products.hpp: out = A·Bᵀ, the inner product of every row of A with every row
// of B (both row-major), beside its scalar reference: the product under every exact search,
// k-means assignment and k-NN query.
//
// A GEMM in the usual shape: B is packed into panels of NR rows stored column by column (NR
// = two SIMD batches), A into groups of MR rows likewise, both a depth slice of `depth_block`
// at a time so that a panel stays in L1 and the packed rows in L2; the micro-kernel keeps
// MR × 2 batches of sums in registers (MR = 14 with AVX-512's 32 registers, 6 with 16) and per
// step of the inner index loads two batches of B and broadcasts MR values of A; a last panel of
// at most one batch of rows runs one batch wide (k-means' 100 centers: three panels and one
// batch, not four panels). Each output element is one chain of multiply-adds in the order of
// the inner index (a later slice continues the chain from the stored value), rounded alike in
// SIMD and scalar code (multiply_add.hpp), so the loops and the reference give the same bits.
//
// Below `few_rows` rows of A (a single query) packing B would cost as much as the products:
// each output is then a SIMD dot product of two rows where they lie, B read once, whose sums
// run lane by lane (within rounding of the reference, not its bits).
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "shelf/core/types.hpp"
#include "shelf/simd/multiply_add.hpp"

namespace shelf::simd {

/// The rows of B packed once for many products (RowProducts::pack): every depth slice's panels,
/// laid out as the micro-kernel of the architecture that packed them streams them.
template <class T>
struct PackedRows {
    std::vector<T, xsimd::aligned_allocator<T, 64>> values;
    Index rows = 0, depth = 0;
};

/// out(r, c) = Σ_j A(r, j) · B(c, j) for the m × d A (leading dimension lda), the n × d B (ldb)
/// and the m × n out (ldo), which is overwritten. pack() and multiply() split the work for a
/// caller that multiplies many blocks of A by one B; multiply() may stop after the panels that
/// hold B's first `b_rows` rows (out's columns up to the end of that panel are written). Either
/// operand may be given `transposed`: its element (r, j) at [j · ld + r], the rows being the
/// columns of the row-major matrix given (packing transposes anyway, so this costs nothing).
struct RowProducts {
    static constexpr Index few_rows = 4;
    static constexpr Index depth_block = 256;  // a packed panel slice: depth_block × NR values, in L1

    template <class Arch, class T>
    void operator()(Arch, const T* A, Index lda, Index m, const T* B, Index ldb, Index n, Index d, T* out,
                    Index ldo) const;
    template <class Arch, class T>
    void pack(Arch, const T* B, Index ldb, Index n, Index d, PackedRows<T>& packed, bool transposed = false) const;
    template <class Arch, class T>
    void multiply(Arch, const T* A, Index lda, Index m, const PackedRows<T>& B, T* out, Index ldo, Index b_rows = -1,
                  bool transposed = false) const;
};

namespace detail {

/// The register block: MR rows of A × NB batches of B's rows, whose sums, a broadcast and the
/// NB batches of B fit the architecture's vector registers (32 with AVX-512, else 16).
template <class Arch>
constexpr Index register_rows() {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) return 14;
#endif
    return 6;
}
template <class Arch>
constexpr Index register_batches() {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) return 2;
#endif
    return 2;
}

/// Σ a[j]·b[j] in SIMD: two chains of batches, summed, then the tail.
template <class Arch, class T>
T dot(const T* a, const T* b, Index d) noexcept {
    using Batch = xsimd::batch<T, Arch>;
    constexpr Index N = Batch::size;
    Batch s0(T(0)), s1(T(0));
    Index j = 0;
    for (; j + 2 * N <= d; j += 2 * N) {
        s0 = multiply_add(Batch::load_unaligned(a + j), Batch::load_unaligned(b + j), s0);
        s1 = multiply_add(Batch::load_unaligned(a + j + N), Batch::load_unaligned(b + j + N), s1);
    }
    if (j + N <= d) s0 = multiply_add(Batch::load_unaligned(a + j), Batch::load_unaligned(b + j), s0), j += N;
    T sum = xsimd::hadd(s0 + s1);
    for (; j < d; ++j) sum = multiply_add(a[j], b[j], sum);
    return sum;
}

/// Packs rows [first, first + rows) of X (leading dimension ld; `transposed`: X's rows are the
/// columns of the matrix at X), columns [j0, j0 + depth), as depth × width, zero-padded past
/// `rows`: the layout the micro-kernel streams.
template <class T>
void pack_rows(const T* X, Index ld, bool transposed, Index first, Index rows, Index j0, Index depth, Index width,
               T* to) {
    for (Index j = 0; j < depth; ++j, to += width) {
        Index r = 0;
        if (transposed) {
            const T* from = X + (j0 + j) * ld + first;
            for (; r < rows; ++r) to[r] = from[r];
        } else {
            for (; r < rows; ++r) to[r] = X[(first + r) * ld + j0 + j];
        }
        for (; r < width; ++r) to[r] = T(0);
    }
}

}  // namespace detail

template <class Arch, class T>
void RowProducts::operator()(Arch arch, const T* A, Index lda, Index m, const T* B, Index ldb, Index n, Index d,
                             T* out, Index ldo) const {
    if (m <= 0 || n <= 0) return;
    if (m < few_rows || d == 0) {
        for (Index c = 0; c < n; ++c)
            for (Index r = 0; r < m; ++r) out[r * ldo + c] = detail::dot<Arch>(A + r * lda, B + c * ldb, d);
        return;
    }
    // Per thread and reused: a call per block of a pass would otherwise map and fault fresh pages.
    thread_local PackedRows<T> packed;
    pack(arch, B, ldb, n, d, packed);
    multiply(arch, A, lda, m, packed, out, ldo);
}

template <class Arch, class T>
void RowProducts::pack(Arch, const T* B, Index ldb, Index n, Index d, PackedRows<T>& packed, bool transposed) const {
    using Batch = xsimd::batch<T, Arch>;
    constexpr Index N = Batch::size, NR = detail::register_batches<Arch>() * N;
    const Index panels = (n + NR - 1) / NR;
    packed.rows = n, packed.depth = d;
    packed.values.resize(static_cast<std::size_t>(panels * NR * d));
    // Slice by slice; a last panel of at most one batch of rows is packed one batch wide.
    for (Index j0 = 0; j0 < d; j0 += depth_block) {
        const Index depth = std::min(depth_block, d - j0);
        for (Index p = 0; p < panels; ++p)
            detail::pack_rows(B, ldb, transposed, p * NR, std::min(NR, n - p * NR), j0, depth, n - p * NR <= N ? N : NR,
                              packed.values.data() + panels * NR * j0 + p * NR * depth);
    }
}

template <class Arch, class T>
void RowProducts::multiply(Arch, const T* A, Index lda, Index m, const PackedRows<T>& B, T* out, Index ldo,
                           Index b_rows, bool transposed) const {
    using Batch = xsimd::batch<T, Arch>;
    constexpr Index N = Batch::size, NB = detail::register_batches<Arch>(), NR = NB * N, MR = detail::register_rows<Arch>();
    const Index n = B.rows, d = B.depth;
    if (m <= 0 || n <= 0) return;
    if (d == 0) {
        for (Index r = 0; r < m; ++r) std::fill(out + r * ldo, out + r * ldo + n, T(0));
        return;
    }
    const Index groups = (m + MR - 1) / MR, panels = (n + NR - 1) / NR;
    const Index used_panels = b_rows < 0 ? panels : std::min(panels, (b_rows + NR - 1) / NR);
    thread_local std::vector<T, xsimd::aligned_allocator<T, 64>> packed_a;
    packed_a.resize(static_cast<std::size_t>(groups * MR * std::min(d, depth_block)));
    alignas(64) T lanes[NR];
    static_assert(MR * NB + NB + 1 <= 32, "the register block must fit the registers");
    for (Index j0 = 0; j0 < d; j0 += depth_block) {
        const Index depth = std::min(depth_block, d - j0);
        const bool first = j0 == 0;
        for (Index g = 0; g < groups; ++g)
            detail::pack_rows(A, lda, transposed, g * MR, std::min(MR, m - g * MR), j0, depth, MR,
                              packed_a.data() + g * MR * depth);
        const T* slice = B.values.data() + panels * NR * j0;
        // The register block of MR rows × Q batches at rows r0.., columns c0.. (`width` of them).
        const auto block = [&](auto batches, const T* a, const T* b, Index r0, Index rows, Index c0, Index width) {
            constexpr Index Q = decltype(batches)::value, W = Q * N;
            Batch acc[MR][Q];
            for (Index r = 0; r < MR; ++r) {
                if (first || r >= rows) {
                    for (Index q = 0; q < Q; ++q) acc[r][q] = Batch(T(0));
                } else if (width == W) {
                    for (Index q = 0; q < Q; ++q) acc[r][q] = Batch::load_unaligned(out + (r0 + r) * ldo + c0 + q * N);
                } else {
                    std::fill(lanes, lanes + W, T(0));
                    std::copy(out + (r0 + r) * ldo + c0, out + (r0 + r) * ldo + c0 + width, lanes);
                    for (Index q = 0; q < Q; ++q) acc[r][q] = Batch::load_aligned(lanes + q * N);
                }
            }
            for (Index j = 0; j < depth; ++j, a += MR, b += W) {
                Batch column[Q];
                for (Index q = 0; q < Q; ++q) column[q] = Batch::load_aligned(b + q * N);
                for (Index r = 0; r < MR; ++r) {  // unrolled by the compiler: MR and Q are constants
                    const Batch x(a[r]);
                    for (Index q = 0; q < Q; ++q) acc[r][q] = multiply_add(x, column[q], acc[r][q]);
                }
            }
            for (Index r = 0; r < rows; ++r) {
                T* to = out + (r0 + r) * ldo + c0;
                if (width == W) {
                    for (Index q = 0; q < Q; ++q) acc[r][q].store_unaligned(to + q * N);
                } else {
                    for (Index q = 0; q < Q; ++q) acc[r][q].store_aligned(lanes + q * N);
                    std::copy(lanes, lanes + width, to);
                }
            }
        };
        for (Index p = 0; p < used_panels; ++p) {
            const T* b = slice + p * NR * depth;
            const Index c0 = p * NR, width = std::min(NR, n - c0);
            for (Index g = 0; g < groups; ++g) {
                const T* a = packed_a.data() + g * MR * depth;
                const Index r0 = g * MR, rows = std::min(MR, m - r0);
                if (n - c0 <= N) block(std::integral_constant<Index, 1>{}, a, b, r0, rows, c0, width);
                else block(std::integral_constant<Index, NB>{}, a, b, r0, rows, c0, width);
            }
        }
    }
}

/// out = A·Bᵀ for the compiled-in architecture (see RowProducts).
template <class T>
void row_products(const T* A, Index lda, Index m, const T* B, Index ldb, Index n, Index d, T* out, Index ldo) {
    RowProducts{}(xsimd::default_arch{}, A, lda, m, B, ldb, n, d, out, ldo);
}

/// out = Xᵀ·Y, the inner product of every column of X with every column of Y, for the d × m
/// row-major X (leading dimension ldx), the d × n row-major Y (ldy) and the m × n out (ldo):
/// row_products of the transposes, without copying them.
template <class T>
void column_products(const T* X, Index ldx, Index m, const T* Y, Index ldy, Index n, Index d, T* out, Index ldo) {
    if (m <= 0 || n <= 0) return;
    thread_local PackedRows<T> packed;
    RowProducts{}.pack(xsimd::default_arch{}, Y, ldy, n, d, packed, true);
    RowProducts{}.multiply(xsimd::default_arch{}, X, ldx, m, packed, out, ldo, -1, true);
}

/// The lower triangle of out = Xᵀ·X (the Gram matrix of the m columns of the d × m row-major X,
/// out(r, c) for c <= r), by panels of rows of out, each against the columns up to its last:
/// little more than half the products of the whole. Values right of the diagonal within a panel's rows
/// are written too; the rest of the upper triangle is left as it was.
template <class T>
void lower_column_products(const T* X, Index ldx, Index m, Index d, T* out, Index ldo) {
    if (m <= 0) return;
    // Rows of out per product: two register blocks, so that the squares computed past the
    // diagonal stay small (a 64-column Gram matrix is not computed whole).
    constexpr Index panel = 2 * detail::register_rows<xsimd::default_arch>();
    thread_local PackedRows<T> packed;
    RowProducts{}.pack(xsimd::default_arch{}, X, ldx, m, d, packed, true);
    for (Index r0 = 0; r0 < m; r0 += panel) {
        const Index rows = std::min(panel, m - r0);
        RowProducts{}.multiply(xsimd::default_arch{}, X + r0, ldx, rows, packed, out + r0 * ldo, ldo, r0 + rows, true);
    }
}

/// B's rows packed for row_products(A, ..., packed, ...) on the compiled-in architecture.
template <class T>
void pack_for_products(const T* B, Index ldb, Index n, Index d, PackedRows<T>& packed) {
    RowProducts{}.pack(xsimd::default_arch{}, B, ldb, n, d, packed);
}

/// out = A·Bᵀ with B packed by pack_for_products (at least RowProducts::few_rows rows of A pay
/// off the packing; fewer are better served by the unpacked call).
template <class T>
void row_products(const T* A, Index lda, Index m, const PackedRows<T>& B, T* out, Index ldo) {
    RowProducts{}.multiply(xsimd::default_arch{}, A, lda, m, B, out, ldo);
}

namespace scalar {

template <class T>
void row_products(const T* A, Index lda, Index m, const T* B, Index ldb, Index n, Index d, T* out,
                  Index ldo) noexcept {
    for (Index r = 0; r < m; ++r)
        for (Index c = 0; c < n; ++c) {
            T s(0);
            for (Index j = 0; j < d; ++j) s = multiply_add(A[r * lda + j], B[c * ldb + j], s);
            out[r * ldo + c] = s;
        }
}

}  // namespace scalar

}  // namespace shelf::simd
