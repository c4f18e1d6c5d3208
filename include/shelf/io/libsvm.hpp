// shelf/io/libsvm.hpp: the platform's `text/libsvm` (also `text/x-libsvm`) format.
//
// Format accepted
// ---------------
//     <label> <index>:<value> <index>:<value> ...   # optional comment
//
// - Lines as in CSV: '\n' ends a line, CRLF is fine, the last line needs no
//   '\n', a UTF-8 byte order mark at the start is skipped.
// - Tokens are separated by one or more spaces or tabs.
// - '#' starts a comment that runs to the end of the line, anywhere in it.
//   Lines that are blank or hold only a comment are skipped (they still count
//   for line numbers).
// - The label is a finite number (same number syntax as CSV). With
//   `read_labels = false` (predict input) no labels are returned; a leading
//   token without ':' is then taken as a label, checked and dropped, and lines
//   may also start directly with features.
// - Indices are decimal digits only. Within a row they must strictly
//   increase: a repeated index is "duplicate feature index", a smaller one
//   "out of order". Indices are 1-based or 0-based: `index_base = detect`
//   (default) reads the file as 0-based when any index is 0 and as 1-based
//   otherwise (also when there is no index at all); `zero`/`one` force it
//   (an index 0 is then an error in one-based data). The result's
//   `index_base` says which was used. Columns are always 0-based in the result.
// - Values use the CSV number syntax; "nan" needs `allow_missing`, "inf" needs
//   `allow_infinite`; a value too large for T is an error. Explicit zeros are
//   kept as stored entries (so densify with AbsentAs::nan keeps them 0).
// - `qid:<n>` (ranking query id) is rejected with a clear error unless
//   `skip_qid` is set; then it is allowed only right after the label and is
//   ignored.
// - The number of features is the largest index (+1 when 0-based) unless
//   `feature_dim` is given; then an index that does not fit is an error.
//
// Errors (shelf::data_error) name "<source>:<line>:<column>" where the column
// is the 1-based *byte* column of the offending token (for a bad value, of the
// first byte after ':'): parse_error for malformed tokens, order and duplicate
// violations and indices beyond feature_dim; not_finite for nan/inf/overflow;
// empty_data when there are no rows, or no features and no feature_dim;
// io_failure when the file cannot be read. Bad options throw invalid_argument.
#pragma once

#include <Eigen/SparseCore>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "../core/parallel.hpp"
#include "../core/types.hpp"
#include "detail/text.hpp"

namespace shelf {

/// Whether feature indices in a libsvm file start at 0 or 1.
enum class IndexBase {
    detect,  ///< (option only) 0-based if any index is 0, else 1-based
    zero,
    one,
};

struct LibsvmOptions {
    bool read_labels = true;                   ///< false: return no labels (predict input)
    IndexBase index_base = IndexBase::detect;  ///< how to interpret indices
    Index feature_dim = -1;                    ///< >= 1: number of features; -1: from the data
    bool skip_qid = false;                     ///< ignore "qid:<n>" instead of rejecting it
    bool allow_missing = false;                ///< value "nan" -> NaN
    bool allow_infinite = false;               ///< value "inf"/"infinity" -> +-infinity
    int num_threads = 0;                       ///< parse_libsvm / read_libsvm threads (0: all cores); same result for any count
};

/// Sparse rows (CSR), their labels (empty with read_labels = false) and the
/// index base the file was read with (zero or one, never detect).
template <class T>
struct LibsvmData {
    SparseMatrix<T> features;
    Vector<T> labels;
    IndexBase index_base = IndexBase::one;
};

namespace io_detail {

inline void validate(const LibsvmOptions& o) {
    if (o.feature_dim != -1 && o.feature_dim < 1)
        throw invalid_argument(
            errc::out_of_range,
            "LibsvmOptions::feature_dim must be >= 1, or -1 to take it from the data; got " +
                std::to_string(o.feature_dim));
    if (o.index_base != IndexBase::detect && o.index_base != IndexBase::zero &&
        o.index_base != IndexBase::one)
        throw invalid_argument(errc::bad_value, "LibsvmOptions::index_base is not a valid IndexBase");
}

struct Position {
    std::size_t line = 0, column = 0;
    std::int64_t index = -1;
    bool set() const { return line != 0; }
};

/// One piece of a libsvm text (whole lines), parsed on its own: its rows, and what the checks
/// that need the whole file (index base, feature_dim) must know of it.
template <class T>
struct LibsvmPiece {
    std::vector<std::int64_t> ends;  ///< each row's end in inner / values
    std::vector<std::int64_t> inner;
    std::vector<T> values, labels;
    std::int64_t max_index = -1;
    bool saw_zero = false;
    Position beyond_zero, beyond_one;  ///< first index too large if 0-based / if 1-based

    void parse(std::string_view text, std::size_t first_line, const LibsvmOptions& options, const std::string& source) {
        constexpr std::int64_t kMaxIndex = std::numeric_limits<std::int64_t>::max() - 1;
        const std::int64_t dim = options.feature_dim;
        const IndexBase forced = options.index_base;
        LineSplitter lines(text, first_line);
        std::string_view line;
        while (lines.next(line)) {
            const std::size_t ln = lines.line_number();
            const char* const b = line.data();
            const char* e = b + line.size();
            if (const void* h = std::memchr(b, '#', line.size())) e = static_cast<const char*>(h);
            const char* p = b;
            auto col = [b](const char* at) { return static_cast<std::size_t>(at - b) + 1; };
            auto skip_space = [&p, e] {
                while (p != e && (*p == ' ' || *p == '\t')) ++p;
            };
            auto token_end = [e](const char* s) {
                while (s != e && *s != ' ' && *s != '\t') ++s;
                return s;
            };
            auto token = [](const char* s, const char* t) {
                return std::string_view(s, static_cast<std::size_t>(t - s));
            };

            skip_space();
            if (p == e) continue;  // blank or comment-only line

            const char* te = token_end(p);
            if (!std::memchr(p, ':', static_cast<std::size_t>(te - p))) {  // a label
                T label{};
                const num_kind k = parse_real(p, te, label);
                if (k == num_kind::invalid)
                    fail_byte(errc::parse_error, source, ln, b, p,
                              "expected a numeric label, found " + quote_field(token(p, te)));
                if (k != num_kind::finite)
                    fail_byte(errc::not_finite, source, ln, b, p,
                              "label is " + quote_field(token(p, te)) + "; labels must be finite");
                if (options.read_labels) labels.push_back(label);
                p = te;
            } else if (options.read_labels) {
                fail_byte(errc::parse_error, source, ln, b, p,
                          "expected a label before the features, found " + quote_field(token(p, te)) +
                              " (set read_labels = false for data without labels)");
            }

            std::int64_t prev = -1;
            bool any_token = false;
            for (;;) {
                skip_space();
                if (p == e) break;
                te = token_end(p);
                if (te - p >= 4 && std::memcmp(p, "qid:", 4) == 0) {
                    if (!options.skip_qid)
                        fail_byte(errc::parse_error, source, ln, b, p,
                                  "qid tokens are not supported (set skip_qid to ignore them)");
                    if (any_token)
                        fail_byte(errc::parse_error, source, ln, b, p, "qid must come right after the label");
                    std::int64_t qid = 0;
                    if (!parse_index(p + 4, te, std::numeric_limits<std::int64_t>::max(), qid))
                        fail_byte(
                            errc::parse_error, source, ln, b, p + 4,
                            "expected a non-negative integer query id, found " + quote_field(token(p + 4, te)));
                    any_token = true;
                    p = te;
                    continue;
                }
                any_token = true;
                const char* colon =
                    static_cast<const char*>(std::memchr(p, ':', static_cast<std::size_t>(te - p)));
                if (!colon)
                    fail_byte(errc::parse_error, source, ln, b, p,
                              "expected index:value, found " + quote_field(token(p, te)));
                std::int64_t idx = 0;
                if (!parse_index(p, colon, kMaxIndex, idx)) {
                    bool digits = p != colon;
                    for (const char* q = p; q != colon; ++q) digits = digits && *q >= '0' && *q <= '9';
                    fail_byte(errc::parse_error, source, ln, b, p,
                              digits ? "feature index " + std::string(token(p, colon)) + " is too large"
                                     : "expected a non-negative integer feature index, found " +
                                           quote_field(token(p, colon)));
                }
                if (idx == prev)
                    fail_byte(errc::parse_error, source, ln, b, p,
                              "duplicate feature index " + std::to_string(idx));
                if (idx < prev)
                    fail_byte(errc::parse_error, source, ln, b, p,
                              "feature index " + std::to_string(idx) + " is out of order (after " +
                                  std::to_string(prev) + "); indices must increase within a row");
                if (idx == 0 && forced == IndexBase::one)
                    fail_byte(errc::parse_error, source, ln, b, p,
                              "feature index 0 in one-based data (index_base = one)");
                if (dim > 0) {
                    if (forced == IndexBase::zero && idx >= dim)
                        fail_byte(errc::parse_error, source, ln, b, p,
                                  "feature index " + std::to_string(idx) +
                                      " does not fit feature_dim = " + std::to_string(dim) +
                                      " (0-based indices go up to " + std::to_string(dim - 1) + ")");
                    if (forced == IndexBase::one && idx > dim)
                        fail_byte(errc::parse_error, source, ln, b, p,
                                  "feature index " + std::to_string(idx) +
                                      " does not fit feature_dim = " + std::to_string(dim) +
                                      " (1-based indices go up to " + std::to_string(dim) + ")");
                    if (idx >= dim && !beyond_zero.set()) beyond_zero = {ln, col(p), idx};
                    if (idx > dim && !beyond_one.set()) beyond_one = {ln, col(p), idx};
                }
                const char* v = colon + 1;
                if (v == te) fail_byte(errc::parse_error, source, ln, b, v, "missing value after ':'");
                T value{};
                switch (parse_real(v, te, value)) {
                    case num_kind::finite:
                        break;
                    case num_kind::nan:
                        if (!options.allow_missing)
                            fail_byte(errc::not_finite, source, ln, b, v,
                                      "missing value " + quote_field(token(v, te)) +
                                          " (set allow_missing to read it as NaN)");
                        break;
                    case num_kind::infinite:
                        if (!options.allow_infinite)
                            fail_byte(errc::not_finite, source, ln, b, v,
                                      "infinite value " + quote_field(token(v, te)) +
                                          " (set allow_infinite to accept it)");
                        break;
                    case num_kind::overflow:
                        fail_byte(errc::not_finite, source, ln, b, v,
                                  quote_field(token(v, te)) + " is out of range for " + type_name(T{}));
                    case num_kind::invalid:
                        fail_byte(errc::parse_error, source, ln, b, v,
                                  "expected a number, found " + quote_field(token(v, te)));
                }
                inner.push_back(idx);
                values.push_back(value);
                saw_zero = saw_zero || idx == 0;
                if (idx > max_index) max_index = idx;
                prev = idx;
                p = te;
            }
            ends.push_back(static_cast<std::int64_t>(inner.size()));
        }
    }
};

}  // namespace io_detail

/// Parses libsvm text held in memory. `source_name` starts every error message. The text is cut
/// into pieces at line starts, parsed on all threads; errors are those of a reading from the top.
template <class T = double>
LibsvmData<T> parse_libsvm(std::string_view text, const LibsvmOptions& options = {},
                           std::string_view source_name = "<string>") {
    using namespace io_detail;
    validate(options);
    const std::string source(source_name);
    const std::int64_t dim = options.feature_dim;
    const IndexBase forced = options.index_base;

    const int threads = text.size() < (std::size_t{1} << 20) ? 1 : resolve_threads(options.num_threads);
    const std::vector<std::string_view> pieces = split_lines(text, static_cast<std::size_t>(threads) * 4);
    std::vector<std::size_t> first_line(pieces.size(), 1);
    for (std::size_t k = 1; k < pieces.size(); ++k)  // a piece ends with its '\n'
        first_line[k] = first_line[k - 1] + static_cast<std::size_t>(std::count(pieces[k - 1].begin(), pieces[k - 1].end(), '\n'));
    std::vector<LibsvmPiece<T>> parsed(pieces.size());
    std::vector<std::exception_ptr> failed(pieces.size());  // each piece's first error, reported in file order
    parallel_for(threads, static_cast<Index>(pieces.size()), Schedule::dynamic, [&](Index k) {
        const auto piece = static_cast<std::size_t>(k);
        try {
            parsed[piece].parse(pieces[piece], first_line[piece], options, source);
        } catch (const data_error&) {
            failed[piece] = std::current_exception();
        }
    });
    for (const auto& error : failed)
        if (error) std::rethrow_exception(error);

    std::vector<std::int64_t> outer{0};
    std::int64_t max_index = -1;
    bool saw_zero = false;
    Position beyond_zero, beyond_one;
    std::size_t entries = 0;
    for (const auto& piece : parsed) {
        for (const std::int64_t end : piece.ends) outer.push_back(static_cast<std::int64_t>(entries) + end);
        entries += piece.inner.size();
        max_index = std::max(max_index, piece.max_index);
        saw_zero = saw_zero || piece.saw_zero;
        if (!beyond_zero.set()) beyond_zero = piece.beyond_zero;
        if (!beyond_one.set()) beyond_one = piece.beyond_one;
    }
    const auto rows = static_cast<Index>(outer.size() - 1);
    if (rows == 0) fail_file(errc::empty_data, source, "no data rows");

    LibsvmData<T> out;
    out.index_base = forced == IndexBase::detect ? (saw_zero ? IndexBase::zero : IndexBase::one) : forced;
    const bool zero_based = out.index_base == IndexBase::zero;
    if (forced == IndexBase::detect && dim > 0) {
        const Position& bad = zero_based ? beyond_zero : beyond_one;
        if (bad.set())
            fail_at(errc::parse_error, source, bad.line, bad.column,
                    "feature index " + std::to_string(bad.index) +
                        " does not fit feature_dim = " + std::to_string(dim) + " (indices detected as " +
                        (zero_based ? "0" : "1") + "-based)");
    }
    Index cols = dim;
    if (cols < 0) {
        if (max_index < 0)
            fail_file(errc::empty_data, source, "no feature in any row (pass feature_dim to allow this)");
        cols = static_cast<Index>(max_index) + (zero_based ? 1 : 0);
    }
    // Filled in place: assigning from an Eigen::Map would go through a temporary
    // that reserves max(rows, cols) * 2 entries, which explodes for large indices.
    out.features.resize(rows, cols);
    out.features.resizeNonZeros(static_cast<Index>(entries));
    std::copy(outer.begin(), outer.end(), out.features.outerIndexPtr());
    if (options.read_labels) out.labels.resize(rows);
    std::vector<std::size_t> first_entry(parsed.size(), 0), first_row(parsed.size(), 0);
    for (std::size_t k = 1; k < parsed.size(); ++k) {
        first_entry[k] = first_entry[k - 1] + parsed[k - 1].inner.size();
        first_row[k] = first_row[k - 1] + parsed[k - 1].ends.size();
    }
    const std::int64_t shift = zero_based ? 0 : 1;
    parallel_for(threads, static_cast<Index>(parsed.size()), Schedule::dynamic, [&](Index k) {
        const auto& piece = parsed[static_cast<std::size_t>(k)];
        auto* inner = out.features.innerIndexPtr() + first_entry[static_cast<std::size_t>(k)];
        for (std::size_t i = 0; i < piece.inner.size(); ++i) inner[i] = piece.inner[i] - shift;
        std::copy(piece.values.begin(), piece.values.end(), out.features.valuePtr() + first_entry[static_cast<std::size_t>(k)]);
        if (options.read_labels)
            std::copy(piece.labels.begin(), piece.labels.end(), out.labels.data() + first_row[static_cast<std::size_t>(k)]);
    });
    return out;
}

/// Reads a whole libsvm file into memory and parses it; errors name `path`.
template <class T = double>
LibsvmData<T> read_libsvm(const std::string& path, const LibsvmOptions& options = {}) {
    io_detail::validate(options);
    const io_detail::FileText text = io_detail::read_file(path);
    return parse_libsvm<T>(text, options, path);
}

/// What a densified matrix holds where the sparse one stores nothing.
enum class AbsentAs {
    zero,  ///< the usual meaning of libsvm: absent = 0
    nan,   ///< absent = missing, for learners that route missing values (trees)
};

/// The dense form of a sparse matrix; explicitly stored entries keep their value.
template <class T>
RowMatrix<T> densify(const SparseMatrix<T>& m, AbsentAs absent = AbsentAs::zero) {
    const Index rows = m.rows(), cols = m.cols();
    if (cols > 0 && rows > std::numeric_limits<Index>::max() / cols)
        throw invalid_argument(errc::out_of_range, "densify: " + std::to_string(rows) + " x " +
                                                       std::to_string(cols) +
                                                       " is too large for a dense matrix");
    RowMatrix<T> d(rows, cols);
    d.setConstant(absent == AbsentAs::zero ? T(0) : std::numeric_limits<T>::quiet_NaN());
    for (Index r = 0; r < rows; ++r)
        for (typename SparseMatrix<T>::InnerIterator it(m, r); it; ++it) d(r, it.index()) = it.value();
    return d;
}

}  // namespace shelf
