// The shelf side of bench/compare/knn_compare.py: one k-NN task on raw float32 matrices
// (row-major, no header), one JSON line of results.
//
//   knn_driver search   BASE N D QUERIES NQ K THREADS METRIC OUT [STORAGE]
//       FlatIndex (STORAGE float, the default, or sq8): add the base, then search every query at
//       once; the ids (int64, NQ × K) go to OUT.
//   knn_driver single   BASE N D QUERIES NQ K THREADS
//       the same index, searched one query at a time (a service answering single requests).
//   knn_driver ivf      BASE N D QUERIES NQ K THREADS NLISTS PQ_M NPROBES OUT
//       IvfIndex (PQ_M = 0: IVFFlat): train on the base, add it, then search every query at once
//       for each nprobe of the comma-separated NPROBES; the ids go to OUT.<nprobe>.
//   knn_driver classify BASE N D LABELS QUERIES NQ K THREADS OUT
//       knn::fit (classifier, every row kept) and predict; the labels (float32, NQ) go to OUT.
//
// Times are wall-clock seconds; reading the files is excluded.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "driver_io.hpp"

#include <shelf/neighbors.hpp>

namespace {

using driver::Clock;
using driver::read_f32;
using driver::seconds_since;
using driver::write;
using shelf::Index;

template <class E>
E named(const std::string& name) {
    E value{};
    if (!shelf::detail::parse_value(name, value)) throw std::runtime_error("unknown value " + name);
    return value;
}

int search(char** argv, bool single) {
    const Index n = std::stol(argv[3]), d = std::stol(argv[4]), nq = std::stol(argv[6]), k = std::stol(argv[7]);
    const int threads = std::stoi(argv[8]);
    const auto base = read_f32(argv[2], n, d), queries = read_f32(argv[5], nq, d);
    const auto storage = !single && argv[11] ? named<shelf::knn::Storage>(argv[11]) : shelf::knn::Storage::vectors;
    shelf::knn::FlatIndex<float> index(d, single ? shelf::knn::Metric::l2 : named<shelf::knn::Metric>(argv[9]), storage);
    auto start = Clock::now();
    index.add(base, {}, threads);
    const double add = seconds_since(start);
    start = Clock::now();
    if (single) {
        for (Index q = 0; q < nq; ++q) (void)index.search(queries.middleRows(q, 1), k, threads);
    } else {
        const auto found = index.search(queries, k, threads);
        const double seconds = seconds_since(start);
        write(argv[10], found.ids);
        std::printf("{\"add_seconds\": %.6f, \"seconds\": %.6f, \"qps\": %.1f}\n", add, seconds, double(nq) / seconds);
        return 0;
    }
    const double seconds = seconds_since(start);
    std::printf("{\"add_seconds\": %.6f, \"seconds\": %.6f, \"qps\": %.1f}\n", add, seconds, double(nq) / seconds);
    return 0;
}

int ivf(char** argv) {
    const Index n = std::stol(argv[3]), d = std::stol(argv[4]), nq = std::stol(argv[6]), k = std::stol(argv[7]);
    const int threads = std::stoi(argv[8]);
    const auto base = read_f32(argv[2], n, d), queries = read_f32(argv[5], nq, d);
    shelf::knn::IvfIndex<float> index(d, shelf::knn::Metric::l2, std::stol(argv[9]), std::stoi(argv[10]));
    auto start = Clock::now();
    index.train(base, threads);
    const double train = seconds_since(start);
    start = Clock::now();
    index.add(base, {}, threads);
    const double add = seconds_since(start);
    std::printf("{\"train_seconds\": %.6f, \"add_seconds\": %.6f, \"search_seconds\": {", train, add);
    std::string nprobes = argv[11];
    for (std::size_t at = 0, first = 1; at < nprobes.size(); first = 0) {
        std::size_t end = nprobes.find(',', at);
        if (end == std::string::npos) end = nprobes.size();
        const std::string nprobe = nprobes.substr(at, end - at);
        at = end + 1;
        start = Clock::now();
        const auto found = index.search(queries, k, threads, {}, std::stol(nprobe));
        const double seconds = seconds_since(start);
        write(std::string(argv[12]) + "." + nprobe, found.ids);
        std::printf("%s\"%s\": %.6f", first ? "" : ", ", nprobe.c_str(), seconds);
    }
    std::printf("}}\n");
    return 0;
}

int classify(char** argv) {
    const Index n = std::stol(argv[3]), d = std::stol(argv[4]), nq = std::stol(argv[7]);
    const auto base = read_f32(argv[2], n, d), queries = read_f32(argv[6], nq, d);
    const shelf::Vector<float> labels = read_f32(argv[5], n, 1);
    const auto params = shelf::from_map<shelf::knn::Params>({{"k", argv[8]},
                                                             {"sample_size", std::to_string(n)},
                                                             {"predictor_type", "classifier"},
                                                             {"num_threads", argv[9]}});
    auto start = Clock::now();
    const auto model = shelf::knn::fit(base, labels, params);
    const double fit = seconds_since(start);
    start = Clock::now();
    const shelf::Vector<float> predicted = model.predict(queries);
    const double seconds = seconds_since(start);
    write(argv[10], predicted);
    std::printf("{\"fit_seconds\": %.6f, \"seconds\": %.6f}\n", fit, seconds);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string task = argc > 1 ? argv[1] : "";
        if (task == "search" && (argc == 11 || argc == 12)) return search(argv, false);
        if (task == "single" && argc == 9) return search(argv, true);
        if (task == "classify" && argc == 11) return classify(argv);
        if (task == "ivf" && argc == 13) return ivf(argv);
        std::fprintf(stderr, "usage: see the comment at the top of bench/compare/knn_driver.cpp\n");
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "knn_driver: %s\n", e.what());
        return 1;
    }
}
