// libFuzzer harness for the CSV reader and writer (shelf/io/csv.hpp).
//
// Input: byte 0 = option flags, byte 1 = block size / batch size, byte 2 bit 0 =
// float instead of double, rest = CSV text.
// Checks, beyond "no crash and no sanitizer report":
// - parse_csv and CsvReader (tiny blocks and batches) agree exactly: the same
//   matrix bit for bit, or the same error message;
// - every error is a data_error whose message starts with "fuzz.csv:";
// - write_csv of a parsed matrix parses back to the same bits.
#include <shelf/io/csv.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

namespace {

constexpr const char* kPrefix = "fuzz.csv:";

void check_message(const shelf::data_error& e) {
    const std::string what = e.what();
    const std::size_t colon = what.find("] ");
    if (colon == std::string::npos || what.compare(colon + 2, std::strlen(kPrefix), kPrefix) != 0)
        std::abort();
}

template <class T>
bool same_bits(const shelf::RowMatrix<T>& a, const shelf::RowMatrix<T>& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           (a.size() == 0 ||
            std::memcmp(a.data(), b.data(), sizeof(T) * static_cast<std::size_t>(a.size())) == 0);
}

template <class T>
void run(std::string_view text, const shelf::CsvOptions& o, std::size_t block, shelf::Index batch_rows) {
    shelf::CsvData<T> one;
    std::string one_error;
    try {
        one = shelf::parse_csv<T>(text, o, "fuzz.csv");
    } catch (const shelf::data_error& e) {
        check_message(e);
        one_error = e.what();
    }

    shelf::RowMatrix<T> all;
    shelf::Vector<T> labels;
    std::string stream_error;
    try {
        std::istringstream in{std::string(text)};
        shelf::CsvReader<T> reader(in, o, "fuzz.csv", batch_rows, block);
        shelf::CsvData<T> batch;
        while (reader.next_batch(batch)) {
            if (batch.features.rows() < 1 || batch.features.rows() > batch_rows) std::abort();
            const shelf::Index n = all.rows();
            all.conservativeResize(n + batch.features.rows(), batch.features.cols());
            all.bottomRows(batch.features.rows()) = batch.features;
            const shelf::Index m = labels.size();
            labels.conservativeResize(m + batch.labels.size());
            labels.tail(batch.labels.size()) = batch.labels;
        }
    } catch (const shelf::data_error& e) {
        check_message(e);
        stream_error = e.what();
    }

    if (one_error != stream_error) std::abort();
    if (!one_error.empty()) return;
    if (!same_bits(one.features, all)) std::abort();
    if (one.labels.size() != labels.size() ||
        (labels.size() && std::memcmp(one.labels.data(), labels.data(),
                                      sizeof(T) * static_cast<std::size_t>(labels.size())) != 0))
        std::abort();
    if (o.has_label != (one.labels.size() == one.features.rows())) std::abort();

    // write_csv -> parse_csv reproduces the features exactly.
    std::ostringstream os;
    shelf::write_csv(os, one.features);
    shelf::CsvOptions back_options;
    back_options.has_label = false;
    back_options.allow_missing = true;
    back_options.allow_infinite = true;
    const auto back = shelf::parse_csv<T>(os.str(), back_options, "fuzz.csv");
    if (!same_bits(one.features, back.features)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::uint8_t flags = data[0];
    const std::uint8_t sizes = data[1];
    const bool use_float = data[2] & 1;
    const std::string_view text(reinterpret_cast<const char*>(data + 3), size - 3);
    shelf::CsvOptions o;
    o.has_label = flags & 1;
    o.has_header = flags & 2;
    o.allow_missing = flags & 4;
    o.allow_infinite = flags & 8;
    static const char kDelimiters[] = {',', '\t', ';', ' '};
    o.delimiter = kDelimiters[(flags >> 4) & 3];
    o.label_column = (flags & 64) ? -1 : ((flags & 128) ? 1 : 0);
    const std::size_t block = 1 + (sizes & 15u);
    const shelf::Index batch_rows = 1 + (sizes >> 4);
    if (use_float)
        run<float>(text, o, block, batch_rows);
    else
        run<double>(text, o, block, batch_rows);
    return 0;
}
