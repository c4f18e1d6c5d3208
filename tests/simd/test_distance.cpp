#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/simd/distance.hpp>

namespace {

template <class T>
shelf::RowMatrix<T> random_matrix(shelf::Rng& rng, shelf::Index rows, shelf::Index cols) {
    shelf::RowMatrix<T> m(rows, cols);
    for (shelf::Index i = 0; i < rows; ++i)
        for (shelf::Index j = 0; j < cols; ++j) m(i, j) = static_cast<T>(rng.normal());
    return m;
}

template <class T>
double brute(const shelf::RowMatrix<T>& a, shelf::Index i, const shelf::RowMatrix<T>& b, shelf::Index j) {
    return (a.row(i).template cast<double>() - b.row(j).template cast<double>()).squaredNorm();
}

}  // namespace

TEMPLATE_TEST_CASE("squared_distances matches the direct formula", "[simd][distance]", float, double) {
    using T = TestType;
    shelf::Rng rng(4);
    const auto A = random_matrix<T>(rng, 13, 21), B = random_matrix<T>(rng, 29, 21);
    const shelf::Vector<T> an = A.rowwise().squaredNorm(), bn = B.rowwise().squaredNorm();
    shelf::RowMatrix<T> D;
    shelf::simd::squared_distances<T>(A, an, B, bn, D);
    REQUIRE(D.rows() == 13);
    REQUIRE(D.cols() == 29);
    for (shelf::Index i = 0; i < 13; ++i)
        for (shelf::Index j = 0; j < 29; ++j) REQUIRE(D(i, j) == Approx(brute(A, i, B, j)).epsilon(1e-4));
    SECTION("a point against itself is at distance 0, never below") {
        const shelf::Vector<T> norms = A.rowwise().squaredNorm();
        shelf::simd::squared_distances<T>(A, norms, A, norms, D);
        REQUIRE(D.minCoeff() >= T(0));
        for (shelf::Index i = 0; i < 13; ++i) REQUIRE(D(i, i) == Approx(0).margin(1e-4));
    }
}

TEMPLATE_TEST_CASE("nearest finds the closest candidate of every point, across candidate chunks",
                   "[simd][distance]", float, double) {
    using T = TestType;
    shelf::Rng rng(5);
    // 5000 candidates: more than one chunk of inner products for a block of 64 points (4096 a chunk).
    for (shelf::Index candidates : {1, 7, 5000}) {
        const auto C = random_matrix<T>(rng, candidates, 9), X = random_matrix<T>(rng, 64, 9);
        const shelf::Vector<T> cn = C.rowwise().squaredNorm(), xn = X.rowwise().squaredNorm();
        shelf::RowMatrix<T> scratch;
        std::vector<T> best(64);
        std::vector<std::int32_t> row(64);
        shelf::simd::nearest<T>(C, cn, X, xn, scratch, best.data(), row.data());
        for (shelf::Index j = 0; j < 64; ++j) {
            double expected = 1e300;
            for (shelf::Index r = 0; r < candidates; ++r) expected = std::min(expected, brute(C, r, X, j));
            INFO("candidates " << candidates << ", point " << j);
            REQUIRE(row[static_cast<std::size_t>(j)] >= 0);
            REQUIRE(row[static_cast<std::size_t>(j)] < candidates);
            // The chosen candidate is (to rounding) as close as the true nearest one.
            REQUIRE(brute(C, row[static_cast<std::size_t>(j)], X, j) == Approx(expected).epsilon(1e-4));
            REQUIRE(best[static_cast<std::size_t>(j)] == Approx(expected).epsilon(1e-3).margin(1e-4));
        }
    }
}

TEMPLATE_TEST_CASE("nearest2 also gives the distance to the second-nearest candidate", "[simd][distance]", float,
                   double) {
    using T = TestType;
    shelf::Rng rng(10);
    for (shelf::Index candidates : {1, 2, 30}) {
        const auto C = random_matrix<T>(rng, candidates, 7), X = random_matrix<T>(rng, 40, 7);
        const shelf::Vector<T> cn = C.rowwise().squaredNorm(), xn = X.rowwise().squaredNorm();
        shelf::RowMatrix<T> scratch;
        std::vector<T> best(40), second(40);
        std::vector<std::int32_t> row(40);
        shelf::simd::nearest2<T>(C, cn, X, xn, scratch, best.data(), second.data(), row.data());
        for (shelf::Index j = 0; j < 40; ++j) {
            std::vector<double> all;
            for (shelf::Index r = 0; r < candidates; ++r) all.push_back(brute(C, r, X, j));
            std::sort(all.begin(), all.end());
            const auto jj = static_cast<std::size_t>(j);
            REQUIRE(best[jj] == Approx(all[0]).epsilon(1e-3).margin(1e-4));
            if (candidates == 1)
                REQUIRE(second[jj] == std::numeric_limits<T>::infinity());
            else
                REQUIRE(second[jj] == Approx(all[1]).epsilon(1e-3).margin(1e-4));
        }
    }
}

TEST_CASE("block_rows keeps blocks in cache and within bounds", "[simd][distance]") {
    REQUIRE(shelf::simd::block_rows<float>(784, 10) % 16 == 0);
    REQUIRE(shelf::simd::block_rows<float>(784, 10) * (784 + 10) * 4 <= 2 << 20);
    REQUIRE(shelf::simd::block_rows<float>(2, 2) == 1024);
    REQUIRE(shelf::simd::block_rows<double>(1000000, 10) == 64);
}

TEMPLATE_TEST_CASE("TopK keeps the k nearest candidates of each query, nearest first", "[simd][distance]", float,
                   double) {
    using T = TestType;
    shelf::Rng rng(6);
    const shelf::Index queries = 11, candidates = 300, k = 5, dim = 6;
    const auto Q = random_matrix<T>(rng, queries, dim), C = random_matrix<T>(rng, candidates, dim);
    const shelf::Vector<T> qn = Q.rowwise().squaredNorm(), cn = C.rowwise().squaredNorm();
    shelf::simd::TopK<T> top(queries, k);
    // Offer the candidates in blocks of 64, as a driver would.
    shelf::RowMatrix<T> ip;
    for (shelf::Index c0 = 0; c0 < candidates; c0 += 64) {
        const shelf::Index m = std::min<shelf::Index>(64, candidates - c0);
        shelf::simd::inner_products<T>(Q, C.middleRows(c0, m), ip);
        top.add(ip.data(), m, m, qn.data(), cn.data() + c0, c0);
    }
    shelf::RowMatrix<T> distances;
    Eigen::Matrix<shelf::Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> indices;
    top.result(distances, indices);
    for (shelf::Index q = 0; q < queries; ++q) {
        std::vector<std::pair<double, shelf::Index>> all;
        for (shelf::Index c = 0; c < candidates; ++c) all.emplace_back(brute(Q, q, C, c), c);
        std::sort(all.begin(), all.end());
        for (shelf::Index i = 0; i < k; ++i) {
            REQUIRE(indices(q, i) == all[static_cast<std::size_t>(i)].second);
            REQUIRE(distances(q, i) == Approx(all[static_cast<std::size_t>(i)].first).epsilon(1e-4));
        }
    }
}

TEST_CASE("TopK breaks ties by the lower index and pads short lists", "[simd][distance]") {
    // One query at the origin; six candidates, all at distance 1.
    const shelf::Index candidates = 6;
    std::vector<float> ip(candidates, 0.0f), cn(candidates, 1.0f), qn{0.0f};
    SECTION("equal distances keep the first candidates offered") {
        shelf::simd::TopK<float> top(1, 3);
        top.add(ip.data(), candidates, 3, qn.data(), cn.data(), 0);
        top.add(ip.data() + 3, candidates, 3, qn.data(), cn.data() + 3, 3);
        shelf::RowMatrix<float> d;
        Eigen::Matrix<shelf::Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> idx;
        top.result(d, idx);
        REQUIRE(idx(0, 0) == 0);
        REQUIRE(idx(0, 1) == 1);
        REQUIRE(idx(0, 2) == 2);
    }
    SECTION("fewer candidates than k leaves +inf and -1 in the remaining slots") {
        shelf::simd::TopK<float> top(1, 8);
        top.add(ip.data(), candidates, candidates, qn.data(), cn.data(), 0);
        shelf::RowMatrix<float> d;
        Eigen::Matrix<shelf::Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> idx;
        top.result(d, idx);
        REQUIRE(idx(0, 5) == 5);
        REQUIRE(idx(0, 6) == -1);
        REQUIRE(d(0, 7) == std::numeric_limits<float>::infinity());
    }
}
