// tests/conformance/test_rcf.cpp: the random cut forest family against the contract.
#include "suite.hpp"

TEMPLATE_TEST_CASE("randomcutforest meets the family contract", "[conformance][rcf]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::RCF<TestType>>();
}
