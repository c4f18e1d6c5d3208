#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include <shelf/core/memory.hpp>

#if defined(__linux__)
#include <sys/mman.h>

namespace {

/// Whether the kernel has transparent huge pages at all.
bool has_huge_pages() { return std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good(); }

/// The VmFlags line of the mapping that holds `p`, from /proc/self/smaps ("" if not found).
std::string flags_at(const void* p) {
    std::ifstream smaps("/proc/self/smaps");
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        std::uintptr_t from = 0, to = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> from >> dash >> to && dash == '-') {
            inside = from <= at && at < to;
            continue;
        }
        if (inside && line.rfind("VmFlags:", 0) == 0) return line + " ";
    }
    return "";
}

}  // namespace

TEST_CASE("advise_huge_pages advises the whole 2 MiB pages of a range, and only those", "[core][memory]") {
    if (!has_huge_pages()) return;  // a kernel without them: the advice is refused, nothing to see
    constexpr std::size_t huge = shelf::huge_page_bytes, bytes = 6 * huge;
    void* mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(mapped != MAP_FAILED);
    // Within the mapping, a range from 100 bytes into one huge page to 100 bytes before the end of
    // the fourth: the two whole pages between are advised ("hg" in VmFlags, a mapping of their
    // own), the partial ones around them are not.
    const auto base = (reinterpret_cast<std::uintptr_t>(mapped) + huge - 1) / huge * huge;
    char* page = reinterpret_cast<char*>(base);
    shelf::advise_huge_pages(page + 100, 4 * huge - 200);
    CHECK(flags_at(page + huge).find(" hg ") != std::string::npos);
    CHECK(flags_at(page + 2 * huge).find(" hg ") != std::string::npos);
    CHECK(flags_at(page).find(" hg ") == std::string::npos);
    CHECK(flags_at(page + 3 * huge).find(" hg ") == std::string::npos);
    ::munmap(mapped, bytes);
}
#endif
