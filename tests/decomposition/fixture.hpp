// Test data for the PCA tests: the digits fixture and random low-rank data.
#pragma once

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/core/types.hpp>

namespace fixture {

/// Reads a numeric CSV file of tests/reference (no header).
inline shelf::RowMatrix<double> read_csv(const std::string& name) {
    std::ifstream in(std::string(SHELF_TEST_DATA_DIR) + "/" + name);
    if (!in) throw std::runtime_error("cannot open test data " + name);
    std::vector<std::vector<double>> rows;
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        std::vector<double> row;
        std::stringstream fields(line);
        for (std::string field; std::getline(fields, field, ',');) row.push_back(std::stod(field));
        rows.push_back(std::move(row));
    }
    shelf::RowMatrix<double> m(static_cast<shelf::Index>(rows.size()), static_cast<shelf::Index>(rows.at(0).size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j) m(static_cast<shelf::Index>(i), static_cast<shelf::Index>(j)) = rows[i][j];
    return m;
}

/// n rows in d dimensions with variance decaying along random directions: scale^j on the j-th,
/// plus a common offset and small isotropic noise.
template <class T>
shelf::RowMatrix<T> decaying(shelf::Index n, shelf::Index d, double scale, double offset, std::uint64_t seed) {
    shelf::Rng rng(seed);
    shelf::RowMatrix<double> basis(d, d);
    for (shelf::Index i = 0; i < d; ++i)
        for (shelf::Index j = 0; j < d; ++j) basis(i, j) = rng.normal();
    shelf::RowMatrix<double> latent(n, d);
    for (shelf::Index i = 0; i < n; ++i)
        for (shelf::Index j = 0; j < d; ++j) latent(i, j) = rng.normal() * std::pow(scale, static_cast<double>(j));
    shelf::RowMatrix<double> X = latent * basis;
    X.array() += offset;
    return X.cast<T>();
}

}  // namespace fixture
