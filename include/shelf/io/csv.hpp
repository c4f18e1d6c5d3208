// shelf/io/csv.hpp: the platform's `text/csv` channel format (read and write).
//
// Format accepted by the readers
// ------------------------------
// - One row per line. Lines end at '\n'; a '\r' before it (CRLF) is ignored; the
//   last line needs no '\n'; a UTF-8 byte order mark at the start is skipped.
// - Fields are separated by `delimiter` (default ','). Spaces and tabs around a
//   field are ignored (unless the delimiter itself is a space or a tab). There
//   is no quoting: every field is a number.
// - Platform convention: no header, and for supervised data the label is
//   column 0 with the features after it (`label_column` moves it; -1 = last).
//   Unsupervised data (`has_label = false`) is features only.
// - `has_header = true` skips physical line 1, whatever it contains.
// - Blank lines (empty, or only spaces/tabs that are not the delimiter) are
//   skipped, anywhere in the file; they still count for line numbers. So an
//   all-missing row of a one-column file must be written "nan", not left empty.
// - Numbers: what std::from_chars accepts (decimal, optional exponent, e.g.
//   "-1.5e-3", ".5", "5.") plus an optional leading '+'. Parsed straight to T
//   with correct rounding (float data is never rounded twice through double).
// - Missing values: an empty field, or "nan" in any case with optional sign,
//   is read as NaN when `allow_missing` is set; otherwise an empty field is a
//   parse_error and "nan" a not_finite error.
// - "inf"/"infinity" (any case, optional sign) is accepted only with
//   `allow_infinite`; a finite literal too large for T (e.g. "1e39" as float)
//   is always a not_finite error.
// - Labels must always be finite numbers (neither missing nor infinite).
// - Every row must have as many fields as the first data row.
//
// Errors (shelf::data_error), all naming "<source>:<line>:<column>" where the
// column is the 1-based *field number* (counting the label column):
//   parse_error    "expected a number, found \"abc\"", an empty field
//   not_finite     "nan"/"inf" not allowed, a value out of range for T
//   shape_mismatch a row with more or fewer fields than the first data row
//                  ("row has 4 fields, expected 3 as in line 1"), or a
//                  label_column beyond the first row
//   empty_data     no data rows at all ("<source>: no data rows"), or a first
//                  row that holds only the label
//   io_failure     a file that cannot be opened or read ("<path>: cannot open: ...")
// Bad options (label_column < -1, a delimiter that can be part of a number or
// a line break, batch_rows < 1, block_bytes == 0) throw shelf::invalid_argument.
//
// Writing: write_csv prints each value in the shortest form that reads back to
// the same value (std::to_chars), so write_csv followed by parse_csv of the
// same scalar type reproduces the matrix exactly. NaN is written "nan" and
// infinities "inf"/"-inf" (read them back with allow_missing / allow_infinite).
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <exception>
#include <fstream>
#include <istream>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../core/error.hpp"
#include "../core/memory.hpp"
#include "../core/parallel.hpp"
#include "../core/types.hpp"
#include "detail/text.hpp"

namespace shelf {

/// How to read a CSV file. The defaults are the platform's supervised layout.
struct CsvOptions {
    bool has_label = true;        ///< one column is the label (supervised data)
    Index label_column = 0;       ///< which column (0-based); -1 = the last one
    char delimiter = ',';         ///< field separator
    bool has_header = false;      ///< skip physical line 1
    bool allow_missing = false;   ///< empty field or "nan" -> NaN (features only)
    bool allow_infinite = false;  ///< "inf"/"infinity" -> +-infinity (features only)
    int num_threads = 0;          ///< parse_csv / read_csv threads (0: all cores); same result for any count
};

/// A dense data set: one sample per row, and its labels (empty when the
/// options say has_label = false).
template <class T>
struct CsvData {
    RowMatrix<T> features;
    Vector<T> labels;
};

namespace io_detail {

inline bool delimiter_ok(char d) {
    return !(d == '\n' || d == '\r' || d == '\0' || (d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') ||
             (d >= 'A' && d <= 'Z') || d == '+' || d == '-' || d == '.');
}

inline void check_delimiter(char d, const char* who) {
    if (!delimiter_ok(d))
        throw invalid_argument(errc::bad_value,
                               std::string(who) + ": the delimiter " + quote_field(std::string_view(&d, 1)) +
                                   " cannot be a line break, NUL, digit, letter, sign or '.'");
}

inline void validate(const CsvOptions& o) {
    if (o.has_label && o.label_column < -1)
        throw invalid_argument(errc::out_of_range,
                               "CsvOptions::label_column must be >= 0, or -1 for the last column; got " +
                                   std::to_string(o.label_column));
    check_delimiter(o.delimiter, "CsvOptions");
}

/// Parses CSV rows one line at a time; the first data row fixes the shape.
template <class T>
class CsvRowParser {
public:
    CsvRowParser(const CsvOptions& options, std::string source) : opt_(options), source_(std::move(source)) {}

    bool started() const { return nfields_ > 0; }
    Index num_features() const { return started() ? nfields_ - (opt_.has_label ? 1 : 0) : -1; }
    const std::string& source() const { return source_; }

    bool blank(std::string_view line) const {
        for (char c : line)
            if (!is_space(c)) return false;
        return true;
    }

    /// Fixes the number of fields from the first data row.
    void start(std::string_view line, std::size_t line_no) {
        nfields_ = 1 + static_cast<Index>(std::count(line.begin(), line.end(), opt_.delimiter));
        first_line_ = line_no;
        if (opt_.has_label) {
            label_ = opt_.label_column == -1 ? nfields_ - 1 : opt_.label_column;
            if (label_ >= nfields_)
                fail_at(errc::shape_mismatch, source_, line_no, 1,
                        "label_column is " + std::to_string(opt_.label_column) +
                            " but the first row has only " + std::to_string(nfields_) + " fields");
            if (nfields_ == 1)
                fail_at(errc::empty_data, source_, line_no, 1,
                        "the first row has only the label column and no features");
        }
        row_.assign(static_cast<std::size_t>(nfields_), T(0));
    }

    /// Parses one non-blank line into `features` (num_features() values) and
    /// `*label` (when has_label).
    void parse(std::string_view line, std::size_t line_no, T* features, T* label) {
        const char* p = line.data();
        const char* const e = p + line.size();
        const char d = opt_.delimiter;
        T* const row = row_.data();
        Index i = 0;
        for (;;) {
            if (i == nfields_) too_many(p, e, line_no);
            const char* fe = nullptr;
            T v;
            if (p != e && *p != ' ' && *p != '\t') {  // fast path: a plain finite number
                const auto r = io_detail::from_chars(p, e, v);
                if (r.ec == std::errc() && (r.ptr == e || *r.ptr == d) && std::isfinite(v)) fe = r.ptr;
            }
            if (!fe) {
                const void* q = std::memchr(p, d, static_cast<std::size_t>(e - p));
                fe = q ? static_cast<const char*>(q) : e;
                v = slow_field(p, fe, line_no, i);
            }
            row[i++] = v;
            if (fe == e) break;
            p = fe + 1;
        }
        if (i < nfields_)
            fail_at(errc::shape_mismatch, source_, line_no, static_cast<std::size_t>(i) + 1,
                    "row has " + std::to_string(i) + " fields, expected " + std::to_string(nfields_) +
                        " as in line " + std::to_string(first_line_));
        if (!opt_.has_label) {
            std::copy(row, row + nfields_, features);
        } else {
            *label = row[label_];
            std::copy(row, row + label_, features);
            std::copy(row + label_ + 1, row + nfields_, features + label_);
        }
    }

private:
    bool is_space(char c) const { return (c == ' ' || c == '\t') && c != opt_.delimiter; }

    [[noreturn]] void too_many(const char* p, const char* e, std::size_t line_no) const {
        const Index total = nfields_ + 1 + static_cast<Index>(std::count(p, e, opt_.delimiter));
        fail_at(errc::shape_mismatch, source_, line_no, static_cast<std::size_t>(nfields_) + 1,
                "row has " + std::to_string(total) + " fields, expected " + std::to_string(nfields_) +
                    " as in line " + std::to_string(first_line_));
    }

    T slow_field(const char* b, const char* e, std::size_t line_no, Index field) const {
        while (b != e && is_space(*b)) ++b;
        while (e != b && is_space(e[-1])) --e;
        const std::size_t col = static_cast<std::size_t>(field) + 1;
        const bool is_label = field == label_;
        const std::string_view text(b, static_cast<std::size_t>(e - b));
        if (b == e) {
            if (is_label) fail_at(errc::parse_error, source_, line_no, col, "empty label field");
            if (opt_.allow_missing) return std::numeric_limits<T>::quiet_NaN();
            fail_at(errc::parse_error, source_, line_no, col,
                    "empty field (set allow_missing to read empty fields as NaN)");
        }
        T v{};
        switch (parse_real(b, e, v)) {
            case num_kind::finite:
                return v;
            case num_kind::nan:
                if (is_label)
                    fail_at(errc::not_finite, source_, line_no, col,
                            "label is " + quote_field(text) + "; labels must be finite");
                if (opt_.allow_missing) return v;
                fail_at(errc::not_finite, source_, line_no, col,
                        "missing value " + quote_field(text) + " (set allow_missing to read it as NaN)");
            case num_kind::infinite:
                if (is_label)
                    fail_at(errc::not_finite, source_, line_no, col,
                            "label is " + quote_field(text) + "; labels must be finite");
                if (opt_.allow_infinite) return v;
                fail_at(errc::not_finite, source_, line_no, col,
                        "infinite value " + quote_field(text) + " (set allow_infinite to accept it)");
            case num_kind::overflow:
                fail_at(errc::not_finite, source_, line_no, col,
                        quote_field(text) + " is out of range for " + type_name(T{}));
            case num_kind::invalid:
                break;
        }
        fail_at(errc::parse_error, source_, line_no, col, "expected a number, found " + quote_field(text));
    }

    CsvOptions opt_;
    std::string source_;
    Index nfields_ = 0;
    Index label_ = -1;
    std::size_t first_line_ = 0;
    std::vector<T> row_;
};

}  // namespace io_detail

/// Parses CSV text held in memory. `source_name` starts every error message. The text is cut
/// into pieces at line starts, which threads count and then parse straight into the result:
/// no row is copied twice, and errors are those of a reading from the top (the first bad line).
template <class T = double>
CsvData<T> parse_csv(std::string_view text, const CsvOptions& options = {},
                     std::string_view source_name = "<string>") {
    io_detail::validate(options);
    io_detail::CsvRowParser<T> rows(options, std::string(source_name));
    {  // the first data row fixes the shape
        io_detail::LineSplitter lines(text);
        std::string_view line;
        while (!rows.started() && lines.next(line))
            if (!(options.has_header && lines.line_number() == 1) && !rows.blank(line))
                rows.start(line, lines.line_number());
    }
    if (!rows.started()) io_detail::fail_file(errc::empty_data, rows.source(), "no data rows");

    const int threads = text.size() < (std::size_t{1} << 20) ? 1 : resolve_threads(options.num_threads);
    const std::vector<std::string_view> pieces = io_detail::split_lines(text, static_cast<std::size_t>(threads) * 4);
    const auto count = static_cast<Index>(pieces.size());
    std::vector<std::size_t> lines_in(pieces.size()), rows_in(pieces.size());
    parallel_for(threads, count, Schedule::dynamic, [&](Index k) {
        // numbered from 2 after the first piece, so that only the file's first line may lose a BOM
        io_detail::LineSplitter lines(pieces[static_cast<std::size_t>(k)], k == 0 ? 1 : 2);
        std::string_view line;
        std::size_t data = 0;
        while (lines.next(line))
            data += !(k == 0 && options.has_header && lines.line_number() == 1) && !rows.blank(line);
        lines_in[static_cast<std::size_t>(k)] = lines.line_number() - (k == 0 ? 0 : 1);
        rows_in[static_cast<std::size_t>(k)] = data;
    });
    std::vector<std::size_t> first_line(pieces.size(), 1), first_row(pieces.size(), 0);
    for (std::size_t k = 1; k < pieces.size(); ++k) {
        // a piece ends with its '\n', so the next one starts on a new line
        first_line[k] = first_line[k - 1] + lines_in[k - 1];
        first_row[k] = first_row[k - 1] + rows_in[k - 1];
    }
    const auto n = static_cast<Index>(first_row.back() + rows_in.back());
    const Index nf = rows.num_features();
    CsvData<T> out;
    out.features.resize(n, nf);
    // Training reads rows at random (shuffled mini-batches, samples): huge pages, before the parse
    // first writes them.
    advise_huge_pages(out.features.data(), static_cast<std::size_t>(out.features.size()) * sizeof(T));
    if (options.has_label) out.labels.resize(n);

    std::vector<std::exception_ptr> failed(pieces.size());  // each piece's first error, reported in file order
    parallel_for(threads, count, Schedule::dynamic, [&](int) { return rows; },
                 [&](Index k, io_detail::CsvRowParser<T>& parser) {
                     const auto piece = static_cast<std::size_t>(k);
                     try {
                         io_detail::LineSplitter lines(pieces[piece], first_line[piece]);
                         std::string_view line;
                         auto r = static_cast<Index>(first_row[piece]);
                         while (lines.next(line)) {
                             const std::size_t ln = lines.line_number();
                             if ((options.has_header && ln == 1) || parser.blank(line)) continue;
                             parser.parse(line, ln, out.features.data() + r * nf,
                                          options.has_label ? out.labels.data() + r : nullptr);
                             ++r;
                         }
                     } catch (const data_error&) {
                         failed[piece] = std::current_exception();
                     }
                 });
    for (const auto& error : failed)
        if (error) std::rethrow_exception(error);
    return out;
}

/// Reads a whole CSV file into memory and parses it; errors name `path`.
template <class T = double>
CsvData<T> read_csv(const std::string& path, const CsvOptions& options = {}) {
    io_detail::validate(options);
    const io_detail::FileText text = io_detail::read_file(path);
    return parse_csv<T>(text, options, path);
}

/// Streams a CSV file (or any std::istream) in blocks of `block_bytes` and
/// hands out mini-batches of at most `batch_rows` rows, so files larger than
/// memory can be consumed. Batches concatenated equal what read_csv returns,
/// and errors carry the same line and column numbers. After an exception the
/// reader stays failed: every later next_batch throws the same error again.
///
///     shelf::CsvReader<float> reader("train.csv", {}, 4096);
///     shelf::CsvData<float> batch;
///     while (reader.next_batch(batch)) model.partial_fit(batch.features, batch.labels);
template <class T = double>
class CsvReader {
public:
    /// Opens `path` (io_failure if it cannot be opened).
    explicit CsvReader(const std::string& path, const CsvOptions& options = {}, Index batch_rows = 65536,
                       std::size_t block_bytes = std::size_t(1) << 20)
        : opt_(checked(options, batch_rows, block_bytes)),
          file_(open(path)),
          lines_(*file_, block_bytes, path),
          rows_(opt_, path),
          batch_rows_(batch_rows) {}

    /// Reads from `in`, which must outlive the reader; errors name `source_name`.
    CsvReader(std::istream& in, const CsvOptions& options, std::string source_name = "<stream>",
              Index batch_rows = 65536, std::size_t block_bytes = std::size_t(1) << 20)
        : opt_(checked(options, batch_rows, block_bytes)),
          lines_(in, block_bytes, source_name),
          rows_(opt_, source_name),
          batch_rows_(batch_rows) {}

    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;
    CsvReader(CsvReader&&) = default;
    CsvReader& operator=(CsvReader&&) = default;

    /// Fills `batch` with the next 1..batch_rows rows and returns true, or
    /// returns false (leaving `batch` untouched) when the input is exhausted.
    /// An input without any data row throws data_error(empty_data) on the first call.
    bool next_batch(CsvData<T>& batch) {
        if (error_) throw *error_;
        if (done_) return false;
        try {
            return fill(batch);
        } catch (const data_error& e) {
            error_.emplace(e);
            throw;
        }
    }

    /// Number of feature columns; -1 until the first row has been read.
    Index num_features() const { return rows_.num_features(); }
    /// Rows handed out so far.
    Index rows_read() const { return rows_read_; }
    /// The number of the last line read (1-based; 0 before any).
    std::size_t line_number() const { return lines_.line_number(); }
    Index batch_rows() const { return batch_rows_; }
    const std::string& source_name() const { return rows_.source(); }

private:
    static CsvOptions checked(const CsvOptions& o, Index batch_rows, std::size_t block_bytes) {
        io_detail::validate(o);
        if (batch_rows < 1)
            throw invalid_argument(errc::out_of_range,
                                   "CsvReader: batch_rows must be >= 1; got " + std::to_string(batch_rows));
        if (block_bytes == 0)
            throw invalid_argument(errc::out_of_range, "CsvReader: block_bytes must be >= 1");
        return o;
    }

    static std::unique_ptr<std::ifstream> open(const std::string& path) {
        errno = 0;
        auto f = std::make_unique<std::ifstream>(path, std::ios::binary);
        if (!f->is_open()) {
            const int err = errno;
            io_detail::fail_file(errc::io_failure, path,
                                 std::string("cannot open: ") +
                                     (err ? std::generic_category().message(err) : "unknown error"));
        }
        return f;
    }

    bool fill(CsvData<T>& batch) {
        Index n = 0;
        std::string_view line;
        while (n < batch_rows_ && lines_.next(line)) {
            const std::size_t ln = lines_.line_number();
            if (opt_.has_header && ln == 1) continue;
            if (rows_.blank(line)) continue;
            if (!rows_.started()) rows_.start(line, ln);
            const auto nf = static_cast<std::size_t>(rows_.num_features());
            const auto un = static_cast<std::size_t>(n);
            if ((un + 1) * nf > features_.size()) {  // grow geometrically up to batch_rows
                const std::size_t want =
                    std::min(static_cast<std::size_t>(batch_rows_), std::max<std::size_t>(2 * un, 256));
                features_.resize(want * nf);
                if (opt_.has_label) labels_.resize(want);
            }
            rows_.parse(line, ln, features_.data() + un * nf, opt_.has_label ? labels_.data() + un : nullptr);
            ++n;
        }
        if (n == 0) {
            done_ = true;
            if (rows_read_ == 0) io_detail::fail_file(errc::empty_data, rows_.source(), "no data rows");
            return false;
        }
        const Index nf = rows_.num_features();
        batch.features = Eigen::Map<const RowMatrix<T>>(features_.data(), n, nf);
        if (opt_.has_label)
            batch.labels = Eigen::Map<const Vector<T>>(labels_.data(), n);
        else
            batch.labels.resize(0);
        rows_read_ += n;
        return true;
    }

    CsvOptions opt_;
    std::unique_ptr<std::ifstream> file_;  // set when the reader opened the file itself
    io_detail::ChunkedLineReader lines_;
    io_detail::CsvRowParser<T> rows_;
    Index batch_rows_;
    Index rows_read_ = 0;
    bool done_ = false;
    std::optional<data_error> error_;
    std::vector<T> features_, labels_;
};

/// Writes `m` as CSV, one row per line, values in the shortest form that
/// reads back exactly (NaN as "nan", infinities as "inf"/"-inf"). Throws
/// data_error(io_failure) if the stream fails.
template <class Derived>
void write_csv(std::ostream& out, const Eigen::DenseBase<Derived>& m, char delimiter = ',') {
    using S = typename Derived::Scalar;
    static_assert(std::is_arithmetic<S>::value && !std::is_same<S, bool>::value,
                  "write_csv writes integer or floating-point matrices");
    io_detail::check_delimiter(delimiter, "write_csv");
    // Evaluates expressions once; plain matrices and maps are used in place.
    typename Eigen::internal::nested_eval<Derived, 2>::type mat(m.derived());
    std::string buf;
    constexpr std::size_t kFlush = std::size_t(1) << 16;
    buf.reserve(kFlush + 256);
    char num[64];
    for (Index r = 0; r < mat.rows(); ++r) {
        for (Index c = 0; c < mat.cols(); ++c) {
            if (c) buf += delimiter;
            const S v = mat.coeff(r, c);
            if constexpr (std::is_floating_point<S>::value) {
                if (std::isnan(v)) {
                    buf += "nan";
                    continue;
                }
                if (std::isinf(v)) {
                    buf += v < 0 ? "-inf" : "inf";
                    continue;
                }
            }
            const auto res = std::to_chars(num, num + sizeof num, v);
            buf.append(num, res.ptr);
        }
        buf += '\n';
        if (buf.size() >= kFlush) {
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
            buf.clear();
        }
    }
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (!out) throw data_error(errc::io_failure, "write_csv: the output stream failed");
}

}  // namespace shelf
