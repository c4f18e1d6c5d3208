// The shelf side of bench/compare/kmeans_pca.py: runs one k-means or PCA task on a raw
// float32 matrix (n × d, row-major, no header) and prints one JSON line of results.
//
//   kmeans_pca_driver lloyd  DATA N D CENTERS K ITERATIONS THREADS
//       Lloyd iterations from the K given centers (raw float32, K × D), tol = 0.
//   kmeans_pca_driver kmeans DATA N D K MODE INIT TRIALS THREADS MINI_BATCH_SIZE
//       shelf::kmeans::fit: MODE lloyd|minibatch, INIT random|kmeans++.
//   kmeans_pca_driver pca    DATA N D COMPONENTS MODE THREADS POWER_ITERATIONS OUT
//       shelf::pca::fit: MODE regular|randomized; POWER_ITERATIONS a number or auto;
//       the components (float32, COMPONENTS × D) are written to OUT.
//
// Times are wall-clock seconds of the fit alone (reading the file is excluded).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "driver_io.hpp"

#include <shelf/cluster.hpp>
#include <shelf/decomposition.hpp>

namespace {

using driver::Clock;
using driver::read_f32;
using driver::seconds_since;

int lloyd(char** argv) {
    const shelf::Index n = std::stol(argv[3]), d = std::stol(argv[4]), k = std::stol(argv[6]);
    const auto X = read_f32(argv[2], n, d);
    const auto centers = read_f32(argv[5], k, d);
    shelf::kmeans::Params p;
    p.local_lloyd_max_iter = std::stoi(argv[7]);
    p.local_lloyd_tol = 0;
    p.num_threads = std::stoi(argv[8]);
    const auto start = Clock::now();
    const auto model = shelf::kmeans::lloyd(X, centers, p);
    const double seconds = seconds_since(start);
    std::printf("{\"seconds\": %.6f, \"iterations\": %d, \"per_iteration\": %.6f, \"inertia\": %.9g}\n", seconds,
                model.report().iterations, seconds / model.report().iterations, model.ssd(X));
    return 0;
}

int kmeans(char** argv) {
    const shelf::Index n = std::stol(argv[3]), d = std::stol(argv[4]);
    const auto X = read_f32(argv[2], n, d);
    const auto params = shelf::from_map<shelf::kmeans::Params>({{"k", argv[5]},
                                                                {"mode", argv[6]},
                                                                {"init_method", argv[7]},
                                                                {"local_lloyd_num_trials", argv[8]},
                                                                {"num_threads", argv[9]},
                                                                {"mini_batch_size", argv[10]}});
    const auto start = Clock::now();
    const auto model = shelf::kmeans::fit(X, params);
    const double seconds = seconds_since(start);
    std::printf("{\"seconds\": %.6f, \"iterations\": %d, \"inertia\": %.9g}\n", seconds, model.report().iterations,
                model.ssd(X));
    return 0;
}

int pca(char** argv) {
    const shelf::Index n = std::stol(argv[3]), d = std::stol(argv[4]);
    const auto X = read_f32(argv[2], n, d);
    const auto params = shelf::from_map<shelf::pca::Params>({{"num_components", argv[5]},
                                                             {"algorithm_mode", argv[6]},
                                                             {"num_threads", argv[7]},
                                                             {"power_iterations", argv[8]}});
    const auto start = Clock::now();
    const auto model = shelf::pca::fit(X, params);
    const double seconds = seconds_since(start);
    std::ofstream out(argv[9], std::ios::binary);
    out.write(reinterpret_cast<const char*>(model.components().data()),
              static_cast<std::streamsize>(sizeof(float) * static_cast<std::size_t>(model.components().size())));
    std::printf("{\"seconds\": %.6f, \"explained_variance_ratio\": %.9g, \"power_iterations\": %d, \"extra_components\": %d}\n",
                seconds, static_cast<double>(model.explained_variance_ratio().sum()),
                model.params().power_iterations.value_or(0), model.params().extra_components);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string task = argc > 1 ? argv[1] : "";
        if (task == "lloyd" && argc == 9) return lloyd(argv);
        if (task == "kmeans" && argc == 11) return kmeans(argv);
        if (task == "pca" && argc == 10) return pca(argv);
        std::fprintf(stderr, "usage: see the comment at the top of bench/compare/kmeans_pca_driver.cpp\n");
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
