// tests/conformance/test_gbt.cpp: the gbt family against the contract.
#include "suite.hpp"

TEMPLATE_TEST_CASE("gbt meets the family contract", "[conformance][gbt]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::GBT<TestType>>();
}
