// Reading the committed reference fixtures of tests/reference, shared by the test areas.
#pragma once

#include <string>

#include <shelf/core/types.hpp>
#include <shelf/io/csv.hpp>

namespace fixture {

/// Reads a numeric CSV file of tests/reference (no header, no label) with shelf's reader.
inline shelf::RowMatrix<double> read_csv(const std::string& name) {
    shelf::CsvOptions unlabelled;
    unlabelled.has_label = false;
    return shelf::read_csv<double>(std::string(SHELF_TEST_DATA_DIR) + "/" + name, unlabelled).features;
}

}  // namespace fixture
