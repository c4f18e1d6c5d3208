// bench/compare/driver_io.hpp: what the comparison drivers share — raw float32 matrices in
// (row-major, no header), raw matrices out, and wall-clock seconds.
#pragma once

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>

#include <shelf/core/types.hpp>

namespace driver {

using Clock = std::chrono::steady_clock;

inline shelf::RowMatrix<float> read_f32(const std::string& path, shelf::Index rows, shelf::Index cols) {
    shelf::RowMatrix<float> m(rows, cols);
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(m.data()), static_cast<std::streamsize>(sizeof(float) * static_cast<std::size_t>(m.size())));
    if (!in) throw std::runtime_error("cannot read " + std::to_string(rows) + " x " + std::to_string(cols) + " floats from " + path);
    return m;
}

template <class M>
void write(const std::string& path, const M& m) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(m.data()),
              static_cast<std::streamsize>(sizeof(typename M::Scalar) * static_cast<std::size_t>(m.size())));
}

inline double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace driver
