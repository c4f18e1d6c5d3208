// shelf/trees/threads.hpp: when a loop is worth a parallel region.
#pragma once

#include <cstddef>

namespace shelf::gbt::detail {

/// Work (values touched) below which a loop stays on one thread: a parallel region costs
/// microseconds, and far more when the cores are shared with other processes, which small
/// data sets and deep tree levels would otherwise pay hundreds of times per tree.
inline constexpr std::size_t parallel_work = std::size_t{1} << 16;

}  // namespace shelf::gbt::detail
