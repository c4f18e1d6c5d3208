#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <shelf/cluster.hpp>

#include "fixture.hpp"

using shelf::Index;
using shelf::kmeans::Init;
using shelf::kmeans::Mode;
using shelf::kmeans::Params;

namespace {

/// The largest distance from a true center to the nearest found center.
template <class T>
double worst_match(const shelf::RowMatrix<double>& truth, const shelf::RowMatrix<T>& found) {
    double worst = 0;
    for (Index i = 0; i < truth.rows(); ++i) {
        double best = std::numeric_limits<double>::infinity();
        for (Index j = 0; j < found.rows(); ++j)
            best = std::min(best, (truth.row(i) - found.row(j).template cast<double>()).norm());
        worst = std::max(worst, best);
    }
    return worst;
}

Params params(int k, Mode mode, Init init = Init::kmeans_plus_plus) {
    Params p;
    p.k = k;
    p.mode = mode;
    p.init_method = init;
    p.seed = 3;
    return p;
}

}  // namespace

TEMPLATE_TEST_CASE("k-means recovers the centers of well-separated blobs", "[kmeans]", float, double) {
    using T = TestType;
    const auto truth = fixture::separated_centers(5, 8, 11);
    const auto X = fixture::blobs<T>(truth, 300, 1.0, 12);
    // The mean of 300 points of N(0, I_8) is within about 3 * sqrt(8 / 300) = 0.5 of the center.
    SECTION("full-batch Lloyd with k-means++") {
        const auto model = shelf::kmeans::fit(X, params(5, Mode::lloyd));
        REQUIRE(worst_match(truth, model.centers()) < 0.5);
        REQUIRE(model.report().converged);
    }
    SECTION("full-batch Lloyd with random init and several trials") {
        const auto model = shelf::kmeans::fit(X, params(5, Mode::lloyd, Init::random));
        REQUIRE(model.params().local_lloyd_num_trials == 10);
        REQUIRE(model.report().trial_inertia.size() == 10);
        REQUIRE(worst_match(truth, model.centers()) < 0.5);
    }
    SECTION("the platform's mini-batch method") {
        Params p = params(5, Mode::minibatch, Init::random);
        p.mini_batch_size = 200;
        p.epochs = 2;
        const auto model = shelf::kmeans::fit(X, p);
        REQUIRE(model.params().extra_center_factor == 3);  // auto = max(2, ceil(log2 5))
        REQUIRE(model.report().batches == 2 * 8);          // 1500 rows in batches of 200, twice
        REQUIRE(worst_match(truth, model.centers()) < 0.5);
    }
    SECTION("every row is assigned to the blob it was drawn from") {
        const auto model = shelf::kmeans::fit(X, params(5, Mode::lloyd));
        const Eigen::VectorXi cluster = model.predict(X);
        for (Index i = 5; i < X.rows(); ++i) REQUIRE(cluster[i] == cluster[i % 5]);
    }
}

TEST_CASE("Lloyd's inertia never increases from one iteration to the next", "[kmeans]") {
    const auto X = fixture::read_csv("kmeans_pca/digits.csv");
    for (Init init : {Init::random, Init::kmeans_plus_plus}) {
        Params p = params(12, Mode::lloyd, init);
        p.local_lloyd_num_trials = 1;
        p.local_lloyd_tol = 0;
        const auto model = shelf::kmeans::fit(X, p);
        const auto& inertia = model.report().inertia;
        REQUIRE(inertia.size() >= 5);
        REQUIRE(static_cast<int>(inertia.size()) == model.report().iterations);
        for (std::size_t i = 1; i < inertia.size(); ++i) REQUIRE(inertia[i] <= inertia[i - 1] * (1 + 1e-12));
        // With tol = 0 the run ends when no row changes cluster: a fixed point.
        REQUIRE(model.report().converged);
        REQUIRE(model.ssd(X) == Approx(inertia.back()).epsilon(1e-9));
    }
}

TEST_CASE("Lloyd's iterations assign every row exactly as the textbook algorithm", "[kmeans]") {
    // Overlapping blobs: many rows change cluster over many iterations, so the bounds that
    // spare distance computations are exercised; the answer must not change. Five
    // dimensions take Hamerly's bounds, 160 Elkan's.
    const Index dim = GENERATE(Index{5}, Index{160});
    CAPTURE(dim);
    const auto truth = fixture::separated_centers(8, dim, 41);
    const auto X = fixture::blobs<double>(truth / 50.0, 400, 3.0, 42);
    shelf::RowMatrix<double> centers = X.topRows(8);
    Params p;
    p.local_lloyd_tol = 0;
    p.local_lloyd_max_iter = 300;
    const auto model = shelf::kmeans::lloyd(X, centers, p);
    // The textbook: brute-force assignment (lowest index on ties), means, until nothing changes.
    Eigen::VectorXi labels = Eigen::VectorXi::Constant(X.rows(), -1);
    std::vector<double> inertia;
    for (int it = 0; it < 300; ++it) {
        Eigen::VectorXi next(X.rows());
        double total = 0;
        for (Index i = 0; i < X.rows(); ++i) {
            Index best = 0;
            (centers.rowwise() - X.row(i)).rowwise().squaredNorm().minCoeff(&best);
            next[i] = static_cast<int>(best);
            total += (X.row(i) - centers.row(best)).squaredNorm();
        }
        inertia.push_back(total);
        const bool same = next == labels;
        labels = next;
        for (Index c = 0; c < 8; ++c) {
            shelf::RowMatrix<double> mean = shelf::RowMatrix<double>::Zero(1, dim);
            double count = 0;
            for (Index i = 0; i < X.rows(); ++i)
                if (labels[i] == c) mean += X.row(i), ++count;
            REQUIRE(count > 0);
            centers.row(c) = mean / count;
        }
        if (same) break;
    }
    REQUIRE(inertia.size() > 10);
    REQUIRE(model.report().iterations == static_cast<int>(inertia.size()));
    for (std::size_t i = 0; i < inertia.size(); ++i) REQUIRE(model.report().inertia[i] == Approx(inertia[i]).epsilon(1e-10));
    REQUIRE((model.centers() - centers).cwiseAbs().maxCoeff() < 1e-9);
    REQUIRE(model.predict(X) == labels);
}

TEST_CASE("k-means on the digits data is as good as scikit-learn's", "[kmeans]") {
    const auto X = fixture::read_csv("kmeans_pca/digits.csv");
    const auto sklearn = fixture::read_csv("kmeans_pca/kmeans_inertia.csv");  // k-means++, random; n_init = 10
    SECTION("full-batch Lloyd, k-means++, 10 trials: within 1 % of KMeans(init='k-means++', n_init=10)") {
        Params p = params(10, Mode::lloyd);
        p.local_lloyd_num_trials = 10;
        const auto model = shelf::kmeans::fit(X, p);
        REQUIRE(model.ssd(X) < 1.01 * sklearn(0, 0));
    }
    SECTION("full-batch Lloyd, random init, 10 trials: within 1 % of KMeans(init='random', n_init=10)") {
        const auto model = shelf::kmeans::fit(X, params(10, Mode::lloyd, Init::random));
        REQUIRE(model.ssd(X) < 1.01 * sklearn(0, 1));
    }
    SECTION("the mini-batch method is within 5 % of full-batch Lloyd") {
        Params lloyd = params(10, Mode::lloyd);
        lloyd.local_lloyd_num_trials = 10;
        const double full = shelf::kmeans::fit(X, lloyd).ssd(X);
        Params p = params(10, Mode::minibatch, Init::kmeans_plus_plus);
        p.mini_batch_size = 500;
        const double mini = shelf::kmeans::fit(X, p).ssd(X);
        REQUIRE(mini < 1.05 * full);
    }
}

TEST_CASE("k-means on a Fashion-MNIST slice is as good as scikit-learn's", "[kmeans]") {
    // 784 dimensions: Lloyd's iterations run on Elkan's bounds, in float.
    const shelf::RowMatrix<float> X = fixture::read_csv("kmeans_pca/fashion600.csv").cast<float>();
    const double sklearn = fixture::read_csv("kmeans_pca/fashion_kmeans_inertia.csv")(0, 0);
    Params p = params(10, Mode::lloyd);  // KMeans(init='k-means++', n_init=3)
    p.local_lloyd_num_trials = 3;
    const auto model = shelf::kmeans::fit(X, p);
    REQUIRE(model.ssd(X) < 1.01 * sklearn);
    REQUIRE(model.ssd(X) == Approx(model.report().inertia.back()).epsilon(1e-4));
}

TEST_CASE("k-means is deterministic for a seed", "[kmeans]") {
    // Large enough that a pass is split between two threads; 16 dimensions take Hamerly's
    // bounds, 160 Elkan's.
    const Index dim = GENERATE(Index{16}, Index{160});
    CAPTURE(dim);
    const auto X = fixture::blobs<float>(fixture::separated_centers(6, dim, 1), 4000, 8.0, 2);
    for (Mode mode : {Mode::lloyd, Mode::minibatch}) {
        Params p = params(6, mode, Init::random);
        p.mini_batch_size = 8000;
        p.local_lloyd_num_trials = 2;
        const auto a = shelf::kmeans::fit(X, p), b = shelf::kmeans::fit(X, p);
        REQUIRE(a == b);
        SECTION("and the same with one thread or two") {
            p.num_threads = 1;
            const auto one = shelf::kmeans::fit(X, p);
            p.num_threads = 2;
            const auto two = shelf::kmeans::fit(X, p);
            REQUIRE(one.predict(X) == two.predict(X));
            REQUIRE((one.centers() - two.centers()).cwiseAbs().maxCoeff() < 1e-3f);
        }
        SECTION("another seed gives another run") {
            p.seed = 4;
            REQUIRE(shelf::kmeans::fit(X, p).report() != a.report());
        }
    }
}

TEST_CASE("Empty clusters are reseeded from the farthest points", "[kmeans]") {
    const auto truth = fixture::separated_centers(2, 4, 21);
    const auto X = fixture::blobs<double>(truth, 100, 1.0, 22);
    // Both centers start on the first row: the second gets no rows, and is moved to the
    // row farthest from the first center, which lies in the other blob.
    shelf::RowMatrix<double> start(2, 4);
    start.row(0) = X.row(0);
    start.row(1) = X.row(0);
    Params p;
    p.seed = 1;
    const auto model = shelf::kmeans::lloyd(X, start, p);
    REQUIRE(worst_match(truth, model.centers()) < 0.5);
    const Eigen::VectorXi cluster = model.predict(X);
    for (int c = 0; c < 2; ++c) REQUIRE((cluster.array() == c).count() == 100);
    SECTION("three centers on one point still end with no empty cluster") {
        shelf::RowMatrix<double> three(3, 4);
        for (Index c = 0; c < 3; ++c) three.row(c) = X.row(0);
        const Eigen::VectorXi labels = shelf::kmeans::lloyd(X, three, p).predict(X);
        for (int c = 0; c < 3; ++c) REQUIRE((labels.array() == c).count() > 0);
    }
}

TEST_CASE("k-means names what is wrong with its input", "[kmeans]") {
    shelf::RowMatrix<double> X = fixture::blobs<double>(fixture::separated_centers(2, 3, 1), 5, 1.0, 2);
    SECTION("k larger than the number of rows") {
        REQUIRE_THROWS_WITH(shelf::kmeans::fit(X, params(11, Mode::lloyd)),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("k = 11") &&
                                Catch::Contains("10 training rows"));
    }
    SECTION("k = 0") {
        REQUIRE_THROWS_WITH(shelf::kmeans::fit(X, params(0, Mode::lloyd)), Catch::Contains("shelf.invalid_argument.101"));
    }
    SECTION("a NaN, by row and column") {
        X(7, 2) = std::numeric_limits<double>::quiet_NaN();
        REQUIRE_THROWS_WITH(shelf::kmeans::fit(X, params(2, Mode::lloyd)),
                            Catch::Contains("shelf.data_error.203") && Catch::Contains("X(7, 2) is nan") &&
                                Catch::Contains("row 7, column 2"));
    }
    SECTION("an infinity") {
        X(0, 0) = std::numeric_limits<double>::infinity();
        REQUIRE_THROWS_WITH(shelf::kmeans::fit(X, params(2, Mode::minibatch)), Catch::Contains("X(0, 0) is inf"));
    }
    SECTION("no rows") {
        const shelf::RowMatrix<double> empty(0, 3);
        REQUIRE_THROWS_WITH(shelf::kmeans::fit(empty, params(1, Mode::lloyd)), Catch::Contains("shelf.data_error.201"));
    }
    SECTION("a feature_dim that is not the data's") {
        Params p = params(2, Mode::lloyd);
        p.feature_dim = 4;
        REQUIRE_THROWS_WITH(shelf::kmeans::fit(X, p), Catch::Contains("shelf.data_error.202") &&
                                                           Catch::Contains("3 columns but feature_dim = 4"));
    }
    SECTION("initial centers that do not match k") {
        Params p = params(3, Mode::lloyd);
        REQUIRE_THROWS_WITH(shelf::kmeans::lloyd(X, X.topRows(2), p), Catch::Contains("shelf.invalid_argument.105"));
    }
}

TEST_CASE("Data without variance gives duplicate centers at zero distance", "[kmeans]") {
    const shelf::RowMatrix<float> X = shelf::RowMatrix<float>::Constant(50, 4, 2.5f);
    for (Mode mode : {Mode::lloyd, Mode::minibatch}) {
        for (Init init : {Init::random, Init::kmeans_plus_plus}) {
            const auto model = shelf::kmeans::fit(X, params(3, mode, init));
            REQUIRE(model.centers().isApproxToConstant(2.5f));
            REQUIRE(model.ssd(X) == 0.0);
            REQUIRE(model.distance_to_cluster(X).isZero());
        }
    }
}

TEST_CASE("A progress callback sees each iteration and can stop training", "[kmeans]") {
    const auto X = fixture::read_csv("kmeans_pca/digits.csv");
    Params p = params(10, Mode::lloyd);
    p.local_lloyd_tol = 0;
    int calls = 0;
    const auto model = shelf::kmeans::fit(X, p, [&](const shelf::Progress& progress) {
        ++calls;
        REQUIRE(progress.stage == "iteration");
        REQUIRE(progress.metric_name == "inertia");
        return progress.done < 3;
    });
    REQUIRE(calls == 3);
    REQUIRE(model.report().iterations == 3);
    REQUIRE(model.report().stopped);
    REQUIRE_FALSE(model.report().converged);
    SECTION("in minibatch mode it sees each batch") {
        Params q = params(10, Mode::minibatch);
        q.mini_batch_size = 400;
        long long batches = 0;
        const auto m = shelf::kmeans::fit(X, q, [&](const shelf::Progress& progress) {
            batches = progress.done;
            REQUIRE(progress.total == 5);
            return true;
        });
        REQUIRE(batches == 5);
        REQUIRE_FALSE(m.report().stopped);
    }
}
