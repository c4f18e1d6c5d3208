// The shelf side of bench/compare/linear_compare.py: trains the linear learner's sweep on one
// data set, times fit() (best of --repeat runs), and writes the test scores for Python to score.
//
//   linear_compare_driver --train A --test B [--validation C] [--repeat 3] [--scores OUT] [--hp key=value]...
//
// Files ending in .bin are dense: int64 rows, int64 cols, rows·cols float32 features (row-major),
// rows float32 labels, little-endian. Anything else is read as libsvm (sparse). The scores file
// has a line per test row: the score(s), then the predicted label for classifiers.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <shelf/io/libsvm.hpp>
#include <shelf/linear.hpp>

namespace {

struct Data {
    shelf::RowMatrix<float> dense;
    shelf::SparseMatrix<float> sparse;
    shelf::Vector<float> y;
    bool is_sparse = false;
};

Data read(const std::string& path, shelf::Index feature_dim) {
    Data d;
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".bin") == 0) {
        std::ifstream in(path, std::ios::binary);
        std::int64_t shape[2];
        in.read(reinterpret_cast<char*>(shape), sizeof shape);
        d.dense.resize(shape[0], shape[1]);
        d.y.resize(shape[0]);
        in.read(reinterpret_cast<char*>(d.dense.data()), static_cast<std::streamsize>(d.dense.size() * 4));
        in.read(reinterpret_cast<char*>(d.y.data()), static_cast<std::streamsize>(d.y.size() * 4));
        if (!in) throw std::runtime_error("cannot read " + path);
        return d;
    }
    shelf::LibsvmOptions options;
    options.feature_dim = feature_dim;
    auto data = shelf::read_libsvm<float>(path, options);
    d.sparse = std::move(data.features);
    d.y = std::move(data.labels);
    d.is_sparse = true;
    return d;
}

/// The validation rows as fit() takes them, made once outside the timed runs.
shelf::Validation<float> validation(const Data* v) {
    if (!v) return {};
    return v->is_sparse ? shelf::Validation<float>(v->sparse, v->y) : shelf::Validation<float>(v->dense, v->y);
}

shelf::linear::Model<float> train(const Data& t, const shelf::Validation<float>& v, const shelf::linear::Params& p) {
    return t.is_sparse ? shelf::linear::fit(t.sparse, t.y, p, v) : shelf::linear::fit(t.dense, t.y, p, v);
}

}  // namespace

int main(int argc, char** argv) {
    std::string train_path, test_path, valid_path, scores_path;
    int repeat = 1;
    std::map<std::string, std::string> hp;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--train") train_path = value;
        else if (key == "--test") test_path = value;
        else if (key == "--validation") valid_path = value;
        else if (key == "--scores") scores_path = value;
        else if (key == "--repeat") repeat = std::stoi(value);
        else if (key == "--hp") hp[value.substr(0, value.find('='))] = value.substr(value.find('=') + 1);
        else {
            std::cerr << "unknown option " << key << "\n";
            return 2;
        }
    }
    try {
        const auto params = shelf::from_map<shelf::linear::Params>(hp);
        const Data train_data = read(train_path, params.feature_dim ? *params.feature_dim : -1);
        const shelf::Index dim = train_data.is_sparse ? train_data.sparse.cols() : train_data.dense.cols();
        const Data test = read(test_path, dim);
        Data valid;
        if (!valid_path.empty()) valid = read(valid_path, dim);
        const shelf::Validation<float> validation_rows = validation(valid_path.empty() ? nullptr : &valid);
        std::vector<double> seconds;
        std::optional<shelf::linear::Model<float>> trained;
        for (int r = 0; r < std::max(repeat, 1); ++r) {
            const auto start = std::chrono::steady_clock::now();
            trained = train(train_data, validation_rows, params);
            seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        const shelf::linear::Model<float>& model = *trained;
        const shelf::RowMatrix<float> score = test.is_sparse ? model.score(test.sparse) : model.score(test.dense);
        const shelf::Vector<float> label = test.is_sparse ? model.predict(test.sparse) : model.predict(test.dense);
        if (!scores_path.empty()) {
            std::ofstream out(scores_path);
            char number[32];
            for (shelf::Index i = 0; i < score.rows(); ++i) {
                for (shelf::Index c = 0; c < score.cols(); ++c) {
                    std::snprintf(number, sizeof number, "%.9g ", double(score(i, c)));
                    out << number;
                }
                out << label[i] << "\n";
            }
        }
        const auto metrics = test.is_sparse ? shelf::linear::evaluate(model, test.sparse, test.y)
                                            : shelf::linear::evaluate(model, test.dense, test.y);
        const auto& report = model.report();
        const auto& kept = report.models[static_cast<std::size_t>(report.selected)];
        std::printf("{\"seconds\": [");
        for (std::size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.6f", i ? ", " : "", seconds[i]);
        std::printf("], \"selected\": %d, \"epochs_run\": %d, \"learning_rate\": %.6g, \"l1\": %.6g, \"wd\": %.6g, "
                    "\"threshold\": %.6g, \"test\": {",
                    report.selected, report.epochs_run, kept.hyperparameters.learning_rate, kept.hyperparameters.l1,
                    kept.hyperparameters.wd, double(model.threshold()));
        for (std::size_t i = 0; i < metrics.size(); ++i)
            std::printf("%s\"%s\": %.8g", i ? ", " : "", metrics[i].first.c_str(), metrics[i].second);
        std::printf("}}\n");
    } catch (const std::exception& e) {
        std::cerr << "linear_compare_driver: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
