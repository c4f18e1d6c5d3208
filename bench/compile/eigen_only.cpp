// Compile-time probe: the Eigen-only baseline, a GEMM and a symmetric eigendecomposition.
#include <Eigen/Dense>

int main() {
    Eigen::MatrixXf X = Eigen::MatrixXf::Random(200, 8);
    const Eigen::MatrixXf scatter = X.transpose() * X;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXf> solver(scatter);
    return static_cast<int>(solver.eigenvalues()(0));
}
