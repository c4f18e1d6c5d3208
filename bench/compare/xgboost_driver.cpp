// The shelf side of bench/compare/xgboost_compare.py: trains shelf::gbt on a data set the
// script wrote, predicts the test rows, and prints timings and memory as one JSON line.
//
//   xgboost_driver TRAIN.bin TEST.bin PREDICTIONS.bin REPEATS key=value...
//
// A .bin file is int64 rows, int64 cols, float32 labels[rows], float32 X[rows][cols]
// (row-major, NaN = missing). Predictions are written as float32, rows × outputs.
// Times are the best of REPEATS runs; memory is the growth of the peak resident set
// over the resident set before the first fit (Linux /proc/self).
#include <shelf/trees.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>

namespace {

struct Data {
    shelf::RowMatrix<float> X;
    shelf::Vector<float> y;
};

Data read_bin(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::int64_t shape[2] = {0, 0};
    in.read(reinterpret_cast<char*>(shape), sizeof shape);
    Data d{shelf::RowMatrix<float>(shape[0], shape[1]), shelf::Vector<float>(shape[0])};
    in.read(reinterpret_cast<char*>(d.y.data()), static_cast<std::streamsize>(shape[0] * 4));
    in.read(reinterpret_cast<char*>(d.X.data()), static_cast<std::streamsize>(shape[0] * shape[1] * 4));
    if (!in) throw std::runtime_error("cannot read " + path);
    return d;
}

double resident_mb() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * 4096.0 / 1e6;
}

/// The resident set's high-water mark of this process image (VmHWM). getrusage's ru_maxrss
/// would also count the parent's memory before exec, which Linux carries over.
double peak_mb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1e3;  // kB
    return 0.0;
}

template <class F>
double seconds(F&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: xgboost_driver TRAIN.bin TEST.bin PREDICTIONS.bin REPEATS key=value...\n";
        return 2;
    }
    try {
        const Data train = read_bin(argv[1]);
        const Data test = read_bin(argv[2]);
        const int repeats = std::stoi(argv[4]);
        std::map<std::string, std::string> hp;
        for (int i = 5; i < argc; ++i) {
            const std::string kv = argv[i];
            hp[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        }
        const auto params = shelf::from_map<shelf::gbt::Params>(hp);
        shelf::gbt::PredictOptions options;
        options.num_threads = params.num_threads;

        const double before = resident_mb();
        std::ofstream("/proc/self/clear_refs") << "5";  // restart VmHWM from the current resident set
        std::optional<shelf::gbt::Model<float>> model;  // a Model comes only from fit() or load()
        double fit_s = 1e300, predict_s = 1e300;
        for (int r = 0; r < repeats; ++r)
            fit_s = std::min(fit_s, seconds([&] { model.emplace(shelf::gbt::fit(train.X, train.y, params)); }));
        const double fit_peak = peak_mb() - before;
        shelf::RowMatrix<float> prediction;
        for (int r = 0; r < 3 * repeats; ++r)  // prediction, cheap next to a fit, at steady state
            predict_s = std::min(predict_s, seconds([&] { prediction = model->predict(test.X, options); }));

        std::ofstream out(argv[3], std::ios::binary);
        out.write(reinterpret_cast<const char*>(prediction.data()), static_cast<std::streamsize>(prediction.size() * 4));
        std::printf("{\"fit_seconds\": %.6f, \"predict_seconds\": %.6f, \"fit_peak_mb\": %.3f, \"trees\": %zu}\n", fit_s,
                    predict_s, fit_peak, model->trees().size());
    } catch (const std::exception& e) {
        std::cerr << "xgboost_driver: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
