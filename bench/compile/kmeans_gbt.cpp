// Compile-time probe: a 40-line program using k-means and gradient-boosted trees.
#include <shelf/cluster.hpp>
#include <shelf/trees.hpp>

int main() {
    shelf::RowMatrix<float> X = shelf::RowMatrix<float>::Random(200, 8);
    shelf::Vector<float> y = (X.col(0).array() > 0).cast<float>();
    shelf::kmeans::Params k;
    k.k = 4;
    shelf::gbt::Params g;
    g.num_round = 5;
    g.objective = "binary:logistic";
    const auto clusters = shelf::kmeans::fit(X, k).predict(X);
    const auto p = shelf::gbt::fit(X, y, g).predict(X);
    return clusters[0] + static_cast<int>(p(0, 0));
}
