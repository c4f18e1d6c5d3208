#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/simd/byte_products.hpp>
#include <shelf/simd/row_products.hpp>

TEMPLATE_TEST_CASE("row_products gives the scalar reference's bits at every edge of its blocks", "[simd]", float, double) {
    using shelf::Index;
    shelf::Rng rng(31);
    // Row counts around the register rows (6, 14), column counts around the panels (2 batches),
    // inner sizes around the depth slices (256), leading dimensions wider than the data.
    for (Index m : {4, 5, 6, 14, 15, 29})
        for (Index n : {1, 15, 16, 17, 32, 33, 70})
            for (Index d : {0, 1, 7, 256, 300, 513}) {
                INFO("m " << m << ", n " << n << ", d " << d);
                const Index lda = d + 2, ldb = d + 5, ldo = n + 3;
                std::vector<TestType> A(static_cast<std::size_t>(m * lda)), B(static_cast<std::size_t>(n * ldb));
                for (auto& v : A) v = static_cast<TestType>(rng.normal());
                for (auto& v : B) v = static_cast<TestType>(rng.normal());
                std::vector<TestType> got(static_cast<std::size_t>(m * ldo), TestType(-9)), want = got;
                shelf::simd::row_products(A.data(), lda, m, B.data(), ldb, n, d, got.data(), ldo);
                shelf::simd::scalar::row_products(A.data(), lda, m, B.data(), ldb, n, d, want.data(), ldo);
                REQUIRE(got == want);  // the padding between rows of out is left as it was, too
            }
}

TEMPLATE_TEST_CASE("row_products of a few rows are the reference's within rounding", "[simd]", float, double) {
    using shelf::Index;
    using T = TestType;
    shelf::Rng rng(32);
    for (Index m : {1, 2, 3})
        for (Index d : {0, 1, 15, 16, 33, 300}) {
            INFO("m " << m << ", d " << d);
            const Index n = 37;
            std::vector<T> A(static_cast<std::size_t>(m * d)), B(static_cast<std::size_t>(n * d));
            for (auto& v : A) v = static_cast<T>(rng.normal());
            for (auto& v : B) v = static_cast<T>(rng.normal());
            std::vector<T> got(static_cast<std::size_t>(m * n)), want = got, magnitude = got;
            shelf::simd::row_products(A.data(), d, m, B.data(), d, n, d, got.data(), n);
            shelf::simd::scalar::row_products(A.data(), d, m, B.data(), d, n, d, want.data(), n);
            for (Index r = 0; r < m; ++r)
                for (Index c = 0; c < n; ++c) {
                    double bound = 0;  // the rounding of a sum is bounded by ε Σ |a_j b_j| per term
                    for (Index j = 0; j < d; ++j) bound += std::abs(double(A[r * d + j]) * double(B[c * d + j]));
                    const auto at = static_cast<std::size_t>(r * n + c);
                    REQUIRE(std::abs(double(got[at]) - double(want[at])) <=
                            2 * d * std::numeric_limits<T>::epsilon() * bound);
                }
        }
}

TEST_CASE("row_products computes inner products of rows", "[simd]") {
    // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8], [9, 10]]: A·Bᵀ = [[17, 23, 29], [39, 53, 67]].
    const double A[] = {1, 2, 3, 4}, B[] = {5, 6, 7, 8, 9, 10};
    double out[6];
    shelf::simd::row_products(A, 2, 2, B, 2, 3, 2, out, 3);
    REQUIRE(std::vector<double>(out, out + 6) == std::vector<double>{17, 23, 29, 39, 53, 67});
}

TEMPLATE_TEST_CASE("column_products and lower_column_products give the reference's bits on the transposes", "[simd]",
                   float, double) {
    using shelf::Index;
    shelf::Rng rng(33);
    for (Index m : {1, 5, 64, 70, 135})
        for (Index d : {1, 40, 300}) {
            INFO("m " << m << ", d " << d);
            const Index n = 37, ldx = m + 1, ldy = n + 3, ldo = m + 2;
            std::vector<TestType> X(static_cast<std::size_t>(d * ldx)), Y(static_cast<std::size_t>(d * ldy));
            for (auto& v : X) v = static_cast<TestType>(rng.normal());
            for (auto& v : Y) v = static_cast<TestType>(rng.normal());
            // The transposes, m × d and n × d, for the reference.
            std::vector<TestType> Xt(static_cast<std::size_t>(m * d)), Yt(static_cast<std::size_t>(n * d));
            for (Index j = 0; j < d; ++j) {
                for (Index r = 0; r < m; ++r) Xt[static_cast<std::size_t>(r * d + j)] = X[static_cast<std::size_t>(j * ldx + r)];
                for (Index c = 0; c < n; ++c) Yt[static_cast<std::size_t>(c * d + j)] = Y[static_cast<std::size_t>(j * ldy + c)];
            }
            std::vector<TestType> got(static_cast<std::size_t>(m * n)), want = got;
            shelf::simd::column_products(X.data(), ldx, m, Y.data(), ldy, n, d, got.data(), n);
            shelf::simd::scalar::row_products(Xt.data(), d, m, Yt.data(), d, n, d, want.data(), n);
            REQUIRE(got == want);

            std::vector<TestType> lower(static_cast<std::size_t>(m * ldo), TestType(-9)), gram = lower;
            shelf::simd::lower_column_products(X.data(), ldx, m, d, lower.data(), ldo);
            shelf::simd::scalar::row_products(Xt.data(), d, m, Xt.data(), d, m, d, gram.data(), ldo);
            for (Index r = 0; r < m; ++r)
                for (Index c = 0; c < ldo; ++c) {
                    const auto at = static_cast<std::size_t>(r * ldo + c);
                    if (c <= r) REQUIRE(lower[at] == gram[at]);
                    else REQUIRE((lower[at] == gram[at] || lower[at] == TestType(-9)));  // filled or left
                }
        }
}

TEST_CASE("byte products are the exact integer inner products, as the scalar reference", "[simd]") {
    shelf::Rng rng(21);
    for (const shelf::Index depth : {1, 4, 7, 64, 785}) {
        const shelf::Index n = 70, m = 29;  // a last panel of 6 rows; register blocks of 12 and 5 rows
        shelf::RowMatrix<float> A(m, depth), B(n, depth);
        for (shelf::Index i = 0; i < A.size(); ++i) A.data()[i] = static_cast<float>(rng.uniform_index(256));
        for (shelf::Index i = 0; i < B.size(); ++i) B.data()[i] = static_cast<float>(rng.uniform_index(256));
        REQUIRE(shelf::simd::byte_valued(A.data(), depth, m, depth));
        shelf::simd::BytePanels panels(depth);
        panels.resize(n);
        for (shelf::Index v = 0; v < n; ++v) panels.set(v, B.row(v).data());
        shelf::simd::ByteRows rows;
        rows.assign(A.data(), depth, m, depth);
        std::vector<std::int32_t> fast(static_cast<std::size_t>(m * n)), reference(fast.size());
        shelf::simd::byte_products(rows, 0, m, panels, 0, n, fast.data(), n);
        shelf::simd::scalar::byte_products(rows, 0, m, panels, 0, n, reference.data(), n);
        // Rows 3 .. 10 against stored rows from the second panel on.
        std::vector<std::int32_t> part(static_cast<std::size_t>(8 * (n - 32)));
        shelf::simd::byte_products(rows, 3, 8, panels, 32, n - 32, part.data(), n - 32);
        for (shelf::Index r = 0; r < m; ++r)
            for (shelf::Index c = 0; c < n; ++c) {
                INFO("depth " << depth << ", row " << r << ", column " << c);
                std::int64_t exact = 0;
                for (shelf::Index j = 0; j < depth; ++j)
                    exact += static_cast<std::int64_t>(A(r, j)) * static_cast<std::int64_t>(B(c, j));
                REQUIRE(fast[static_cast<std::size_t>(r * n + c)] == exact);
                REQUIRE(reference[static_cast<std::size_t>(r * n + c)] == exact);
                if (r >= 3 && r < 11 && c >= 32) REQUIRE(part[static_cast<std::size_t>((r - 3) * (n - 32) + c - 32)] == exact);
            }
    }
    const float not_bytes[] = {0.f, 255.f, 3.5f};
    REQUIRE_FALSE(shelf::simd::byte_valued(not_bytes, 3, 1, 3));
    const float negative[] = {-1.f};
    REQUIRE_FALSE(shelf::simd::byte_valued(negative, 1, 1, 1));
}
