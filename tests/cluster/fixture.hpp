// Test data for the k-means tests: blobs around known centers, and the digits fixture.
#pragma once

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

/// `per_center` points around each of the rows of `centers`, N(0, spread²) noise, rows interleaved.
template <class T>
shelf::RowMatrix<T> blobs(const shelf::RowMatrix<double>& centers, shelf::Index per_center, double spread,
                          std::uint64_t seed) {
    shelf::Rng rng(seed);
    const shelf::Index k = centers.rows(), d = centers.cols();
    shelf::RowMatrix<T> X(k * per_center, d);
    for (shelf::Index i = 0; i < X.rows(); ++i)
        for (shelf::Index j = 0; j < d; ++j) X(i, j) = static_cast<T>(centers(i % k, j) + spread * rng.normal());
    return X;
}

/// k well-separated centers: coordinates drawn in [-50, 50].
inline shelf::RowMatrix<double> separated_centers(shelf::Index k, shelf::Index d, std::uint64_t seed) {
    shelf::Rng rng(seed);
    shelf::RowMatrix<double> c(k, d);
    for (shelf::Index i = 0; i < k; ++i)
        for (shelf::Index j = 0; j < d; ++j) c(i, j) = rng.uniform(-50, 50);
    return c;
}

}  // namespace fixture
