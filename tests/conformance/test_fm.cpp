// tests/conformance/test_fm.cpp: the factorization-machines family against the contract.
#include "suite.hpp"

TEMPLATE_TEST_CASE("factorization-machines meets the family contract", "[conformance][fm]", SHELF_CONFORMANCE_SCALARS) {
    conformance::run<conformance::FM<TestType>>();
}
