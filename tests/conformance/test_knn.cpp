// tests/conformance/test_knn.cpp: the knn family against the contract.
#include "suite.hpp"

TEMPLATE_TEST_CASE("knn meets the family contract", "[conformance][knn]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::KNN<TestType>>();
}

TEMPLATE_TEST_CASE("knn with an IVFPQ index meets the family contract", "[conformance][knn]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::KNNIvfPq<TestType>>();
}

TEMPLATE_TEST_CASE("knn with an HNSW index meets the family contract", "[conformance][knn]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::KNNHnsw<TestType>>();
}
