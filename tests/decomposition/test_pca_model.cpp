#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <type_traits>

#include <shelf/decomposition.hpp>

#include "fixture.hpp"

using shelf::Index;

namespace {

template <class T>
shelf::pca::Model<T> trained(shelf::pca::Mode mode = shelf::pca::Mode::regular) {
    const auto X = fixture::decaying<T>(300, 9, 0.8, 1.5, 41);
    shelf::pca::Params p;
    p.num_components = 4;
    p.algorithm_mode = mode;
    return shelf::pca::fit(X, p);
}

template <class T>
std::string saved(const shelf::pca::Model<T>& model) {
    std::ostringstream out;
    model.save(out);
    return out.str();
}

template <class T>
shelf::pca::Model<T> loaded(const std::string& bytes) {
    std::istringstream in(bytes);
    return shelf::pca::Model<T>::load(in);
}

}  // namespace

TEMPLATE_TEST_CASE("A PCA model projects and reconstructs", "[pca][model]", float, double) {
    using T = TestType;
    const auto model = trained<T>();
    const auto X = fixture::decaying<T>(50, 9, 0.8, 1.5, 42);
    REQUIRE(model.num_components() == 4);
    REQUIRE(model.feature_dim() == 9);
    const shelf::RowMatrix<T> Z = model.transform(X);
    REQUIRE(Z.rows() == 50);
    REQUIRE(Z.cols() == 4);
    const shelf::RowMatrix<T> direct = (X.rowwise() - model.mean().transpose()) * model.components().transpose();
    REQUIRE((Z - direct).cwiseAbs().maxCoeff() < T(1e-4));
    SECTION("components are orthonormal") {
        const shelf::RowMatrix<T> gram = model.components() * model.components().transpose();
        REQUIRE((gram - shelf::RowMatrix<T>::Identity(4, 4)).cwiseAbs().maxCoeff() < T(1e-5));
    }
    SECTION("inverse_transform maps the projection back into the data's space") {
        const shelf::RowMatrix<T> back = model.inverse_transform(Z);
        REQUIRE(back.cols() == 9);
        // Projecting the reconstruction again changes nothing.
        REQUIRE((model.transform(back) - Z).cwiseAbs().maxCoeff() < T(1e-3));
    }
    SECTION("sparse rows project like dense ones, and may lack trailing features") {
        shelf::RowMatrix<T> narrow = X;
        narrow.rightCols(2).setZero();
        const shelf::SparseMatrix<T> S = narrow.leftCols(7).sparseView();
        REQUIRE((model.transform(S) - model.transform(narrow)).cwiseAbs().maxCoeff() < T(1e-4));
    }
    SECTION("explained variance is sorted, and singular values match it") {
        for (Index c = 1; c < 4; ++c) REQUIRE(model.explained_variance()[c] <= model.explained_variance()[c - 1]);
        for (Index c = 0; c < 4; ++c)
            REQUIRE(model.singular_values()[c] * model.singular_values()[c] ==
                    Approx(model.explained_variance()[c] * T(299)).epsilon(1e-5));
    }
}

TEMPLATE_TEST_CASE("A PCA model survives save and load", "[pca][model]", float, double) {
    using T = TestType;
    for (auto mode : {shelf::pca::Mode::regular, shelf::pca::Mode::randomized}) {
        const auto model = trained<T>(mode);
        const auto bytes = saved(model);
        const auto copy = loaded<T>(bytes);
        REQUIRE(copy == model);
        REQUIRE(copy.report() == model.report());
        const auto X = fixture::decaying<T>(20, 9, 0.8, 1.5, 43);
        REQUIRE(copy.transform(X) == model.transform(X));
        if (mode == shelf::pca::Mode::randomized) {
            REQUIRE(copy.params().extra_components == 5);  // max(10, 4), capped at 9 features − 4
            REQUIRE(copy.params().power_iterations == 4);
        }
        SECTION("a corrupted or truncated file is refused") {
            std::string bad = bytes;
            bad[bad.size() / 3] = static_cast<char>(bad[bad.size() / 3] ^ 0x01);
            REQUIRE_THROWS_WITH(loaded<T>(bad), Catch::Contains("shelf.model_error.303"));
            REQUIRE_THROWS_AS(loaded<T>(bytes.substr(0, 40)), shelf::model_error);
        }
        SECTION("the other scalar type and another family are refused") {
            using U = std::conditional_t<std::is_same_v<T, float>, double, float>;
            REQUIRE_THROWS_WITH(loaded<U>(bytes), Catch::Contains("shelf.model_error.306"));
            shelf::ModelWriter w("kmeans", shelf::scalar_type_of<T>());
            std::ostringstream out;
            w.write(out);
            REQUIRE_THROWS_WITH(loaded<T>(out.str()), Catch::Contains("shelf.model_error.304"));
        }
    }
}

TEST_CASE("A PCA model refuses data it cannot project", "[pca][model]") {
    const auto model = trained<double>();
    REQUIRE_THROWS_WITH(model.transform(shelf::RowMatrix<double>(2, 8)),
                        Catch::Contains("shelf.data_error.202") && Catch::Contains("X has 8 columns"));
    REQUIRE_THROWS_WITH(model.inverse_transform(shelf::RowMatrix<double>(2, 3)), Catch::Contains("shelf.data_error.202"));
    const shelf::SparseMatrix<double> wide(2, 10);
    REQUIRE_THROWS_WITH(model.transform(wide), Catch::Contains("X has 10 columns, the model expects 9"));
    shelf::RowMatrix<double> nan = shelf::RowMatrix<double>::Zero(3, 9);
    nan(1, 8) = std::nan("");
    REQUIRE_THROWS_WITH(model.transform(nan), Catch::Contains("shelf.data_error.203") && Catch::Contains("X(1, 8)"));
}
