// Real data against scikit-learn, on the slices and numbers tests/reference/gen_linear.py wrote.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

#include <shelf/io/csv.hpp>
#include <shelf/linear.hpp>
#include <shelf/metrics.hpp>

using namespace shelf::linear;
using shelf::Index;

namespace {

const std::string dir = std::string(SHELF_TEST_DATA_DIR) + "/linear/";

/// reference.txt: "[case]" then "key = value" lines.
double reference(const std::string& section, const std::string& key) {
    std::ifstream in(dir + "reference.txt");
    std::string line, current;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            current = line.substr(1, line.size() - 2);
        } else if (current == section && line.compare(0, key.size() + 3, key + " = ") == 0) {
            return std::stod(line.substr(key.size() + 3));
        }
    }
    throw std::runtime_error("reference.txt has no " + section + "." + key + "; run tests/reference/gen_linear.py");
}

struct ReferenceSplit {
    shelf::SparseMatrix<double> X;
    shelf::Vector<double> y;
};

/// a9a_slice.bin: three uint32 counts, then per row a label byte and 16 bytes of feature bits.
std::vector<ReferenceSplit> a9a_slices() {
    std::ifstream in(dir + "a9a_slice.bin", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(bytes.at(at)); };
    std::size_t at = 12;
    std::vector<ReferenceSplit> out;
    for (int part = 0; part < 3; ++part) {
        const std::uint32_t rows = byte(4 * part) | byte(4 * part + 1) << 8 | byte(4 * part + 2) << 16 |
                                   std::uint32_t(byte(4 * part + 3)) << 24;
        std::vector<Eigen::Triplet<double, std::int64_t>> entries;
        ReferenceSplit s{shelf::SparseMatrix<double>(rows, 123), shelf::Vector<double>(rows)};
        for (std::uint32_t r = 0; r < rows; ++r, at += 17) {
            s.y[r] = byte(at);
            for (int k = 0; k < 123; ++k)
                if (byte(at + 1 + std::size_t(k / 8)) >> (k % 8) & 1) entries.emplace_back(r, k, 1.0);
        }
        s.X.setFromTriplets(entries.begin(), entries.end());
        out.push_back(std::move(s));
    }
    REQUIRE(at == bytes.size());
    return out;
}

double test_rmse(const Model<double>& model, const shelf::CsvData<double>& test) {
    return shelf::metrics::rmse(test.labels, model.predict(test.features));
}

}  // namespace

TEST_CASE("binary on a9a reaches LogisticRegression's test AUC and accuracy", "[linear][reference]") {
    const auto slices = a9a_slices();
    const ReferenceSplit &train = slices[0], &valid = slices[1], &test = slices[2];
    REQUIRE(train.X.rows() == 6000);
    // The validation channel picks the regularization, as LogisticRegression's C = 1 is picked
    // for it; loss_function keeps the calibrated 0.5 threshold, as LogisticRegression does.
    Params p;
    p.predictor_type = PredictorType::binary_classifier;
    p.binary_classifier_model_selection_criteria = SelectionCriteria::loss_function;
    const auto model = fit(train.X, train.y, p, {valid.X, valid.y});
    const shelf::Vector<double> score = model.score(test.X).col(0);
    const double auc = shelf::metrics::roc_auc(test.y, score);
    const double accuracy = shelf::metrics::accuracy(test.y, model.predict(test.X));
    INFO("shelf AUC " << auc << ", accuracy " << accuracy);
    REQUIRE(auc >= reference("a9a", "lr_auc") - 0.002);
    REQUIRE(accuracy >= reference("a9a", "lr_accuracy") - 0.003);
}

TEST_CASE("regression reaches the RMSE of LinearRegression and Ridge within 1 %", "[linear][reference]") {
    Params p;
    p.predictor_type = PredictorType::regressor;
    SECTION("California housing, default hyperparameters") {
        const auto train = shelf::read_csv<double>(dir + "california_train.csv");
        const auto test = shelf::read_csv<double>(dir + "california_test.csv");
        const double best = std::min(reference("california", "linear_regression_rmse"), reference("california", "ridge_rmse"));
        const double rmse = test_rmse(fit(train.features, train.labels, p), test);
        INFO("shelf RMSE " << rmse << ", scikit-learn " << best);
        REQUIRE(rmse <= 1.01 * best);
    }
    SECTION("abalone, with mini-batches of 32 over 50 epochs") {
        // The defaults (15 epochs of 1,000 rows) give 3,177 rows only 60 steps: too few for
        // abalone's collinear measurements (about 4 % above least squares).
        const std::string data = std::string(SHELF_TEST_DATA_DIR) + "/../../data/abalone/";
        const auto train = shelf::read_csv<double>(data + "train.csv");
        const auto test = shelf::read_csv<double>(data + "test.csv");
        p.mini_batch_size = 32;
        p.epochs = 50;
        const double best = std::min(reference("abalone", "linear_regression_rmse"), reference("abalone", "ridge_rmse"));
        const double rmse = test_rmse(fit(train.features, train.labels, p), test);
        INFO("shelf RMSE " << rmse << ", scikit-learn " << best);
        REQUIRE(rmse <= 1.01 * best);
    }
}
