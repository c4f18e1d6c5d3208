// PCA in a few lines: exact and randomized components of correlated data, the variance they
// explain, projection and reconstruction, and streaming rows through an accumulator.
//
//   example_pca
#include <shelf/decomposition.hpp>

#include <iostream>
#include <sstream>

int main() {
    // 50,000 rows in 100 dimensions, most of the variance in 5 hidden directions.
    const shelf::Index rows = 50000, dim = 100, hidden = 5;
    shelf::Rng rng(5);
    shelf::RowMatrix<float> mixing(hidden, dim), X(rows, dim);
    for (shelf::Index h = 0; h < hidden; ++h)
        for (shelf::Index j = 0; j < dim; ++j) mixing(h, j) = static_cast<float>(rng.normal());
    for (shelf::Index i = 0; i < rows; ++i) {
        shelf::RowMatrix<float> z(1, hidden);
        for (shelf::Index h = 0; h < hidden; ++h) z(0, h) = static_cast<float>(rng.normal() * static_cast<double>(hidden - h));
        X.row(i) = z * mixing;
        for (shelf::Index j = 0; j < dim; ++j) X(i, j) += static_cast<float>(0.1 * rng.normal()) + 3.0f;
    }

    shelf::pca::Params params;
    params.num_components = 5;
    const auto exact = shelf::pca::fit(X, params);  // regular: scatter matrix + eigendecomposition
    std::cout << "explained variance ratio: " << exact.explained_variance_ratio().transpose() << " (sum "
              << exact.explained_variance_ratio().sum() << ")\n";

    params.algorithm_mode = shelf::pca::Mode::randomized;  // Halko-Martinsson-Tropp range finder
    const auto fast = shelf::pca::fit(X, params);
    std::cout << "randomized: sum " << fast.explained_variance_ratio().sum() << " with "
              << fast.params().extra_components << " extra components and " << fast.params().power_iterations.value()
              << " power iterations\n";

    const shelf::RowMatrix<float> projection = exact.transform(X);  // the platform's `projection`
    const shelf::RowMatrix<float> back = exact.inverse_transform(projection);
    std::cout << "mean squared reconstruction error: " << (back - X).squaredNorm() / static_cast<double>(rows) << "\n";

    // Rows that do not fit in memory: feed them in batches (dense or sparse), then finish().
    params.algorithm_mode = shelf::pca::Mode::regular;
    shelf::pca::Accumulator<float> acc(params);
    for (shelf::Index first = 0; first < rows; first += 10000) acc.add(X.middleRows(first, 10000));
    const auto streamed = acc.finish();
    std::cout << "streamed in batches: largest component difference "
              << (streamed.components() - exact.components()).cwiseAbs().maxCoeff() << "\n";

    std::stringstream file;
    exact.save(file);
    std::cout << "loaded model equal: " << (shelf::pca::Model<float>::load(file) == exact) << "\n";
}
