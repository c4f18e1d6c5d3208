// tests/conformance/fault.hpp: makes one operator new inside an OpenMP region throw bad_alloc.
#pragma once

namespace conformance::fault {

/// The allocation after `skip` more allocations made inside parallel regions throws std::bad_alloc.
void arm(int skip);
/// Disarms; true when an allocation was made to fail since arm().
bool disarm();

}  // namespace conformance::fault
