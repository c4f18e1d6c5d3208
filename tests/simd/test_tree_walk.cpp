#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/simd/tree_walk.hpp>

TEST_CASE("the padded tree walk adds the leaf each row reaches, as the scalar reference does", "[simd][trees]") {
    namespace s = shelf::simd;
    shelf::Rng rng(17);
    const shelf::Index width = 9;  // 8 features and the NaN column padding nodes read
    std::vector<float> rows(static_cast<std::size_t>(s::padded_tree_rows * width));
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = i % width == 8 || rng.uniform() < 0.1 ? std::numeric_limits<float>::quiet_NaN()
                                                        : static_cast<float>(rng.normal());
    for (int depth = 0; depth <= s::padded_tree_max_depth; ++depth) {
        const int splits = (1 << depth) - 1, leaves = 1 << depth;
        std::vector<float> value(static_cast<std::size_t>(splits)), leaf(static_cast<std::size_t>(leaves));
        std::vector<std::int32_t> code(static_cast<std::size_t>(splits));
        for (int i = 0; i < splits; ++i) {
            const bool padding = rng.uniform() < 0.2;
            value[static_cast<std::size_t>(i)] = padding ? std::numeric_limits<float>::infinity() : static_cast<float>(rng.normal());
            code[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(
                (padding ? 8u : static_cast<std::uint32_t>(rng.uniform_index(8))) | (rng.uniform() < 0.5 ? s::missing_left_bit : 0u));
        }
        for (auto& v : leaf) v = static_cast<float>(rng.normal());
        std::vector<float> expected(s::padded_tree_rows, 0.5f), got = expected;
        s::scalar::padded_tree_walk(value.data(), code.data(), leaf.data(), depth, rows.data(), width, expected.data());
        if constexpr (s::has_padded_tree_walk) {
#if defined(__AVX512F__)
            s::padded_tree_walk(value.data(), code.data(), leaf.data(), depth, rows.data(), width, got.data());
#endif
            INFO("depth " << depth);
            REQUIRE(got == expected);
        }
        // The reference itself: a row's sum moved by exactly one leaf value.
        for (int r = 0; r < s::padded_tree_rows; ++r) {
            const float added = expected[static_cast<std::size_t>(r)] - 0.5f;
            bool found = false;
            for (float v : leaf) found = found || std::abs(added - v) <= 1e-6f * (1 + std::abs(v));
            REQUIRE(found);
        }
    }
}
