#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/neighbors.hpp>
#include <shelf/neighbors/evaluate.hpp>

#include "../common/reference.hpp"
#include "points.hpp"

namespace {

using shelf::Index;
using shelf::RowMatrix;
using shelf::Vector;
namespace knn = shelf::knn;
using neighbors_test::clusters;
using neighbors_test::recall;

/// Small integers: exact in float, so distances are exact and ties are frequent.
template <class T>
RowMatrix<T> integer_points(shelf::Rng& rng, Index n, Index d) {
    RowMatrix<T> X(n, d);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < d; ++j) X(i, j) = static_cast<T>(static_cast<int>(rng.uniform_index(7)) - 3);
    return X;
}

/// Brute force in double: the k nearest (squared L2) of each query among the allowed rows,
/// ties by the smaller id (ids[row], or row).
template <class T>
std::vector<std::vector<std::pair<double, std::int64_t>>> brute(const RowMatrix<T>& base, const RowMatrix<T>& Q, Index k,
                                                                const std::vector<std::int64_t>& ids,
                                                                const knn::IdFilter& allowed = {}) {
    std::vector<std::vector<std::pair<double, std::int64_t>>> out;
    for (Index q = 0; q < Q.rows(); ++q) {
        std::vector<std::pair<double, std::int64_t>> all;
        for (Index r = 0; r < base.rows(); ++r) {
            const std::int64_t id = ids[static_cast<std::size_t>(r)];
            if (allowed && !allowed(id)) continue;
            all.emplace_back((base.row(r).template cast<double>() - Q.row(q).template cast<double>()).squaredNorm(), id);
        }
        std::sort(all.begin(), all.end());
        all.resize(std::min<std::size_t>(all.size(), static_cast<std::size_t>(k)));
        out.push_back(all);
    }
    return out;
}

template <class T>
void require_equal(const knn::Neighbors<T>& got, const std::vector<std::vector<std::pair<double, std::int64_t>>>& want) {
    REQUIRE(got.ids.rows() == static_cast<Index>(want.size()));
    for (Index q = 0; q < got.ids.rows(); ++q)
        for (Index j = 0; j < got.ids.cols(); ++j) {
            INFO("query " << q << ", neighbour " << j);
            if (j < static_cast<Index>(want[static_cast<std::size_t>(q)].size())) {
                REQUIRE(got.ids(q, j) == want[static_cast<std::size_t>(q)][static_cast<std::size_t>(j)].second);
                REQUIRE(double(got.distances(q, j)) == want[static_cast<std::size_t>(q)][static_cast<std::size_t>(j)].first);
            } else {
                REQUIRE(got.ids(q, j) == -1);
            }
        }
}

/// For an index whose ties in distance need not go to the smaller id: the distances equal the
/// brute force's, and each id found is allowed, found once, and at the distance reported.
template <class T>
void require_equal_up_to_ties(const knn::Neighbors<T>& got, const RowMatrix<T>& base, const RowMatrix<T>& Q, Index k,
                              const knn::IdFilter& allowed = {}) {
    std::vector<std::int64_t> ids(static_cast<std::size_t>(base.rows()));
    std::iota(ids.begin(), ids.end(), std::int64_t{0});
    const auto want = brute(base, Q, k, ids, allowed);
    for (Index q = 0; q < Q.rows(); ++q) {
        std::set<std::int64_t> seen;
        for (Index j = 0; j < k; ++j) {
            INFO("query " << q << ", neighbour " << j);
            REQUIRE(double(got.distances(q, j)) == want[static_cast<std::size_t>(q)][static_cast<std::size_t>(j)].first);
            const std::int64_t id = got.ids(q, j);
            REQUIRE((!allowed || allowed(id)));
            REQUIRE(seen.insert(id).second);
            REQUIRE((base.row(id) - Q.row(q)).template cast<double>().squaredNorm() == double(got.distances(q, j)));
        }
    }
}

std::vector<std::int64_t> iota_ids(Index n) {
    std::vector<std::int64_t> ids(static_cast<std::size_t>(n));
    std::iota(ids.begin(), ids.end(), std::int64_t{0});
    return ids;
}

}  // namespace

TEMPLATE_TEST_CASE("flat search equals a brute force in double, ties by the smaller id", "[knn]", float, double) {
    using T = TestType;
    shelf::Rng rng(5);
    // 2,500 rows span three chunks of the index; 300 queries two query blocks.
    const RowMatrix<T> base = integer_points<T>(rng, 2500, 6), Q = integer_points<T>(rng, 300, 6);
    knn::FlatIndex<T> index(6, knn::Metric::l2);
    index.add(base.topRows(1000));
    index.add(base.bottomRows(1500));
    const auto want = brute(base, Q, 9, iota_ids(2500));
    for (int threads : {1, 3}) {
        INFO(threads << " threads");
        require_equal(index.search(Q, 9, threads), want);
        // One query at a time: the stored vectors are split between the threads instead.
        const auto single = index.search(Q.topRows(1), 9, threads);
        require_equal(single, decltype(want)(want.begin(), want.begin() + 1));
    }
    SECTION("k above the stored count pads with id -1") {
        knn::FlatIndex<T> small(6, knn::Metric::l2);
        small.add(base.topRows(4));
        require_equal(small.search(Q, 6), brute<T>(base.topRows(4), Q, 6, iota_ids(4)));
    }
}

TEMPLATE_TEST_CASE("byte-valued data (whole numbers 0 to 255) is searched exactly, before and after removal and loading",
                   "[knn]", float, double) {
    using T = TestType;
    shelf::Rng rng(6);
    RowMatrix<T> base(2100, 37), Q(260, 37);  // 37: a last group of four bytes half padding
    for (Index i = 0; i < base.size(); ++i) base.data()[i] = static_cast<T>(rng.uniform_index(4) * 85);  // 0 .. 255
    for (Index i = 0; i < Q.size(); ++i) Q.data()[i] = static_cast<T>(rng.uniform_index(4) * 85);
    knn::FlatIndex<T> index(37, knn::Metric::l2);
    index.add(base.topRows(1000));
    index.add(base.bottomRows(1100));
    for (int threads : {1, 2}) require_equal(index.search(Q, 8, threads), brute(base, Q, 8, iota_ids(2100)));
    // A query that is not byte-valued takes the float products: the same answer.
    RowMatrix<T> shifted = Q;
    shifted(0, 0) += T(0.5);
    require_equal(index.search(shifted, 8, 2), brute(base, shifted, 8, iota_ids(2100)));
    std::vector<std::int64_t> gone;
    for (std::int64_t id = 0; id < 2100; id += 3) gone.push_back(id);
    index.remove(gone);
    const auto left = [](std::int64_t id) { return id % 3 != 0; };
    require_equal(index.search(Q, 8, 2), brute(base, Q, 8, iota_ids(2100), left));
    std::stringstream bytes;
    index.save(bytes);
    require_equal(knn::FlatIndex<T>::load(bytes).search(Q, 8, 2), brute(base, Q, 8, iota_ids(2100), left));
    // Rows that are not byte-valued added later: every search takes the float products from then on.
    RowMatrix<T> more = base.topRows(5);
    more(0, 3) = T(256);
    index.add(more);
    RowMatrix<T> all(2105, 37);
    all << base, more;
    std::vector<std::int64_t> ids = iota_ids(2100);
    for (std::int64_t id = 2100; id < 2105; ++id) ids.push_back(id);
    require_equal(index.search(Q, 8, 2), brute(all, Q, 8, ids, [](std::int64_t id) { return id >= 2100 || id % 3 != 0; }));
}

TEMPLATE_TEST_CASE("sq8 flat storage: exact on 256-level data, a quarter of the memory, recall on clusters", "[knn]",
                   float, double) {
    using T = TestType;
    shelf::Rng rng(8);
    // Whole numbers 0 to 255 in every column, both ends present: one code per value, so the
    // decoded vectors are the vectors and the answers are the brute force's.
    RowMatrix<T> base(1500, 24), Q(130, 24);
    for (Index i = 0; i < base.size(); ++i) base.data()[i] = static_cast<T>(rng.uniform_index(256));
    for (Index i = 0; i < Q.size(); ++i) Q.data()[i] = static_cast<T>(rng.uniform_index(256));
    base.row(0).setZero();
    base.row(1).setConstant(T(255));
    knn::FlatIndex<T> index(24, knn::Metric::l2, knn::Storage::sq8);
    index.add(base.topRows(1000));
    index.add(base.bottomRows(500));  // coded with the first add's ranges
    for (int threads : {1, 3}) require_equal(index.search(Q, 7, threads), brute(base, Q, 7, iota_ids(1500)));
    index.remove({5, 6, 7});
    const auto left = [](std::int64_t id) { return id < 5 || id > 7; };
    std::stringstream bytes;
    index.save(bytes);
    const auto back = knn::FlatIndex<T>::load(bytes);
    REQUIRE(back.storage() == knn::Storage::sq8);
    require_equal(back.search(Q, 7, 2), brute(base, Q, 7, iota_ids(1500), left));
    knn::FlatIndex<T> products(24, knn::Metric::inner_product, knn::Storage::sq8), exact(24, knn::Metric::inner_product);
    products.add(base);
    exact.add(base);
    const auto a = products.search(Q, 7), b = exact.search(Q, 7);
    REQUIRE(a.ids == b.ids);
    REQUIRE(a.distances == b.distances);

    // Float data: the codes cost a quarter of the vectors' bytes, and recall stays high.
    const RowMatrix<T> points = clusters<T>(rng, 2000, 64), queries = clusters<T>(rng, 100, 64);
    for (auto metric : {knn::Metric::l2, knn::Metric::inner_product, knn::Metric::cosine}) {
        INFO("metric " << static_cast<int>(metric));
        knn::FlatIndex<T> coded(64, metric, knn::Storage::sq8), plain(64, metric);
        coded.add(points);
        plain.add(points);
        const double r = recall(coded.search(queries, 10, 2).ids, plain.search(queries, 10, 2).ids);
        INFO("recall@10 " << r);
        REQUIRE(r >= 0.95);
        std::stringstream coded_bytes, plain_bytes;
        coded.save(coded_bytes);
        plain.save(plain_bytes);
        const double ratio = double(coded_bytes.str().size()) / double(plain_bytes.str().size());
        INFO("file size ratio " << ratio);
        REQUIRE(ratio < (std::is_same_v<T, float> ? 0.3 : 0.17));
    }
}

TEMPLATE_TEST_CASE("filtered search and removal equal the brute force over the rows left", "[knn]", float, double) {
    using T = TestType;
    shelf::Rng rng(8);
    const RowMatrix<T> base = integer_points<T>(rng, 1500, 5), Q = integer_points<T>(rng, 40, 5);
    std::vector<std::int64_t> ids(1500);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int64_t>(3 * i + 100);  // caller's ids
    knn::FlatIndex<T> index(5, knn::Metric::l2);
    index.add(base, ids);
    const knn::IdFilter odd = [](std::int64_t id) { return id % 2 == 1; };
    require_equal(index.search(Q, 5, 2, odd), brute(base, Q, 5, ids, odd));

    std::vector<std::int64_t> gone;
    for (std::size_t i = 0; i < ids.size(); i += 3) gone.push_back(ids[i]);
    gone.push_back(7);  // not stored: ignored
    REQUIRE(index.remove(gone) == 500);
    REQUIRE(index.size() == 1000);
    const std::set<std::int64_t> removed(gone.begin(), gone.end());
    require_equal(index.search(Q, 5, 2), brute(base, Q, 5, ids, [&](std::int64_t id) { return !removed.count(id); }));
    // Default ids continue after the largest one given.
    index.add(Q.topRows(2));
    REQUIRE(index.ids().back() == 3 * 1499 + 100 + 2);
    REQUIRE_THROWS_WITH(index.add(Q.topRows(1), {ids[1]}), Catch::Contains("id 103 is given twice or is already stored"));
}

TEMPLATE_TEST_CASE("flat search matches scikit-learn under L2, cosine and the inner product", "[knn]", float, double) {
    using T = TestType;
    const RowMatrix<double> data = fixture::read_csv("knn/blobs.csv");
    const RowMatrix<T> base = data.block(0, 1, 500, 12).cast<T>(), Q = data.block(500, 1, 100, 12).cast<T>();
    const double tolerance = std::is_same_v<T, float> ? 1e-5 : 1e-12;
    for (const auto& [metric, file] : {std::pair{knn::Metric::l2, "knn/blobs_neighbors.csv"},
                                       std::pair{knn::Metric::cosine, "knn/blobs_cosine.csv"},
                                       std::pair{knn::Metric::inner_product, "knn/blobs_ip.csv"}}) {
        INFO(file);
        const RowMatrix<double> want = fixture::read_csv(file);
        knn::FlatIndex<T> index(12, metric);
        index.add(base);
        const auto got = index.search(Q, 7, 2);
        for (Index q = 0; q < 100; ++q)
            for (Index j = 0; j < 7; ++j) {
                INFO("query " << q << ", neighbour " << j);
                REQUIRE(got.ids(q, j) == static_cast<std::int64_t>(want(q, j)));
                REQUIRE(double(got.distances(q, j)) == Approx(want(q, 7 + j)).epsilon(tolerance));
            }
    }
}

TEMPLATE_TEST_CASE("the classifier and regressor predict as scikit-learn's where the vote is not tied", "[knn]", float,
                   double) {
    using T = TestType;
    knn::Params p;
    p.k = 7;
    p.sample_size = 100000;
    const RowMatrix<double> data = fixture::read_csv("knn/blobs.csv");
    const RowMatrix<T> X = data.block(0, 1, 500, 12).cast<T>(), Q = data.block(500, 1, 100, 12).cast<T>();
    const Vector<T> y = data.col(0).head(500).cast<T>();
    const RowMatrix<double> want = fixture::read_csv("knn/blobs_predict.csv");
    p.predictor_type = knn::PredictorType::classifier;
    const Vector<T> label = knn::fit(X, y, p).predict(Q);
    p.predictor_type = knn::PredictorType::regressor;
    const Vector<T> mean = knn::fit(X, y, p).predict(Q);
    int compared = 0;
    for (Index q = 0; q < 100; ++q) {
        INFO("query " << q);
        REQUIRE(double(mean[q]) == Approx(want(q, 1)).epsilon(1e-6));
        if (want(q, 2) != 0) continue;
        REQUIRE(double(label[q]) == want(q, 0));
        ++compared;
    }
    REQUIRE(compared > 80);

    // Digits (1,797 × 64 integers): train on the first 1,500 rows, predict the rest.
    const RowMatrix<T> digits = fixture::read_csv("kmeans_pca/digits.csv").cast<T>();
    const Vector<T> digit_labels = fixture::read_csv("knn/digits_labels.csv").col(0).cast<T>();
    const RowMatrix<double> digit_want = fixture::read_csv("knn/digits_predict.csv");
    p.k = 5;
    p.predictor_type = knn::PredictorType::classifier;
    const auto model = knn::fit(digits.topRows(1500), digit_labels.head(1500), p);
    const Vector<T> predicted = model.predict(digits.bottomRows(297));
    compared = 0;
    for (Index q = 0; q < 297; ++q) {
        if (digit_want(q, 1) != 0) continue;
        INFO("digits query " << q);
        REQUIRE(double(predicted[q]) == digit_want(q, 0));
        ++compared;
    }
    REQUIRE(compared > 280);
    const auto metrics = knn::evaluate(model, digits.bottomRows(297), digit_labels.tail(297));
    REQUIRE(metrics.size() == 1);
    REQUIRE(metrics[0].first == "accuracy");
    REQUIRE(metrics[0].second > 0.9);
}

TEST_CASE("votes: the most frequent label, ties to the nearest, then to the smallest label", "[knn]") {
    // Indexed points on a line at 1, 2, 3, ...; the query at 0 sees them nearest first.
    auto vote = [](std::vector<double> positions, std::vector<double> labels, int k) {
        RowMatrix<double> X(static_cast<Index>(positions.size()), 1);
        for (std::size_t i = 0; i < positions.size(); ++i) X(static_cast<Index>(i), 0) = positions[i];
        knn::Params p;
        p.k = k;
        p.sample_size = 1000;
        p.predictor_type = knn::PredictorType::classifier;
        const auto model = knn::fit(X, Eigen::Map<const Vector<double>>(labels.data(), Index(labels.size())), p);
        return model.predict(RowMatrix<double>::Zero(1, 1))[0];
    };
    CHECK(vote({1, 2, 3}, {4, 7, 7}, 3) == 7);           // majority
    CHECK(vote({1, 2, 3, 4}, {5, 2, 2, 5}, 4) == 5);     // 2 against 2: the nearest (5 at distance 1)
    CHECK(vote({1, -1, 2, 3}, {9, 3, 1, 8}, 2) == 3);    // 1 against 1 at equal distance: the smaller label
    CHECK(vote({1, 2, 3, 4}, {6, 2, 2, 5}, 4) == 2);     // 2 against 1 against 1
    // The regressor: the mean of the k nearest labels.
    RowMatrix<double> X(4, 1);
    X << 1, 2, 3, 10;
    knn::Params p;
    p.k = 3;
    p.sample_size = 10;
    p.predictor_type = knn::PredictorType::regressor;
    const Vector<double> y = (Vector<double>(4) << 1, 2, 6, 100).finished();
    CHECK(knn::fit(X, y, p).predict(RowMatrix<double>::Zero(1, 1))[0] == 3.0);
}

TEMPLATE_TEST_CASE("sign and fjlt projections keep distances within the Johnson-Lindenstrauss bound", "[knn]", float,
                   double) {
    using T = TestType;
    shelf::Rng rng(3);
    const Index n = 60, d = 300, t = 200;
    RowMatrix<T> X(n, d);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < d; ++j) X(i, j) = static_cast<T>(rng.normal());
    // With n points and t = 200 the lemma allows a distortion ε with t ≥ 4 ln n / (ε²/2 − ε³/3): ε = 0.5.
    const double epsilon = 0.5;
    for (auto type : {knn::Reduction::sign, knn::Reduction::fjlt}) {
        INFO(shelf::detail::format_value(type));
        shelf::Rng draw(11);
        const knn::Projection<T> projection(type, d, t, draw);
        const RowMatrix<T> Y = projection.apply(X, 2);
        REQUIRE(Y.cols() == t);
        double sum = 0;
        for (Index a = 0; a < n; ++a)
            for (Index b = a + 1; b < n; ++b) {
                const double before = (X.row(a) - X.row(b)).template cast<double>().squaredNorm();
                const double ratio = (Y.row(a) - Y.row(b)).template cast<double>().squaredNorm() / before;
                REQUIRE(ratio > 1 - epsilon);
                REQUIRE(ratio < 1 + epsilon);
                sum += ratio;
            }
        CHECK(sum / (n * (n - 1) / 2) == Approx(1.0).margin(0.05));  // unbiased
    }
    SECTION("a model with a projection searches in the projected space") {
        knn::Params p;
        p.k = 3;
        p.sample_size = 1000;
        p.predictor_type = knn::PredictorType::regressor;
        p.dimension_reduction_type = knn::Reduction::fjlt;
        p.dimension_reduction_target = 64;
        const Vector<T> y = X.col(0);
        const auto model = knn::fit(X, y, p);
        REQUIRE(model.index().dim() == 64);
        const auto found = model.neighbors(X.topRows(5));
        for (Index i = 0; i < 5; ++i) REQUIRE(found.ids(i, 0) == i);  // each row is its own nearest
    }
}

TEST_CASE("k-NN refuses bad input by name", "[knn]") {
    shelf::Rng rng(1);
    const RowMatrix<float> X = integer_points<float>(rng, 20, 4);
    const Vector<float> y = Vector<float>::Zero(20);
    knn::Params p;
    p.k = 5;
    p.sample_size = 4;
    p.predictor_type = knn::PredictorType::classifier;
    REQUIRE_THROWS_WITH(knn::fit(X, y, p), Catch::Contains("k = 5 is more than the 4 rows the index would hold"));
    p.sample_size = 100;
    p.dimension_reduction_type = knn::Reduction::sign;
    REQUIRE_THROWS_WITH(knn::fit(X, y, p), Catch::Contains("needs dimension_reduction_target"));
    p.dimension_reduction_target = 4;
    REQUIRE_THROWS_WITH(knn::fit(X, y, p), Catch::Contains("dimension_reduction_target = 4 must be below feature_dim = 4"));
    p.dimension_reduction_type = knn::Reduction::none;
    REQUIRE_THROWS_WITH(knn::fit(X, Vector<float>::Zero(19), p), Catch::Contains("20 rows but 19 labels"));
    Vector<float> bad = y;
    bad[6] = std::nanf("");
    REQUIRE_THROWS_WITH(knn::fit(X, bad, p), Catch::Contains("the label in row 6 is NaN"));

    knn::FlatIndex<float> cosine(4, knn::Metric::cosine);
    RowMatrix<float> zero = X.topRows(3);
    zero.row(2).setZero();
    REQUIRE_THROWS_WITH(cosine.add(zero), Catch::Contains("shelf.data_error.207") && Catch::Contains("row 2 is a zero vector"));
    knn::FlatIndex<float> index(4, knn::Metric::l2);
    index.add(X);
    REQUIRE_THROWS_WITH(index.search(X.leftCols(3), 2), Catch::Contains("has 3 columns, the model expects 4"));
    REQUIRE_THROWS_WITH(index.search(X, 0), Catch::Contains("k = 0"));
}

TEMPLATE_TEST_CASE("an index saved on its own loads and searches the same; damaged files are refused", "[knn]", float,
                   double) {
    using T = TestType;
    shelf::Rng rng(4);
    const RowMatrix<T> base = integer_points<T>(rng, 300, 5), Q = integer_points<T>(rng, 20, 5);
    for (auto metric : {knn::Metric::l2, knn::Metric::inner_product}) {
        knn::FlatIndex<T> index(5, metric);
        std::vector<std::int64_t> ids(300);
        for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int64_t>(1000 - i);
        index.add(base, ids);
        index.remove({999, 998});
        std::stringstream bytes;
        index.save(bytes);
        const std::string saved = bytes.str();
        const auto back = knn::FlatIndex<T>::load(bytes);
        REQUIRE(back.size() == 298);
        REQUIRE(back.metric() == metric);
        REQUIRE(back.ids() == index.ids());
        const auto a = index.search(Q, 7), b = back.search(Q, 7);
        REQUIRE(a.ids == b.ids);
        REQUIRE(a.distances == b.distances);
        std::istringstream truncated(saved.substr(0, saved.size() / 2));
        REQUIRE_THROWS_AS(knn::FlatIndex<T>::load(truncated), shelf::model_error);
        std::string flipped = saved;
        flipped[saved.size() / 3] = static_cast<char>(flipped[saved.size() / 3] ^ 0x21);
        std::istringstream damaged(flipped);
        REQUIRE_THROWS_AS(knn::FlatIndex<T>::load(damaged), shelf::model_error);
    }
    // A model file is not an index file.
    knn::Params p;
    p.k = 1;
    p.sample_size = 10;
    p.predictor_type = knn::PredictorType::regressor;
    std::stringstream model_bytes;
    knn::fit(base, Vector<T>(base.col(0)), p).save(model_bytes);
    REQUIRE_THROWS_WITH(knn::FlatIndex<T>::load(model_bytes), Catch::Contains("shelf.model_error.304"));
}

TEST_CASE("the sample is drawn by the seed", "[knn]") {
    shelf::Rng rng(2);
    const RowMatrix<float> X = integer_points<float>(rng, 500, 4);
    const Vector<float> y = X.col(0);
    knn::Params p;
    p.k = 3;
    p.sample_size = 100;
    p.predictor_type = knn::PredictorType::regressor;
    const auto a = knn::fit(X, y, p), b = knn::fit(X, y, p);
    REQUIRE(a == b);
    REQUIRE(a.index().size() == 100);
    p.seed = 1;
    const auto c = knn::fit(X, y, p);
    REQUIRE(c.index().size() == 100);
    REQUIRE(a.labels() != c.labels());  // another sample
}

TEMPLATE_TEST_CASE("IVFFlat searching every list equals the brute force; fewer lists trade recall", "[knn][ivf]", float,
                   double) {
    using T = TestType;
    shelf::Rng rng(11);
    const RowMatrix<T> base = integer_points<T>(rng, 2000, 6), Q = integer_points<T>(rng, 300, 6);
    knn::IvfIndex<T> index(6, knn::Metric::l2, 12, 0, 3);
    REQUIRE_THROWS_WITH(index.add(base), Catch::Contains("not trained"));
    index.train(base, 2);
    index.add(base.topRows(700), {}, 2);
    index.add(base.bottomRows(1300), {}, 1);
    REQUIRE(index.size() == 2000);
    // Ties in distance are common on integer data; among them the order is the lists'.
    for (int threads : {1, 3}) require_equal_up_to_ties(index.search(Q, 9, threads, {}, 12), base, Q, 9);
    require_equal_up_to_ties(index.search(Q, 9, 1, {}, 100), base, Q, 9);  // nprobe past nlists: every list

    SECTION("filtered search and removal, every list searched") {
        const knn::IdFilter odd = [](std::int64_t id) { return id % 2 == 1; };
        require_equal_up_to_ties(index.search(Q, 5, 2, odd, 12), base, Q, 5, odd);
        std::vector<std::int64_t> gone;
        for (std::int64_t id = 0; id < 2000; id += 4) gone.push_back(id);
        REQUIRE(index.remove(gone) == 500);
        REQUIRE(index.size() == 1500);
        require_equal_up_to_ties(index.search(Q, 5, 2, {}, 12), base, Q, 5, [](std::int64_t id) { return id % 4 != 0; });
    }
    SECTION("recall rises with nprobe on clustered data") {
        const RowMatrix<T> X = clusters<T>(rng, 4000, 16, 40), P = clusters<T>(rng, 200, 16, 40);
        knn::FlatIndex<T> flat(16, knn::Metric::l2);
        flat.add(X);
        const auto exact = flat.search(P, 10);
        knn::IvfIndex<T> ivf(16, knn::Metric::l2, 64, 0, 1);
        ivf.train(X);
        ivf.add(X);
        double previous = 0;
        for (Index nprobe : {1, 4, 16, 64}) {
            const double r = recall(ivf.search(P, 10, 2, {}, nprobe).ids, exact.ids);
            INFO("nprobe " << nprobe << ": recall " << r);
            REQUIRE(r >= previous);
            previous = r;
        }
        REQUIRE(previous == 1.0);
        CHECK(recall(ivf.search(P, 10, 2, {}, 8).ids, exact.ids) > 0.9);
    }
}

TEMPLATE_TEST_CASE("IVFPQ with a lossless quantizer gives the exact distances, and ranks well otherwise", "[knn][ivf]",
                   float, double) {
    using T = TestType;
    shelf::Rng rng(12);
    // Seven values per coordinate, one code per coordinate: 256 sub-centroids hold every value
    // each residual coordinate takes (one list: residuals are the rows less one centroid), so
    // the table sums are the exact squared distances (up to rounding).
    const RowMatrix<T> base = integer_points<T>(rng, 1500, 6), Q = integer_points<T>(rng, 50, 6);
    for (auto metric : {knn::Metric::l2, knn::Metric::inner_product}) {
        knn::IvfIndex<T> index(6, metric, 1, 6, 0);
        index.train(base);
        index.add(base);
        knn::FlatIndex<T> flat(6, metric);
        flat.add(base);
        const auto got = index.search(Q, 8), want = flat.search(Q, 8);
        for (Index q = 0; q < Q.rows(); ++q)
            for (Index j = 0; j < 8; ++j) {
                INFO("metric " << int(metric) << ", query " << q << ", neighbour " << j);
                REQUIRE(double(got.distances(q, j)) == Approx(double(want.distances(q, j))).margin(1e-3));
                const Index id = got.ids(q, j);
                const double direct = metric == knn::Metric::l2
                                          ? (base.row(id) - Q.row(q)).template cast<double>().squaredNorm()
                                          : base.row(id).template cast<double>().dot(Q.row(q).template cast<double>());
                REQUIRE(double(got.distances(q, j)) == Approx(direct).margin(1e-3));
            }
    }
    SECTION("8 codes of 4 dimensions on clustered data: recall@10 of the exact lists searched") {
        const RowMatrix<T> X = clusters<T>(rng, 4000, 32, 40), P = clusters<T>(rng, 200, 32, 40);
        knn::FlatIndex<T> flat(32, knn::Metric::l2);
        flat.add(X);
        knn::IvfIndex<T> ivf(32, knn::Metric::l2, 32, 8, 1);
        ivf.train(X, 2);
        ivf.add(X, {}, 2);
        const double r = recall(ivf.search(P, 10, 2, {}, 32).ids, flat.search(P, 10).ids);
        INFO("recall " << r);
        REQUIRE(r > 0.5);
    }
    SECTION("a dimension that pq_m does not divide is zero-padded") {
        knn::IvfIndex<T> odd(6, knn::Metric::l2, 2, 4, 0);  // 4 codes of 2 dimensions, the last half padding
        odd.train(base);
        odd.add(base);
        const auto found = odd.search(base.topRows(20), 1, 1, {}, 2);
        Index self = 0;
        for (Index i = 0; i < 20; ++i) self += found.distances(i, 0) < T(0.5);
        REQUIRE(self >= 18);
    }
}

TEMPLATE_TEST_CASE("IVF and HNSW indexes and models round-trip; damaged files are refused; bad input is named", "[knn][ivf]",
                   float, double) {
    using T = TestType;
    shelf::Rng rng(13);
    const RowMatrix<T> X = clusters<T>(rng, 1200, 8, 10), Q = clusters<T>(rng, 40, 8, 10);
    for (int pq_m : {0, 4}) {
        INFO("pq_m " << pq_m);
        knn::IvfIndex<T> index(8, knn::Metric::cosine, 10, pq_m, 5);
        index.train(X);
        std::vector<std::int64_t> ids(1200);
        for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int64_t>(5000 - 2 * i);
        index.add(X, ids);
        index.remove({5000, 4998});
        std::stringstream bytes;
        index.save(bytes);
        const std::string saved = bytes.str();
        const auto back = knn::IvfIndex<T>::load(bytes);
        REQUIRE(back.size() == 1198);
        REQUIRE(back.ids() == index.ids());
        const auto a = index.search(Q, 7, 1, {}, 3), b = back.search(Q, 7, 2, {}, 3);
        REQUIRE(a.ids == b.ids);
        REQUIRE(a.distances == b.distances);
        std::istringstream truncated(saved.substr(0, saved.size() / 2));
        REQUIRE_THROWS_AS(knn::IvfIndex<T>::load(truncated), shelf::model_error);
        std::string flipped = saved;
        flipped[saved.size() / 3] = static_cast<char>(flipped[saved.size() / 3] ^ 0x21);
        std::istringstream damaged(flipped);
        REQUIRE_THROWS_AS(knn::IvfIndex<T>::load(damaged), shelf::model_error);
    }
    const Vector<T> y = X.col(0).array().round();
    for (auto type : {knn::IndexType::ivf_flat, knn::IndexType::ivf_pq}) {
        knn::Params p;
        p.k = 5;
        p.sample_size = 1000;
        p.predictor_type = knn::PredictorType::classifier;
        p.index_type = type;
        p.num_threads = 2;
        const auto model = knn::fit(X, y, p);
        REQUIRE(*model.params().faiss_index_ivf_nlists == 32);  // √1000, rounded
        REQUIRE(*model.params().nprobe == 6);
        if (type == knn::IndexType::ivf_pq) REQUIRE(*model.params().faiss_index_pq_m == 2);  // 8 = 2 × 4
        REQUIRE(model == knn::fit(X, y, p));  // the seed decides
        std::stringstream bytes;
        model.save(bytes);
        const auto back = knn::Model<T>::load(bytes);
        REQUIRE(back == model);
        REQUIRE(back.predict(Q) == model.predict(Q));
    }
    for (auto storage : {knn::Storage::vectors, knn::Storage::sq8, knn::Storage::sq8_rerank}) {  // the graph index in a model
        knn::Params p;
        p.k = 5;
        p.sample_size = 1200;
        p.predictor_type = knn::PredictorType::classifier;
        p.index_type = knn::IndexType::hnsw;
        p.vector_storage = storage;
        p.M = 8;
        p.ef_search = 100;
        const auto model = knn::fit(X, y, p);
        knn::FlatIndex<T> flat(8, knn::Metric::l2);
        flat.add(X);
        INFO("storage " << static_cast<int>(storage));
        // Codes alone lose a little to the quantization (0.985 here).
        REQUIRE(recall(model.neighbors(Q).ids, flat.search(Q, 5).ids) >= (storage == knn::Storage::sq8 ? 0.97 : 0.99));
        REQUIRE(model == knn::fit(X, y, p));
        std::stringstream bytes;
        model.save(bytes);
        const auto back = knn::Model<T>::load(bytes);
        REQUIRE(back == model);
        REQUIRE(back.neighbors(Q).ids == model.neighbors(Q).ids);
    }
    knn::Params p;
    p.k = 5;
    p.sample_size = 100;
    p.predictor_type = knn::PredictorType::classifier;
    p.vector_storage = knn::Storage::sq8_rerank;
    REQUIRE_THROWS_WITH(knn::fit(X, y, p), Catch::Contains("vector_storage = sq8_rerank needs index_type = hnsw; it is faiss.Flat"));
    p.index_type = knn::IndexType::ivf_flat;
    p.vector_storage = knn::Storage::sq8;
    REQUIRE_THROWS_WITH(knn::fit(X, y, p),
                        Catch::Contains("vector_storage = sq8 needs index_type = faiss.Flat or hnsw; it is faiss.IVFFlat"));
    p.vector_storage = knn::Storage::vectors;
    p.index_type = knn::IndexType::ivf_pq;
    p.faiss_index_pq_m = 5;
    REQUIRE_THROWS_WITH(knn::fit(X, y, p), Catch::Contains("faiss_index_pq_m = 5; expected one of 1 2 3 4 8"));
    p.faiss_index_pq_m = 12;
    REQUIRE_THROWS_WITH(knn::fit(X, y, p), Catch::Contains("faiss_index_pq_m = 12 is more than the 8 dimensions"));
    p.faiss_index_pq_m.reset();
    p.faiss_index_ivf_nlists = 101;
    REQUIRE_THROWS_WITH(knn::fit(X, y, p), Catch::Contains("faiss_index_ivf_nlists = 101 is more than the 100 rows"));
    knn::IvfIndex<T> index(8, knn::Metric::l2, 4);
    index.train(X);
    index.add(X);
    REQUIRE_THROWS_WITH(index.search(Q, 3, 1, {}, 0), Catch::Contains("nprobe = 0"));
    REQUIRE_THROWS_WITH(index.search(Q.leftCols(7), 3), Catch::Contains("has 7 columns"));
    REQUIRE_THROWS_WITH(knn::IvfIndex<T>(8, knn::Metric::l2, 4, 9), Catch::Contains("pq_m = 9"));
}
