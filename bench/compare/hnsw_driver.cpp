// The shelf side of bench/compare/hnsw_compare.py: build one HnswIndex on raw float32 matrices
// (row-major, no header), search every query at a list of ef values, one JSON line of results.
//
//   hnsw_driver BASE N D QUERIES NQ K M EF_CONSTRUCTION BUILD_THREADS STORAGE EFS REPEATS OUT
//       EFS: comma-separated ef values; STORAGE: float, sq8 or sq8_rerank. The queries are searched
//       in one call on one thread, REPEATS times at each ef (the fastest is kept); the ids (int64,
//       NQ × K) of ef e go to OUT.e.i64. "index_bytes" is the size of the saved index (vectors or
//       codes, links, ids): what it holds in memory, less the allocators' slack.
//
// Times are wall-clock seconds; reading the files is excluded.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "driver_io.hpp"

#include <shelf/neighbors/hnsw.hpp>

namespace {

using driver::Clock;
using driver::read_f32;
using driver::seconds_since;
using driver::write;
using shelf::Index;

int run(char** argv) {
    const Index n = std::stol(argv[2]), d = std::stol(argv[3]), nq = std::stol(argv[5]), k = std::stol(argv[6]);
    shelf::knn::HnswOptions options;
    options.M = std::stoi(argv[7]);
    options.ef_construction = std::stoi(argv[8]);
    const int build_threads = std::stoi(argv[9]);
    if (!shelf::detail::parse_value(argv[10], options.storage))
        throw std::runtime_error(std::string("unknown storage ") + argv[10]);
    std::vector<int> efs;
    std::stringstream list(argv[11]);
    for (std::string item; std::getline(list, item, ',');) efs.push_back(std::stoi(item));
    const int repeats = std::max(1, std::stoi(argv[12]));
    const std::string out = argv[13];
    const auto base = read_f32(argv[1], n, d), queries = read_f32(argv[4], nq, d);

    shelf::knn::HnswIndex<float> index(d, shelf::knn::Metric::l2, options);
    auto start = Clock::now();
    index.add(base, {}, build_threads);
    const double build = seconds_since(start);
    std::ostringstream saved;
    index.save(saved);
    std::printf("{\"build_seconds\": %.6f, \"max_level\": %d, \"index_bytes\": %zu, \"searches\": [", build,
                index.max_level(), saved.str().size());
    for (std::size_t e = 0; e < efs.size(); ++e) {
        double best = 1e300;
        shelf::knn::Neighbors<float> found;
        for (int r = 0; r < repeats; ++r) {
            start = Clock::now();
            found = index.search(queries, k, 1, {}, efs[e]);
            best = std::min(best, seconds_since(start));
        }
        write(out + "." + std::to_string(efs[e]) + ".i64", found.ids);
        std::printf("%s{\"ef\": %d, \"seconds\": %.6f, \"qps\": %.1f}", e ? ", " : "", efs[e], best, double(nq) / best);
    }
    std::printf("]}\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 14) return run(argv);
        std::fprintf(stderr, "usage: see the comment at the top of bench/compare/hnsw_driver.cpp\n");
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hnsw_driver: %s\n", e.what());
        return 1;
    }
}
