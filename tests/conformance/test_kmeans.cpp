// tests/conformance/test_kmeans.cpp: the kmeans family against the contract.
#include "suite.hpp"

TEMPLATE_TEST_CASE("kmeans meets the family contract", "[conformance][kmeans]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::KMeans<TestType>>();
}
