#include <catch2/catch.hpp>

#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/simd/skinny.hpp>

namespace {

template <class T>
std::vector<T> normals(shelf::Rng& rng, shelf::Index count) {
    std::vector<T> out(static_cast<std::size_t>(count));
    for (auto& v : out) v = static_cast<T>(rng.normal());
    return out;
}

}  // namespace

TEMPLATE_TEST_CASE("the skinny products give the scalar references' bits, whole batches and tails alike", "[simd]", float,
                   double) {
    namespace s = shelf::simd;
    using shelf::Index;
    shelf::Rng rng(23);
    // Row counts around the 4-row blocks, inner sizes around the 4-row blocks of G, column counts
    // below, at and past whole SIMD batches; leading dimensions wider than the data.
    for (Index m : {1, 3, 4, 9})
        for (Index d : {1, 5, 8})
            for (Index c : {1, 7, 8, 16, 19, 33}) {
                INFO("m " << m << ", d " << d << ", c " << c);
                const Index lda = d + 3, ldw = c + 2, ldo = c + 1;
                const auto A = normals<TestType>(rng, m * lda), W = normals<TestType>(rng, d * ldw);
                std::vector<TestType> got(static_cast<std::size_t>(m * ldo), TestType(-7)), want = got;
                s::rows_times(A.data(), lda, W.data(), ldw, m, d, c, got.data(), ldo);
                s::scalar::rows_times(A.data(), lda, W.data(), ldw, m, d, c, want.data(), ldo);
                REQUIRE(got == want);  // the padding column between rows is left as it was, too

                const auto S = normals<TestType>(rng, m * ldw);
                std::vector<TestType> G = normals<TestType>(rng, d * ldo), G_want = G;
                s::add_transposed_times(A.data(), lda, S.data(), ldw, m, d, c, G.data(), ldo);
                s::scalar::add_transposed_times(A.data(), lda, S.data(), ldw, m, d, c, G_want.data(), ldo);
                REQUIRE(G == G_want);
            }
}

TEST_CASE("the skinny products compute the matrix products", "[simd]") {
    // A = [[1, 2], [3, 4]], W = [[5, 6, 7], [8, 9, 10]]: A·W = [[21, 24, 27], [47, 54, 61]];
    // G = Aᵀ·S with S = A·W: [[162, 186, 210], [230, 264, 298]].
    const double A[] = {1, 2, 3, 4}, W[] = {5, 6, 7, 8, 9, 10};
    double out[6], G[6] = {};
    shelf::simd::rows_times(A, 2, W, 3, 2, 2, 3, out, 3);
    REQUIRE(std::vector<double>(out, out + 6) == std::vector<double>{21, 24, 27, 47, 54, 61});
    shelf::simd::add_transposed_times(A, 2, out, 3, 2, 2, 3, G, 3);
    REQUIRE(std::vector<double>(G, G + 6) == std::vector<double>{162, 186, 210, 230, 264, 298});
}
