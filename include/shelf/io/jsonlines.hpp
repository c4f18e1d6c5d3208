// shelf/io/jsonlines.hpp: the platform's `application/jsonlines` format for
// forecasting: one time series per line.
//
//     {"start": "2014-01-01 00:00:00", "target": [1.0, "NaN", 3, null],
//      "cat": [0, 3], "dynamic_feat": [[0.1, 0.2, 0.3, 0.4], [1, 1, 0, 0]]}
//
// (one line in the file; wrapped here). Rules:
// - Each non-blank line is exactly one JSON object (RFC 8259, checked strictly:
//   string escapes including \uXXXX with surrogate pairs, valid UTF-8, no
//   control characters in strings, number grammar without leading zeros,
//   no trailing commas, nesting at most 256 deep). Blank lines (only spaces,
//   tabs) are skipped. Lines as in CSV (CRLF fine, optional final '\n', BOM).
// - "start" (required): "YYYY-MM-DD HH:MM:SS" (a 'T' may replace the space)
//   or a date alone "YYYY-MM-DD" (time 00:00:00); the date must exist.
// - "target" (required, non-empty): numbers; null or the string "NaN" (any
//   case) is a missing value (NaN). Other strings, infinities and values too
//   large for T are errors.
// - "cat" (optional): integer literals >= 0 that fit an int (no fraction or
//   exponent).
// - "dynamic_feat" (optional): an array of arrays of finite numbers, each of
//   length len(target) + prediction_length (0 for training data; the forecast
//   horizon for inference input, whose features must cover the future).
// - Every series must have as many cat values and dynamic features as the
//   first one (an absent key counts as zero).
// - Other keys are ignored (their values must still be valid JSON); a known
//   key given twice is an error.
//
// Errors (shelf::data_error) name "<source>:<line>:<column>" with the 1-based
// *byte* column (a UTF-8 byte order mark at the start is not counted):
// parse_error for syntax, wrong types, missing keys, bad dates and cat values;
// not_finite for a number out of range of T; shape_mismatch for dynamic_feat
// of the wrong length and inconsistent counts across series; empty_data for an
// empty target or a file without series; io_failure when a file cannot be read.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "../core/series.hpp"
#include "../core/types.hpp"
#include "detail/text.hpp"

namespace shelf {

struct JsonLinesOptions {
    /// dynamic_feat arrays must have len(target) + prediction_length values.
    Index prediction_length = 0;
};

namespace io_detail {

/// A strict JSON reader for one line, specialised to the series schema.
template <class T>
class SeriesLineParser {
public:
    static constexpr int kMaxDepth = 256;

    SeriesLineParser(const std::string& source, const JsonLinesOptions& options)
        : source_(source), opt_(options) {}

    /// Parses one non-blank line into `out`.
    void parse(std::string_view line, std::size_t line_no, Series<T>& out) {
        b_ = p_ = line.data();
        e_ = b_ + line.size();
        line_ = line_no;
        out.start = Timestamp{};
        out.cat.clear();
        target_.clear();
        dyn_values_.clear();
        dyn_arrays_.clear();

        ws();
        const char* obj = p_;
        const char* start_at = nullptr;
        const char* target_at = nullptr;
        const char* cat_at = nullptr;
        const char* dyn_at = nullptr;
        object(key_, [&](const char* key_at) {
            auto once = [&](const char*& seen) {
                if (seen) fail(key_at, "duplicate key " + quote_field(key_));
                seen = p_;
            };
            if (key_ == "start") {
                once(start_at);
                parse_start(out.start);
            } else if (key_ == "target") {
                once(target_at);
                parse_target();
            } else if (key_ == "cat") {
                once(cat_at);
                parse_cat(out.cat);
            } else if (key_ == "dynamic_feat") {
                once(dyn_at);
                parse_dynamic();
            } else {
                skip_value(1);
            }
        });
        ws();
        if (p_ != e_) fail(p_, "unexpected text after the object: " + describe());

        if (!start_at) fail(obj, "missing required key \"start\"");
        if (!target_at) fail(obj, "missing required key \"target\"");
        if (target_.empty()) fail(target_at, "\"target\" is empty", errc::empty_data);
        out.target = Eigen::Map<const Vector<T>>(target_.data(), static_cast<Index>(target_.size()));

        const auto want =
            static_cast<std::size_t>(target_.size()) + static_cast<std::size_t>(opt_.prediction_length);
        for (std::size_t i = 0; i < dyn_arrays_.size(); ++i)
            if (dyn_arrays_[i].size != want)
                fail(dyn_arrays_[i].at,
                     "dynamic_feat[" + std::to_string(i) + "] has " + std::to_string(dyn_arrays_[i].size) +
                         " values, expected " + std::to_string(want) + " (target length " +
                         std::to_string(target_.size()) + " + prediction_length " +
                         std::to_string(opt_.prediction_length) + ")",
                     errc::shape_mismatch);
        if (dyn_arrays_.empty())
            out.dynamic_feat.resize(0, 0);
        else
            out.dynamic_feat = Eigen::Map<const RowMatrix<T>>(
                dyn_values_.data(), static_cast<Index>(dyn_arrays_.size()), static_cast<Index>(want));

        // Every series must look like the first one.
        if (!shape_known_) {
            shape_known_ = true;
            first_line_ = line_no;
            n_cat_ = out.cat.size();
            n_dyn_ = dyn_arrays_.size();
        } else {
            if (out.cat.size() != n_cat_)
                fail(cat_at ? cat_at : obj,
                     "series has " + std::to_string(out.cat.size()) + " cat values, expected " +
                         std::to_string(n_cat_) + " as in line " + std::to_string(first_line_),
                     errc::shape_mismatch);
            if (dyn_arrays_.size() != n_dyn_)
                fail(dyn_at ? dyn_at : obj,
                     "series has " + std::to_string(dyn_arrays_.size()) + " dynamic features, expected " +
                         std::to_string(n_dyn_) + " as in line " + std::to_string(first_line_),
                     errc::shape_mismatch);
        }
    }

private:
    struct DynArray {
        const char* at;
        std::size_t size;
    };

    [[noreturn]] void fail(const char* at, const std::string& what, errc id = errc::parse_error) const {
        fail_byte(id, source_, line_, b_, at, what);
    }

    void ws() {
        while (p_ != e_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
    }

    void expect(char c) {
        if (p_ == e_ || *p_ != c) fail(p_, std::string("expected '") + c + "', found " + describe());
        ++p_;
    }

    /// What the value at p_ is, for messages.
    std::string describe() const {
        if (p_ == e_) return "end of line";
        switch (*p_) {
            case '{':
                return "an object";
            case '[':
                return "an array";
            case '"':
                return "a string";
            case 't':
            case 'f':
                return "a boolean";
            case 'n':
                return "null";
            default:
                break;
        }
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return "a number";
        return quote_field(std::string_view(p_, 1));
    }

    static bool is_digit(char c) { return c >= '0' && c <= '9'; }

    void literal(const char* word) {
        const std::size_t n = std::strlen(word);
        if (static_cast<std::size_t>(e_ - p_) < n || std::memcmp(p_, word, n) != 0) {
            const char* q = p_;  // show the run of letters that is there
            while (q != e_ && q - p_ < 16 && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))) ++q;
            fail(p_, "expected a value, found " +
                         quote_field(std::string_view(p_, static_cast<std::size_t>(q - p_))));
        }
        p_ += n;
    }

    static void put_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    /// Four hex digits at q (which must be inside the line), or fails at `esc`.
    std::uint32_t hex4(const char* q, const char* esc) const {
        if (e_ - q < 4) fail(esc, "incomplete \\u escape");
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = q[i];
            std::uint32_t d;
            if (c >= '0' && c <= '9')
                d = static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                d = static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                d = static_cast<std::uint32_t>(c - 'A' + 10);
            else
                fail(esc, "invalid \\u escape " + quote_field(std::string_view(esc, 6)));
            v = v * 16 + d;
        }
        return v;
    }

    /// Length of the valid UTF-8 sequence (2..4 bytes) at q, or 0.
    std::size_t utf8_length(const char* q) const {
        const auto u = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(q[i]); };
        const std::ptrdiff_t avail = e_ - q;
        const unsigned char c = u(0);
        auto cont = [&](std::ptrdiff_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
            return i < avail && u(i) >= lo && u(i) <= hi;
        };
        if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
        if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
        if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
        if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no surrogates
        if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
        if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
        if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
        return 0;
    }

    /// A string at p_ (which is '"'), decoded into `out`.
    void string(std::string& out) {
        const char* open = p_;
        ++p_;
        out.clear();
        for (;;) {
            const char* run = p_;
            while (p_ != e_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
                   static_cast<unsigned char>(*p_) < 0x80)
                ++p_;
            out.append(run, static_cast<std::size_t>(p_ - run));
            if (p_ == e_) fail(open, "unterminated string");
            const unsigned char c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                return;
            }
            if (c < 0x20) fail(p_, "control character in string (it must be escaped)");
            if (c >= 0x80) {
                const std::size_t n = utf8_length(p_);
                if (n == 0) fail(p_, "invalid UTF-8 in string");
                out.append(p_, n);
                p_ += n;
                continue;
            }
            // a backslash escape
            const char* esc = p_;
            if (e_ - p_ < 2) fail(open, "unterminated string");
            const char k = p_[1];
            p_ += 2;
            switch (k) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    std::uint32_t cp = hex4(p_, esc);
                    p_ += 4;
                    if (cp >= 0xDC00 && cp <= 0xDFFF) fail(esc, "unpaired low surrogate in \\u escape");
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (e_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
                            fail(esc, "high surrogate \\u escape not followed by a low surrogate");
                        const std::uint32_t lo = hex4(p_ + 2, p_);
                        if (lo < 0xDC00 || lo > 0xDFFF)
                            fail(esc, "high surrogate \\u escape not followed by a low surrogate");
                        p_ += 6;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    put_utf8(out, cp);
                    break;
                }
                default:
                    fail(esc, "invalid escape " + quote_field(std::string_view(esc, 2)) + " in string");
            }
        }
    }

    /// A number at p_, checked against the JSON grammar; returns its text.
    /// `integral` tells whether it has neither fraction nor exponent.
    std::string_view number(bool& integral) {
        const char* s = p_;
        integral = true;
        if (p_ != e_ && *p_ == '-') ++p_;
        if (p_ == e_ || !is_digit(*p_))
            fail(s,
                 "invalid number " + quote_field(std::string_view(
                                         s, static_cast<std::size_t>(std::min<std::ptrdiff_t>(e_ - s, 8)))));
        if (*p_ == '0') {
            ++p_;
            if (p_ != e_ && is_digit(*p_)) fail(s, "invalid number: leading zeros are not allowed");
        } else {
            while (p_ != e_ && is_digit(*p_)) ++p_;
        }
        if (p_ != e_ && *p_ == '.') {
            integral = false;
            ++p_;
            if (p_ == e_ || !is_digit(*p_)) fail(p_, "invalid number: expected a digit after '.'");
            while (p_ != e_ && is_digit(*p_)) ++p_;
        }
        if (p_ != e_ && (*p_ == 'e' || *p_ == 'E')) {
            integral = false;
            ++p_;
            if (p_ != e_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == e_ || !is_digit(*p_)) fail(p_, "invalid number: expected a digit in the exponent");
            while (p_ != e_ && is_digit(*p_)) ++p_;
        }
        return std::string_view(s, static_cast<std::size_t>(p_ - s));
    }

    /// A JSON number at p_ converted to T; fails if it does not fit T.
    T real(const char* what) {
        const char* s = p_;
        bool integral = false;
        const std::string_view text = number(integral);
        T v{};
        if (parse_real(text.data(), text.data() + text.size(), v) != num_kind::finite)
            fail(s,
                 std::string(what) + " value " + quote_field(text) + " is out of range for " + type_name(T{}),
                 errc::not_finite);
        return v;
    }

    bool at_number() const { return p_ != e_ && (*p_ == '-' || is_digit(*p_)); }

    /// Calls elem() for each element of an array at p_.
    /// `{ "key": value, ... }`: reads each key into `key` and calls member(where the key starts)
    /// with p_ at its value, which member must consume.
    template <class F>
    void object(std::string& key, F&& member) {
        if (p_ == e_ || *p_ != '{') fail(p_, "each line must be a JSON object, found " + describe());
        ++p_;
        ws();
        if (p_ != e_ && *p_ == '}') {
            ++p_;
            return;
        }
        for (;;) {
            ws();
            const char* key_at = p_;
            if (p_ == e_ || *p_ != '"') fail(p_, "expected a string key, found " + describe());
            string(key);
            ws();
            expect(':');
            ws();
            member(key_at);
            ws();
            if (p_ != e_ && *p_ == ',') {
                ++p_;
                ws();
                if (p_ != e_ && *p_ == '}') fail(p_, "trailing comma before '}'");
                continue;
            }
            if (p_ != e_ && *p_ == '}') {
                ++p_;
                return;
            }
            fail(p_, "expected ',' or '}' in object, found " + describe());
        }
    }

    template <class F>
    void array(const char* what, F&& elem) {
        if (p_ == e_ || *p_ != '[') fail(p_, std::string(what) + " must be an array, found " + describe());
        ++p_;
        ws();
        if (p_ != e_ && *p_ == ']') {
            ++p_;
            return;
        }
        for (;;) {
            ws();
            elem();
            ws();
            if (p_ != e_ && *p_ == ',') {
                ++p_;
                ws();
                if (p_ != e_ && *p_ == ']') fail(p_, "trailing comma before ']'");
                continue;
            }
            if (p_ != e_ && *p_ == ']') {
                ++p_;
                return;
            }
            fail(p_, std::string("expected ',' or ']' in ") + what + ", found " + describe());
        }
    }

    void skip_value(int depth) {
        if (depth > kMaxDepth)
            fail(p_, "JSON nested more than " + std::to_string(kMaxDepth) + " levels deep");
        if (p_ == e_) fail(p_, "expected a value, found end of line");
        switch (*p_) {
            case '{':
                object(scratch_, [&](const char*) { skip_value(depth + 1); });
                return;
            case '[':
                array("array", [&] { skip_value(depth + 1); });
                return;
            case '"':
                string(scratch_);
                return;
            case 't':
                literal("true");
                return;
            case 'f':
                literal("false");
                return;
            case 'n':
                literal("null");
                return;
            default:
                break;
        }
        if (at_number()) {
            bool integral = false;
            number(integral);
            return;
        }
        fail(p_, "expected a value, found " + describe());
    }

    void parse_target() {
        array("\"target\"", [&] {
            if (p_ != e_ && *p_ == '"') {
                const char* s = p_;
                string(scratch_);
                if (!ascii_iequal(scratch_, "nan"))
                    fail(s, "target values must be numbers, \"NaN\" or null; found the string " +
                                quote_field(scratch_));
                target_.push_back(std::numeric_limits<T>::quiet_NaN());
            } else if (p_ != e_ && *p_ == 'n') {
                literal("null");
                target_.push_back(std::numeric_limits<T>::quiet_NaN());
            } else if (at_number()) {
                target_.push_back(real("target"));
            } else {
                fail(p_, "target values must be numbers, \"NaN\" or null; found " + describe());
            }
        });
    }

    void parse_cat(std::vector<int>& cat) {
        array("\"cat\"", [&] {
            const char* s = p_;
            if (!at_number()) fail(p_, "cat values must be non-negative integers; found " + describe());
            bool integral = false;
            const std::string_view text = number(integral);
            std::int64_t v = 0;
            if (!integral || text[0] == '-' ||
                !parse_index(text.data(), text.data() + text.size(), std::numeric_limits<int>::max(), v))
                fail(s, "cat values must be integers from 0 to " +
                            std::to_string(std::numeric_limits<int>::max()) + "; found " + std::string(text));
            cat.push_back(static_cast<int>(v));
        });
    }

    void parse_dynamic() {
        array("\"dynamic_feat\"", [&] {
            const char* s = p_;
            const std::size_t before = dyn_values_.size();
            array("a dynamic_feat entry", [&] {
                if (!at_number()) fail(p_, "dynamic_feat values must be numbers; found " + describe());
                dyn_values_.push_back(real("dynamic_feat"));
            });
            dyn_arrays_.push_back({s, dyn_values_.size() - before});
        });
    }

    static bool two_digits(const std::string& s, std::size_t at, int& out) {
        if (!is_digit(s[at]) || !is_digit(s[at + 1])) return false;
        out = (s[at] - '0') * 10 + (s[at + 1] - '0');
        return true;
    }

    void parse_start(Timestamp& ts) {
        const char* s = p_;
        if (p_ == e_ || *p_ != '"') fail(p_, "\"start\" must be a string, found " + describe());
        string(scratch_);
        const std::string& v = scratch_;
        auto bad = [&] {
            fail(s, "\"start\" must be \"YYYY-MM-DD HH:MM:SS\" or \"YYYY-MM-DD\"; found " + quote_field(v));
        };
        if (v.size() != 10 && v.size() != 19) bad();
        int c = 0, y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
        if (!two_digits(v, 0, c) || !two_digits(v, 2, y) || v[4] != '-' || !two_digits(v, 5, mo) ||
            v[7] != '-' || !two_digits(v, 8, d))
            bad();
        if (v.size() == 19 && (!(v[10] == ' ' || v[10] == 'T') || !two_digits(v, 11, h) || v[13] != ':' ||
                               !two_digits(v, 14, mi) || v[16] != ':' || !two_digits(v, 17, se)))
            bad();
        y += 100 * c;
        static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] + ((mo == 2 && leap) ? 1 : 0))
            fail(s, "\"start\" is not a valid date: " + quote_field(v));
        if (h > 23 || mi > 59 || se > 59) fail(s, "\"start\" is not a valid time of day: " + quote_field(v));
        ts = Timestamp{y, mo, d, h, mi, se};
    }

    const std::string& source_;
    JsonLinesOptions opt_;
    const char* b_ = nullptr;
    const char* p_ = nullptr;
    const char* e_ = nullptr;
    std::size_t line_ = 0;
    std::string key_, scratch_;
    std::vector<T> target_, dyn_values_;
    std::vector<DynArray> dyn_arrays_;
    bool shape_known_ = false;
    std::size_t first_line_ = 0, n_cat_ = 0, n_dyn_ = 0;
};

inline void validate(const JsonLinesOptions& o) {
    if (o.prediction_length < 0)
        throw invalid_argument(errc::out_of_range, "JsonLinesOptions::prediction_length must be >= 0; got " +
                                                       std::to_string(o.prediction_length));
}

}  // namespace io_detail

/// Parses JSON lines text held in memory; `source_name` starts every error message.
template <class T = double>
std::vector<Series<T>> parse_jsonlines(std::string_view text, const JsonLinesOptions& options = {},
                                       std::string_view source_name = "<string>") {
    io_detail::validate(options);
    const std::string source(source_name);
    io_detail::SeriesLineParser<T> parser(source, options);
    io_detail::LineSplitter lines(text);
    std::vector<Series<T>> out;
    std::string_view line;
    while (lines.next(line)) {
        bool blank = true;
        for (char c : line) blank = blank && (c == ' ' || c == '\t');
        if (blank) continue;
        out.emplace_back();
        parser.parse(line, lines.line_number(), out.back());
    }
    if (out.empty()) io_detail::fail_file(errc::empty_data, source, "no series");
    return out;
}

/// Reads a whole JSON lines file into memory and parses it; errors name `path`.
template <class T = double>
std::vector<Series<T>> read_jsonlines(const std::string& path, const JsonLinesOptions& options = {}) {
    io_detail::validate(options);
    const io_detail::FileText text = io_detail::read_file(path);
    return parse_jsonlines<T>(text, options, path);
}

}  // namespace shelf
