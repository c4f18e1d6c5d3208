// tests/conformance/fault.cpp: this test program's operator new, with one failure on request.
#include "fault.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

#include <omp.h>

namespace {
std::atomic<int> countdown{-1};  // allocations in parallel regions to let through; -1: disarmed
std::atomic<bool> failed{false};
}  // namespace

namespace conformance::fault {

void arm(int skip) {
    failed = false;
    countdown = skip;
}

bool disarm() {
    countdown = -1;
    return failed.exchange(false);
}

}  // namespace conformance::fault

void* operator new(std::size_t size) {
    if (countdown.load(std::memory_order_relaxed) >= 0 && omp_in_parallel() && countdown.fetch_sub(1) == 0) {
        failed = true;
        throw std::bad_alloc();
    }
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}

// Every other form goes through the two above, so that each allocation is paired with its own
// deallocation (AddressSanitizer checks the pairing).
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return ::operator new(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return ::operator new(size, std::nothrow); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
