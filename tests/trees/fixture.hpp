// tests/trees/fixture.hpp: the XGBoost reference results of tests/reference/gen_trees.py,
// and small helpers the gradient-boosted trees tests share.
#pragma once

#include <cmath>
#include <limits>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <shelf/core/types.hpp>
#include <shelf/trees.hpp>

namespace fixture {

inline std::string path(const std::string& name) { return std::string(SHELF_TEST_DATA_DIR) + "/trees/" + name; }

inline std::string read_text(const std::string& name) {
    std::ifstream in(path(name));
    if (!in) throw std::runtime_error("cannot open fixture " + path(name));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

inline nlohmann::json json(const std::string& name) { return nlohmann::json::parse(read_text(name)); }

/// data.csv: 300 rows; label columns y_reg, y_bin, y_class, y_count, y_pos; weight; features x0..x4.
struct Data {
    shelf::RowMatrix<float> X;
    std::map<std::string, shelf::Vector<float>> columns;
    const shelf::Vector<float>& operator[](const std::string& name) const { return columns.at(name); }
};

inline const Data& data() {
    static const Data d = [] {
        std::stringstream in(read_text("data.csv"));
        std::string line, cell;
        std::getline(in, line);
        std::vector<std::string> names;
        for (std::stringstream header(line); std::getline(header, cell, ',');) names.push_back(cell);
        std::vector<std::vector<float>> rows;
        while (std::getline(in, line)) {
            std::vector<float> row;
            std::stringstream fields(line);
            while (std::getline(fields, cell, ',')) row.push_back(cell.empty() ? NAN : std::stof(cell));
            if (line.back() == ',') row.push_back(NAN);
            rows.push_back(row);
        }
        Data out;
        const auto n = static_cast<shelf::Index>(rows.size());
        out.X.resize(n, 5);
        for (std::size_t c = 0; c < names.size(); ++c) {
            shelf::Vector<float> column(n);
            for (shelf::Index r = 0; r < n; ++r) column[r] = rows[static_cast<std::size_t>(r)][c];
            if (names[c][0] == 'x')
                out.X.col(std::stoi(names[c].substr(1))) = column;
            else
                out.columns[names[c]] = column;
        }
        return out;
    }();
    return d;
}

/// A JSON array of rows of numbers as a float matrix.
inline shelf::RowMatrix<float> matrix(const nlohmann::json& rows) {
    shelf::RowMatrix<float> m(static_cast<shelf::Index>(rows.size()), static_cast<shelf::Index>(rows.at(0).size()));
    for (shelf::Index r = 0; r < m.rows(); ++r)
        for (shelf::Index c = 0; c < m.cols(); ++c)
            m(r, c) = rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)].get<float>();
    return m;
}

/// Every `step`-th row of m.
inline shelf::RowMatrix<float> every(const shelf::RowMatrix<float>& m, shelf::Index step) {
    shelf::RowMatrix<float> out((m.rows() + step - 1) / step, m.cols());
    for (shelf::Index r = 0; r < out.rows(); ++r) out.row(r) = m.row(r * step);
    return out;
}

/// The data set of sketch.json, rebuilt from the same integer formulas as gen_trees.py.
inline void formula_data(shelf::Index rows, shelf::RowMatrix<float>& X, shelf::Vector<float>& y) {
    X.resize(rows, 3);
    y.resize(rows);
    for (shelf::Index i = 0; i < rows; ++i) {
        X(i, 0) = static_cast<float>(static_cast<double>((i * 7919) % 10007) / 10007.0 * 4.0 - 2.0);
        X(i, 1) = static_cast<float>(static_cast<double>((i * 104729 + 17) % 1009) / 10.0);
        X(i, 2) = i % 13 == 0 ? NAN : static_cast<float>(static_cast<double>((i * i) % 9973) / 9973.0);
        const bool above = static_cast<double>(X(i, 0)) + static_cast<double>(X(i, 1)) / 100.0 > 0.3;
        y[i] = above != (i % 7 == 0) ? 1.0f : 0.0f;
    }
}

/// Hyperparameters from a JSON object of strings, plus num_round.
inline shelf::gbt::Params params(const nlohmann::json& object, int rounds) {
    std::map<std::string, std::string> hp;
    for (const auto& [key, value] : object.items()) hp[key] = value.get<std::string>();
    hp["num_round"] = std::to_string(rounds);
    hp["nthread"] = "2";
    return shelf::from_map<shelf::gbt::Params>(hp);
}

/// Largest absolute difference between two matrices (infinite when their shapes differ).
inline double max_difference(const shelf::RowMatrix<float>& a, const shelf::RowMatrix<float>& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
    return (a.cast<double>() - b.cast<double>()).cwiseAbs().maxCoeff();
}

/// A seeded synthetic binary task: rows × cols normal features, NaN at rate `missing`.
inline void synthetic(shelf::Index rows, shelf::Index cols, double missing, std::uint64_t seed,
                      shelf::RowMatrix<float>& X, shelf::Vector<float>& y) {
    shelf::Rng rng(seed);
    X.resize(rows, cols);
    y.resize(rows);
    for (shelf::Index r = 0; r < rows; ++r) {
        for (shelf::Index c = 0; c < cols; ++c) X(r, c) = static_cast<float>(rng.normal());
        const double s = X(r, 0) * X(r, 1) + X(r, 2) + 0.5 * rng.normal();
        y[r] = s > 0 ? 1.0f : 0.0f;
        for (shelf::Index c = 0; c < cols; ++c)
            if (rng.uniform() < missing) X(r, c) = NAN;
    }
}

}  // namespace fixture
