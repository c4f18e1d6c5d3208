// Compile-time probe: a program that fits k-means and PCA (what issue #14 times against eigen_only.cpp).
#include <shelf/cluster.hpp>
#include <shelf/decomposition.hpp>

int main() {
    shelf::RowMatrix<float> X = shelf::RowMatrix<float>::Random(200, 8);
    shelf::kmeans::Params k;
    k.k = 4;
    shelf::pca::Params p;
    p.num_components = 2;
    const auto clusters = shelf::kmeans::fit(X, k).predict(X);
    const auto projected = shelf::pca::fit(X, p).transform(X);
    return clusters[0] + static_cast<int>(projected(0, 0));
}
