// k-means in a few lines: cluster synthetic blobs with the platform's mini-batch method
// and with full-batch Lloyd, score them, and save / load a model.
//
//   example_kmeans
#include <shelf/cluster.hpp>

#include <iostream>
#include <sstream>

int main() {
    // 20,000 points around 8 centers in 16 dimensions.
    const shelf::Index rows = 20000, dim = 16, k = 8;
    shelf::Rng rng(3);
    shelf::RowMatrix<float> truth(k, dim), X(rows, dim);
    for (shelf::Index c = 0; c < k; ++c)
        for (shelf::Index j = 0; j < dim; ++j) truth(c, j) = static_cast<float>(rng.uniform(-10, 10));
    for (shelf::Index i = 0; i < rows; ++i)
        for (shelf::Index j = 0; j < dim; ++j) X(i, j) = truth(i % k, j) + static_cast<float>(rng.normal());

    shelf::kmeans::Params params;  // the platform's defaults: mini_batch_size 5000, init_method random ...
    params.k = static_cast<int>(k);
    params.seed = 1;
    const auto model = shelf::kmeans::fit(X, params);  // web-scale mini-batch k-means, reduced to k centers
    std::cout << "mini-batch: " << model.report().batches << " batches, " << model.params().k.value() << " x "
              << model.params().extra_center_factor.value() << " stream centers; msd " << model.msd(X) << "\n";

    params.mode = shelf::kmeans::Mode::lloyd;  // full-batch Lloyd with greedy k-means++
    params.init_method = shelf::kmeans::Init::kmeans_plus_plus;
    const auto lloyd = shelf::kmeans::fit(X, params);
    std::cout << "Lloyd: " << lloyd.report().iterations << " iterations, converged " << lloyd.report().converged
              << "; msd " << lloyd.msd(X) << "\n";

    const auto out = lloyd.assign(X.topRows(3));  // the platform's outputs
    for (shelf::Index i = 0; i < 3; ++i)
        std::cout << "row " << i << ": closest_cluster " << out.closest_cluster[i] << ", distance_to_cluster "
                  << out.distance_to_cluster[i] << "\n";

    std::stringstream file;
    lloyd.save(file);
    const auto loaded = shelf::kmeans::Model<float>::load(file);
    std::cout << "loaded model predicts the same: " << (loaded.predict(X) == lloyd.predict(X)) << "\n";
}
