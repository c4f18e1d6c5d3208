#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>

#include <shelf/cluster.hpp>

#include "fixture.hpp"

using shelf::Index;

namespace {

template <class T>
shelf::kmeans::Model<T> trained(std::int64_t seed = 5) {
    const auto X = fixture::blobs<T>(fixture::separated_centers(4, 6, 31), 60, 2.0, 32);
    shelf::kmeans::Params p;
    p.k = 4;
    p.mode = shelf::kmeans::Mode::lloyd;
    p.seed = seed;
    return shelf::kmeans::fit(X, p);
}

template <class T>
std::string saved(const shelf::kmeans::Model<T>& model) {
    std::ostringstream out;
    model.save(out);
    return out.str();
}

template <class T>
shelf::kmeans::Model<T> loaded(const std::string& bytes) {
    std::istringstream in(bytes);
    return shelf::kmeans::Model<T>::load(in);
}

}  // namespace

TEMPLATE_TEST_CASE("A k-means model gives closest_cluster and the Euclidean distance_to_cluster", "[kmeans][model]",
                   float, double) {
    using T = TestType;
    const auto model = trained<T>();
    const auto X = fixture::blobs<T>(fixture::separated_centers(4, 6, 31), 10, 6.0, 33);
    const auto out = model.assign(X);
    REQUIRE(out.closest_cluster.size() == X.rows());
    double ssd = 0;
    for (Index i = 0; i < X.rows(); ++i) {
        double best = 1e300;
        int arg = -1;
        for (Index c = 0; c < model.k(); ++c) {
            const double d2 = (X.row(i) - model.centers().row(c)).template cast<double>().squaredNorm();
            if (d2 < best) best = d2, arg = static_cast<int>(c);
        }
        REQUIRE(out.closest_cluster[i] == arg);
        // Euclidean, not squared: the platform's distance_to_cluster.
        REQUIRE(static_cast<double>(out.distance_to_cluster[i]) == Approx(std::sqrt(best)).epsilon(1e-5));
        ssd += best;
    }
    REQUIRE(model.predict(X) == out.closest_cluster);
    REQUIRE(model.distance_to_cluster(X) == out.distance_to_cluster);
    SECTION("ssd sums the squared distances and msd averages them") {
        REQUIRE(model.ssd(X) == Approx(ssd).epsilon(1e-5));
        REQUIRE(model.msd(X) == Approx(ssd / static_cast<double>(X.rows())).epsilon(1e-5));
    }
    SECTION("a center itself is at distance exactly 0") {
        const shelf::RowMatrix<T> centers = model.centers();
        REQUIRE(model.distance_to_cluster(centers).isZero());
        REQUIRE(model.predict(centers) == Eigen::VectorXi::LinSpaced(model.k(), 0, static_cast<int>(model.k()) - 1));
    }
    SECTION("rows far from the origin keep their precision") {
        shelf::RowMatrix<T> far = X;
        far.array() += T(1000);
        shelf::kmeans::Params p = model.params();
        const shelf::kmeans::Model<T> shifted(p, (model.centers().array() + T(1000)).matrix());
        REQUIRE(shifted.predict(far) == out.closest_cluster);
    }
}

TEMPLATE_TEST_CASE("A k-means model survives save and load", "[kmeans][model]", float, double) {
    using T = TestType;
    const auto model = trained<T>();
    const auto bytes = saved(model);
    const auto copy = loaded<T>(bytes);
    REQUIRE(copy == model);
    REQUIRE(copy.params().k == 4);
    REQUIRE(copy.params().feature_dim == 6);
    REQUIRE(copy.params().local_lloyd_num_trials == 10);  // the resolved 'auto' (random init)
    REQUIRE(copy.report() == model.report());
    const auto X = fixture::blobs<T>(fixture::separated_centers(4, 6, 31), 10, 6.0, 34);
    REQUIRE(copy.predict(X) == model.predict(X));
    REQUIRE(copy.distance_to_cluster(X) == model.distance_to_cluster(X));
    SECTION("a model of another seed differs") { REQUIRE(trained<T>(6) != model); }
    SECTION("a corrupted file is refused") {
        std::string bad = bytes;
        bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x10);
        REQUIRE_THROWS_WITH(loaded<T>(bad), Catch::Contains("shelf.model_error.303"));
        REQUIRE_THROWS_AS(loaded<T>(bytes.substr(0, bytes.size() - 9)), shelf::model_error);
    }
    SECTION("the other scalar type is refused") {
        using U = std::conditional_t<std::is_same_v<T, float>, double, float>;
        REQUIRE_THROWS_WITH(loaded<U>(bytes), Catch::Contains("shelf.model_error.306"));
    }
    SECTION("another family's model is refused") {
        shelf::ModelWriter w("pca", shelf::scalar_type_of<T>());
        w.params(shelf::to_map(model.params()));
        w.matrix("centers", model.centers());
        std::ostringstream out;
        w.write(out);
        REQUIRE_THROWS_WITH(loaded<T>(out.str()), Catch::Contains("shelf.model_error.304") &&
                                                      Catch::Contains("pca model, not a kmeans model"));
    }
}

TEST_CASE("A k-means model refuses rows it cannot score", "[kmeans][model]") {
    const auto model = trained<float>();
    SECTION("the wrong number of columns") {
        const shelf::RowMatrix<float> X(3, 5);
        REQUIRE_THROWS_WITH(model.predict(X), Catch::Contains("shelf.data_error.202") &&
                                                  Catch::Contains("X has 5 columns, the model expects 6"));
    }
    SECTION("a NaN") {
        shelf::RowMatrix<float> X = shelf::RowMatrix<float>::Zero(3, 6);
        X(2, 4) = std::nanf("");
        REQUIRE_THROWS_WITH(model.assign(X), Catch::Contains("shelf.data_error.203") && Catch::Contains("X(2, 4)"));
    }
    SECTION("no rows: empty answers, and msd is an error") {
        const shelf::RowMatrix<float> X(0, 6);
        REQUIRE(model.predict(X).size() == 0);
        REQUIRE(model.ssd(X) == 0.0);
        REQUIRE_THROWS_WITH(model.msd(X), Catch::Contains("shelf.data_error.201"));
    }
}
