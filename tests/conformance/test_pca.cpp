// tests/conformance/test_pca.cpp: the pca family against the contract.
#include "suite.hpp"

TEMPLATE_TEST_CASE("pca meets the family contract", "[conformance][pca]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::PCA<TestType>>();
}
