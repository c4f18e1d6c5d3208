// tests/conformance/test_linear.cpp: the linear family against the contract.
#include "suite.hpp"

TEMPLATE_TEST_CASE("linear meets the family contract", "[conformance][linear]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::Linear<TestType>>();
}
