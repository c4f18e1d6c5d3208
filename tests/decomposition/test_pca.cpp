#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include <shelf/core/random.hpp>
#include <shelf/decomposition.hpp>
#include <shelf/decomposition/top_eigen.hpp>

#include "fixture.hpp"

using shelf::Index;
using shelf::pca::Mode;
using shelf::pca::Params;

namespace {

Params params(int components, Mode mode = Mode::regular) {
    Params p;
    p.num_components = components;
    p.algorithm_mode = mode;
    p.seed = 7;
    return p;
}

/// The largest difference between the rows of A and B, each row compared up to sign.
template <class DA, class DB>
double max_difference_up_to_sign(const Eigen::MatrixBase<DA>& A, const Eigen::MatrixBase<DB>& B) {
    double worst = 0;
    for (Index i = 0; i < A.rows(); ++i) {
        const Eigen::RowVectorXd a = A.row(i).template cast<double>(), b = B.row(i).template cast<double>();
        worst = std::max(worst, std::min((a - b).cwiseAbs().maxCoeff(), (a + b).cwiseAbs().maxCoeff()));
    }
    return worst;
}

shelf::SparseMatrix<double> sparse_data(Index n, Index d, double density, std::uint64_t seed) {
    shelf::Rng rng(seed);
    shelf::RowMatrix<double> dense = shelf::RowMatrix<double>::Zero(n, d);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < d; ++j)
            if (rng.uniform() < density) dense(i, j) = rng.normal() * (1.0 + static_cast<double>(j % 5));
    return dense.sparseView();
}

}  // namespace

TEST_CASE("Regular PCA matches scikit-learn's PCA(svd_solver='full') on the digits data", "[pca]") {
    const auto X = fixture::read_csv("kmeans_pca/digits.csv");
    const auto model = shelf::pca::fit(X, params(10));
    const auto components = fixture::read_csv("kmeans_pca/pca_components.csv");
    SECTION("components, with the same sign rule, to 1e-4") {
        REQUIRE((model.components() - components).cwiseAbs().maxCoeff() < 1e-4);
        REQUIRE(max_difference_up_to_sign(model.components(), components) < 1e-4);
    }
    SECTION("explained variance (ddof = 1), its ratio, singular values and mean") {
        const auto variance = fixture::read_csv("kmeans_pca/pca_explained_variance.csv");
        const auto ratio = fixture::read_csv("kmeans_pca/pca_explained_variance_ratio.csv");
        const auto singular = fixture::read_csv("kmeans_pca/pca_singular_values.csv");
        const auto mean = fixture::read_csv("kmeans_pca/pca_mean.csv");
        for (Index c = 0; c < 10; ++c) {
            REQUIRE(model.explained_variance()[c] == Approx(variance(0, c)).epsilon(1e-10));
            REQUIRE(model.explained_variance_ratio()[c] == Approx(ratio(0, c)).epsilon(1e-10));
            REQUIRE(model.singular_values()[c] == Approx(singular(0, c)).epsilon(1e-10));
        }
        REQUIRE((model.mean().transpose() - mean).cwiseAbs().maxCoeff() < 1e-12);
    }
    SECTION("the projection of the first rows") {
        const auto projection = fixture::read_csv("kmeans_pca/pca_projection_head.csv");
        REQUIRE((model.transform(X.topRows(8)) - projection).cwiseAbs().maxCoeff() < 1e-6);
    }
    SECTION("in float, to float's precision") {
        const auto single = shelf::pca::fit(shelf::RowMatrix<float>(X.cast<float>()), params(10));
        REQUIRE(max_difference_up_to_sign(single.components(), components) < 2e-3);
        REQUIRE(single.explained_variance_ratio().cast<double>().sum() ==
                Approx(model.explained_variance_ratio().sum()).epsilon(1e-5));
    }
}

TEST_CASE("Regular PCA matches scikit-learn's PCA(svd_solver='full') on a Fashion-MNIST slice", "[pca]") {
    // 600 images of 784 pixels: more dimensions than rows, a rank-deficient scatter matrix.
    const auto X = fixture::read_csv("kmeans_pca/fashion600.csv");
    const auto model = shelf::pca::fit(X, params(10));
    const auto components = fixture::read_csv("kmeans_pca/fashion_pca_components.csv");
    REQUIRE(max_difference_up_to_sign(model.components(), components) < 1e-4);
    const auto ratio = fixture::read_csv("kmeans_pca/fashion_pca_explained_variance_ratio.csv");
    for (Index c = 0; c < 10; ++c) REQUIRE(model.explained_variance_ratio()[c] == Approx(ratio(0, c)).epsilon(1e-10));
}

TEST_CASE("The sign of each component is fixed: its largest-magnitude entry is positive", "[pca]") {
    const auto X = fixture::decaying<double>(500, 12, 0.8, 0.0, 3);
    for (Mode mode : {Mode::regular, Mode::randomized}) {
        const auto model = shelf::pca::fit(X, params(5, mode));
        for (Index c = 0; c < 5; ++c) {
            Index at = 0;
            model.components().row(c).cwiseAbs().maxCoeff(&at);
            REQUIRE(model.components()(c, at) > 0);
        }
        SECTION("and flipping the data's sign changes nothing") {
            const shelf::RowMatrix<double> flipped = -X;
            REQUIRE((shelf::pca::fit(flipped, params(5, mode)).components() - model.components()).cwiseAbs().maxCoeff() <
                    1e-8);
        }
    }
}

TEST_CASE("Randomized PCA captures the exact explained variance to 1e-3", "[pca]") {
    const auto X = fixture::read_csv("kmeans_pca/digits.csv");
    for (int components : {2, 10, 20}) {
        const auto exact = shelf::pca::fit(X, params(components));
        const auto fast = shelf::pca::fit(X, params(components, Mode::randomized));
        INFO(components << " components");
        REQUIRE(fast.explained_variance_ratio().sum() == Approx(exact.explained_variance_ratio().sum()).margin(1e-3));
        for (Index c = 0; c < components; ++c)
            REQUIRE(fast.explained_variance_ratio()[c] == Approx(exact.explained_variance_ratio()[c]).margin(1e-3));
        // The leading, well-separated components agree too.
        REQUIRE(max_difference_up_to_sign(fast.components().topRows(2), exact.components().topRows(2)) < 1e-3);
        REQUIRE(fast.params().extra_components == std::max(10, components));
    }
    SECTION("the same seed gives the same model, another seed a close one") {
        const auto a = shelf::pca::fit(X, params(5, Mode::randomized));
        REQUIRE(shelf::pca::fit(X, params(5, Mode::randomized)) == a);
        Params other = params(5, Mode::randomized);
        other.seed = 8;
        const auto b = shelf::pca::fit(X, other);
        REQUIRE_FALSE(b == a);
        REQUIRE(b.explained_variance_ratio().sum() == Approx(a.explained_variance_ratio().sum()).margin(1e-3));
    }
    SECTION("oversampling is capped by the data's size") {
        const auto small = shelf::pca::fit(X.topRows(30), params(25, Mode::randomized));
        REQUIRE(small.params().extra_components == 5);
    }
}

TEST_CASE("Data of lower rank than num_components still gives orthonormal components", "[pca]") {
    // Rank 3 in 8 dimensions, 5 components: two carry no variance but are still unit vectors
    // orthogonal to the rest (randomized mode finds no direction for them in the data).
    shelf::Rng rng(4);
    shelf::RowMatrix<double> basis(3, 8), weights(300, 3);
    for (Index i = 0; i < basis.size(); ++i) basis.data()[i] = rng.normal();
    for (Index i = 0; i < weights.size(); ++i) weights.data()[i] = rng.normal();
    const shelf::RowMatrix<double> X = weights * basis;
    for (Mode mode : {Mode::regular, Mode::randomized}) {
        INFO("randomized " << (mode == Mode::randomized));
        const auto model = shelf::pca::fit(X, params(5, mode));
        const shelf::RowMatrix<double> gram = model.components() * model.components().transpose();
        REQUIRE((gram - Eigen::MatrixXd::Identity(5, 5)).cwiseAbs().maxCoeff() < 1e-12);
        REQUIRE(model.explained_variance_ratio().head(3).sum() == Approx(1.0).epsilon(1e-12));
        REQUIRE(model.explained_variance_ratio().tail(2).cwiseAbs().maxCoeff() < 1e-12);
    }
}

TEST_CASE("Reconstruction error is the variance left out", "[pca]") {
    const auto X = fixture::decaying<double>(400, 10, 0.7, 5.0, 9);
    const auto all = shelf::pca::fit(X, params(10));
    SECTION("all components reconstruct the data exactly") {
        const shelf::RowMatrix<double> back = all.inverse_transform(all.transform(X));
        REQUIRE((back - X).cwiseAbs().maxCoeff() < 1e-9);
        REQUIRE(all.explained_variance_ratio().sum() == Approx(1.0).epsilon(1e-12));
    }
    SECTION("k components leave the sum of the other eigenvalues") {
        for (int k : {1, 4, 9}) {
            for (Mode mode : {Mode::regular, Mode::randomized}) {
                const auto model = shelf::pca::fit(X, params(k, mode));
                const double error = (model.inverse_transform(model.transform(X)) - X).squaredNorm();
                const double left = (all.singular_values().tail(10 - k).array().square()).sum();
                INFO(k << " components");
                REQUIRE(error == Approx(left).epsilon(mode == Mode::regular ? 1e-9 : 1e-3));
            }
        }
    }
}

TEST_CASE("Sparse and dense input give the same model", "[pca]") {
    const auto S = sparse_data(600, 25, 0.2, 11);
    const shelf::RowMatrix<double> D = S;
    for (Mode mode : {Mode::regular, Mode::randomized}) {
        for (bool subtract_mean : {true, false}) {
            Params p = params(6, mode);
            p.subtract_mean = subtract_mean;
            const auto dense = shelf::pca::fit(D, p), sparse = shelf::pca::fit(S, p);
            INFO("randomized " << (mode == Mode::randomized) << ", subtract_mean " << subtract_mean);
            REQUIRE((dense.components() - sparse.components()).cwiseAbs().maxCoeff() < 1e-8);
            REQUIRE((dense.explained_variance() - sparse.explained_variance()).cwiseAbs().maxCoeff() < 1e-8);
            REQUIRE((dense.mean() - sparse.mean()).cwiseAbs().maxCoeff() < 1e-12);
            REQUIRE((dense.transform(D) - sparse.transform(S)).cwiseAbs().maxCoeff() < 1e-8);
        }
    }
    SECTION("sparse rows may lack trailing features when feature_dim is given") {
        Params p = params(3);
        p.feature_dim = 30;
        const auto model = shelf::pca::fit(S, p);
        REQUIRE(model.feature_dim() == 30);
        REQUIRE(model.components().rightCols(5).isZero());
        p.algorithm_mode = Mode::randomized;
        REQUIRE(shelf::pca::fit(S, p).components().rightCols(5).isZero());
    }
}

TEST_CASE("The accumulator gives the same model whatever the batches", "[pca]") {
    const auto X = fixture::decaying<double>(900, 14, 0.8, 3.0, 13);
    const auto whole = shelf::pca::fit(X, params(4));
    shelf::pca::Accumulator<double> acc(params(4));
    Index first = 0;
    for (Index size : {1, 2, 300, 7, 590}) {
        acc.add(X.middleRows(first, size));
        first += size;
    }
    REQUIRE(acc.rows() == 900);
    const auto streamed = acc.finish();
    REQUIRE((streamed.components() - whole.components()).cwiseAbs().maxCoeff() < 1e-10);
    REQUIRE((streamed.explained_variance() - whole.explained_variance()).cwiseAbs().maxCoeff() < 1e-10);
    SECTION("dense and sparse batches mix") {
        shelf::pca::Accumulator<double> mixed(params(4));
        mixed.add(X.topRows(450));
        const shelf::SparseMatrix<double> rest = X.bottomRows(450).sparseView();
        mixed.add(rest);
        REQUIRE((mixed.finish().components() - whole.components()).cwiseAbs().maxCoeff() < 1e-10);
    }
    SECTION("a NaN is named by its row in the whole stream") {
        shelf::RowMatrix<double> bad = X.topRows(10);
        bad(4, 2) = std::numeric_limits<double>::quiet_NaN();
        REQUIRE_THROWS_WITH(acc.add(bad), Catch::Contains("shelf.data_error.203") && Catch::Contains("X(904, 2)"));
    }
    SECTION("a batch of another width is refused") {
        REQUIRE_THROWS_WITH(acc.add(shelf::RowMatrix<double>(2, 13)), Catch::Contains("shelf.data_error.202"));
    }
    SECTION("randomized mode needs fit()") {
        REQUIRE_THROWS_WITH(shelf::pca::Accumulator<double>(params(4, Mode::randomized)),
                            Catch::Contains("shelf.invalid_argument.105"));
    }
}

TEMPLATE_TEST_CASE("A large common offset costs no accuracy", "[pca]", float, double) {
    using T = TestType;
    const double offset = std::is_same_v<T, float> ? 1e3 : 1e6;
    const auto centered = fixture::decaying<double>(2000, 8, 0.6, 0.0, 17);
    shelf::RowMatrix<T> shifted = (centered.array() + offset).matrix().template cast<T>();
    const auto reference = shelf::pca::fit(centered, params(3));
    const double tolerance = std::is_same_v<T, float> ? 1e-2 : 1e-7;
    for (Mode mode : {Mode::regular, Mode::randomized}) {
        const auto model = shelf::pca::fit(shifted, params(3, mode));
        INFO("randomized " << (mode == Mode::randomized));
        REQUIRE(max_difference_up_to_sign(model.components(), reference.components()) < tolerance);
        for (Index c = 0; c < 3; ++c)
            REQUIRE(static_cast<double>(model.explained_variance()[c]) ==
                    Approx(reference.explained_variance()[c]).epsilon(tolerance));
    }
}

TEST_CASE("Without subtract_mean the components describe the raw second moment", "[pca]") {
    const auto X = fixture::decaying<double>(300, 6, 0.7, 2.0, 19);
    Params p = params(2);
    p.subtract_mean = false;
    const auto model = shelf::pca::fit(X, p);
    REQUIRE(model.mean().isZero());
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(X.transpose() * X);
    const Eigen::MatrixXd top = eig.eigenvectors().rightCols(2).rowwise().reverse().transpose();
    REQUIRE(max_difference_up_to_sign(model.components(), top) < 1e-9);
    REQUIRE((model.transform(X) - X * model.components().transpose()).cwiseAbs().maxCoeff() < 1e-9);
    p.algorithm_mode = Mode::randomized;
    REQUIRE(max_difference_up_to_sign(shelf::pca::fit(X, p).components(), top) < 1e-6);
}

TEST_CASE("PCA names what is wrong with its input", "[pca]") {
    auto X = fixture::decaying<double>(50, 5, 0.9, 0.0, 23);
    SECTION("more components than features") {
        REQUIRE_THROWS_WITH(shelf::pca::fit(X, params(6)), Catch::Contains("shelf.invalid_argument.101") &&
                                                               Catch::Contains("num_components = 6") &&
                                                               Catch::Contains("5 features"));
    }
    SECTION("num_components is required") {
        REQUIRE_THROWS_WITH(shelf::pca::fit(X, Params{}), Catch::Contains("shelf.invalid_argument.104"));
    }
    SECTION("a NaN, by row and column") {
        X(31, 4) = std::numeric_limits<double>::quiet_NaN();
        for (Mode mode : {Mode::regular, Mode::randomized})
            REQUIRE_THROWS_WITH(shelf::pca::fit(X, params(2, mode)),
                                Catch::Contains("shelf.data_error.203") && Catch::Contains("X(31, 4) is nan") &&
                                    Catch::Contains("row 31, column 4"));
    }
    SECTION("fewer than two rows") {
        REQUIRE_THROWS_WITH(shelf::pca::fit(X.topRows(1), params(2)), Catch::Contains("shelf.data_error.201"));
    }
    SECTION("a feature_dim that is not the data's") {
        Params p = params(2);
        p.feature_dim = 7;
        REQUIRE_THROWS_WITH(shelf::pca::fit(X, p), Catch::Contains("shelf.data_error.202"));
    }
    SECTION("data without variance: zero variances and ratios, no NaN") {
        const shelf::RowMatrix<double> constant = shelf::RowMatrix<double>::Constant(20, 5, 3.0);
        for (Mode mode : {Mode::regular, Mode::randomized}) {
            const auto model = shelf::pca::fit(constant, params(2, mode));
            REQUIRE(model.explained_variance().isZero());
            REQUIRE(model.explained_variance_ratio().isZero());
            REQUIRE(model.components().allFinite());
            REQUIRE(model.transform(constant).isZero());
        }
    }
}

TEST_CASE("A progress callback sees the rows and can stop training", "[pca]") {
    const auto X = fixture::decaying<double>(1000, 6, 0.8, 0.0, 29);
    long long seen = 0;
    const auto model = shelf::pca::fit(X, params(2), [&](const shelf::Progress& p) {
        REQUIRE(p.stage == "rows");
        seen = p.done;
        return p.done < 300;
    });
    REQUIRE(seen == 300);
    REQUIRE(model.report().stopped);
    REQUIRE(model.report().rows == 300);
    SECTION("randomized mode reports passes") {
        long long passes = 0;
        const auto fast = shelf::pca::fit(X, params(2, Mode::randomized), [&](const shelf::Progress& p) {
            REQUIRE(p.stage == "pass");
            passes = p.total;
            return true;
        });
        REQUIRE(passes == 2 + 2 * 4);  // auto: 4 power iterations
        REQUIRE(fast.report().passes == passes);
    }
}

TEST_CASE("The largest eigenpairs alone equal a full eigendecomposition's, repeated eigenvalues included", "[pca]") {
    shelf::Rng rng(17);
    const auto random_matrix = [&](shelf::Index rows, shelf::Index cols) {
        Eigen::MatrixXd M(rows, cols);
        for (shelf::Index i = 0; i < M.size(); ++i) M.data()[i] = rng.normal();
        return M;
    };
    const auto check = [](const Eigen::MatrixXd& A, shelf::Index count) {
        const auto top = shelf::pca::detail::top_eigenpairs(A, count);
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> full(A);
        const double scale = full.eigenvalues().cwiseAbs().maxCoeff() + 1e-300;
        for (shelf::Index c = 0; c < count; ++c)
            REQUIRE(top.values[c] == Approx(full.eigenvalues()[A.rows() - 1 - c]).margin(1e-12 * scale));
        const Eigen::MatrixXd gram = top.vectors.transpose() * top.vectors;
        REQUIRE((gram - Eigen::MatrixXd::Identity(count, count)).cwiseAbs().maxCoeff() < 1e-12);
        const Eigen::MatrixXd residual = A * top.vectors - top.vectors * top.values.asDiagonal();
        REQUIRE(residual.cwiseAbs().maxCoeff() < 1e-12 * scale);
        return top;
    };
    SECTION("distinct eigenvalues: the same vectors up to sign") {
        const Eigen::MatrixXd B = random_matrix(60, 80);
        const Eigen::MatrixXd A = B * B.transpose();
        const auto top = check(A, 7);
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> full(A);
        for (shelf::Index c = 0; c < 7; ++c)
            REQUIRE(std::abs(top.vectors.col(c).dot(full.eigenvectors().col(59 - c))) == Approx(1.0).margin(1e-10));
    }
    SECTION("a triple top eigenvalue and a double one below it") {
        const Eigen::HouseholderQR<Eigen::MatrixXd> qr(random_matrix(40, 40));
        const Eigen::MatrixXd Q = qr.householderQ();
        Eigen::VectorXd values = Eigen::VectorXd::LinSpaced(40, 0.0, 1.0);
        values.tail(5) << 3, 3, 5, 5, 5;
        check(Q * values.asDiagonal() * Q.transpose(), 6);
    }
    SECTION("rank 2 of 30: the zero eigenvalues still give orthonormal vectors") {
        const Eigen::MatrixXd B = random_matrix(30, 2);
        check(B * B.transpose(), 5);
        check(Eigen::MatrixXd::Zero(6, 6), 3);
    }
}
