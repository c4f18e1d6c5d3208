// shelf/io/detail/text.hpp: pieces shared by the text readers (not public API).
//
// - error messages of the form "<source>:<line>:<column>: <what>"
// - strict parsing of one number from a byte span with fast_float
// - splitting a memory buffer, or a std::istream read in blocks, into lines
// - a whole file's bytes: mapped when it is a regular file, else read into memory
//
// Line conventions shared by every reader: lines end at '\n'; one '\r' before
// the '\n' (CRLF) is dropped; the last line needs no '\n'; a UTF-8 byte order
// mark at the very start of the input is skipped (and not counted in columns).
#pragma once

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <istream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define SHELF_MAPPED_FILES 1
#endif

#include "../../core/error.hpp"

namespace shelf {
namespace io_detail {

/// "<source>:<line>:<column>: <what>" as a data_error with the given id.
[[noreturn]] inline void fail_at(errc id, std::string_view source, std::size_t line, std::size_t column,
                                 std::string_view what) {
    std::string msg;
    msg.reserve(source.size() + what.size() + 32);
    msg.append(source);
    msg += ':';
    msg += std::to_string(line);
    msg += ':';
    msg += std::to_string(column);
    msg += ": ";
    msg.append(what);
    throw data_error(id, msg);
}

/// fail_at with the 1-based byte column of `at` in the line starting at `line_begin`.
[[noreturn]] inline void fail_byte(errc id, std::string_view source, std::size_t line, const char* line_begin,
                                   const char* at, std::string_view what) {
    fail_at(id, source, line, static_cast<std::size_t>(at - line_begin) + 1, what);
}

/// "<source>: <what>" for errors that concern the whole input.
[[noreturn]] inline void fail_file(errc id, std::string_view source, std::string_view what) {
    std::string msg(source);
    msg += ": ";
    msg.append(what);
    throw data_error(id, msg);
}

/// A field or token for an error message: double-quoted, non-printable bytes
/// escaped, long text cut to 40 bytes followed by "...".
inline std::string quote_field(std::string_view s) {
    constexpr std::size_t kMax = 40;
    std::string out = "\"";
    const std::size_t n = std::min(s.size(), kMax);
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
    if (s.size() > kMax) out += "...";
    return out;
}

inline const char* type_name(float) {
    return "float";
}
inline const char* type_name(double) {
    return "double";
}

inline bool ascii_iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

/// What parse_real found in a span.
enum class num_kind {
    finite,    ///< an ordinary finite number
    nan,       ///< "nan" (any case, optional sign): a missing value
    infinite,  ///< "inf" / "infinity" (any case, optional sign)
    overflow,  ///< digits whose value does not fit in T (parsed to +-inf)
    invalid,   ///< anything else, including an empty span
};

/// How many of the 8 characters in `word` (the first one its lowest byte) are digits before the
/// first that is not, 0 to 8, with no branch per character: a byte is a digit when its high
/// nibble is 3 both as it is and after adding 6 ('0' .. '9' become 0x36 .. 0x3F). A carry out of
/// a byte that is not a digit can only disturb the bytes after it, which are not counted.
inline int leading_digits(std::uint64_t word) noexcept {
    constexpr std::uint64_t high = 0xF0F0F0F0F0F0F0F0, threes = 0x3030303030303030;
    std::uint64_t other = ((word & high) ^ threes) | (((word + 0x0606060606060606) & high) ^ threes);
    if (other == 0) return 8;
#if defined(__GNUC__)
    return __builtin_ctzll(other) / 8;
#else
    int bytes = 0;
    for (; (other & 0xFF) == 0; other >>= 8) ++bytes;
    return bytes;
#endif
}

/// The value of the first `count` (1 to 8) characters of `word`, all digits: they are moved to the
/// top bytes over '0's, making an 8-digit number with leading zeros, whose digits are then joined
/// in pairs, then the pairs in two multiplies.
inline std::uint64_t digits_value(std::uint64_t word, int count) noexcept {
    const int shift = 8 * (8 - count);
    if (count < 8) word = (word << shift) | (0x3030303030303030 >> (64 - shift));
    word -= 0x3030303030303030;       // byte i: digit i
    word = word * 10 + (word >> 8);  // bytes 0, 2, 4, 6: two-digit numbers
    constexpr std::uint64_t pairs = 0x000000FF000000FF;
    return (((word & pairs) * (100 + (1000000ULL << 32))) + (((word >> 16) & pairs) * (1 + (10000ULL << 32)))) >> 32;
}

/// Appends the digits at p (before e) to m (m·10^run + their value) and returns how many there
/// were; p moves past them. Eight characters at a time where the line has them.
inline int read_digits(const char*& p, const char* e, std::uint64_t& m) noexcept {
    static constexpr std::uint64_t powers[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
    if (e - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);  // the characters in memory order, the first the lowest byte
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word);
#endif
        const int run = leading_digits(word);
        if (run < 8) {
            if (run > 0) m = m * powers[run] + digits_value(word, run);
            p += run;
            return run;
        }
    }
    int run = 0;
    for (; p != e && static_cast<unsigned char>(*p - '0') < 10; ++p, ++run) m = m * 10 + std::uint64_t(*p - '0');
    return run;
}

/// A plain decimal, "-12.375" (at most T's exact digits, no exponent), straight to T: its digits
/// as an integer m < 2^24 (float) or 2^53 (double) and its d fraction digits (≤ 10 or ≤ 22), so
/// that both m and 10^d are exact in T and one IEEE division rounds m / 10^d correctly: the value
/// fast_float gives (Clinger's fast path), without its general machinery, for the form most CSV
/// numbers take. Returns the end of the number, or nullptr for any other form (left to fast_float).
template <class T>
const char* parse_plain_decimal(const char* p, const char* e, T& out) noexcept {
    constexpr int max_digits = std::is_same<T, float>::value ? 7 : 15;
    constexpr int max_fraction = std::is_same<T, float>::value ? 10 : 22;
    static constexpr T powers[] = {T(1e0),  T(1e1),  T(1e2),  T(1e3),  T(1e4),  T(1e5),  T(1e6),  T(1e7),
                                   T(1e8),  T(1e9),  T(1e10), T(1e11), T(1e12), T(1e13), T(1e14), T(1e15),
                                   T(1e16), T(1e17), T(1e18), T(1e19), T(1e20), T(1e21), T(1e22)};
    const bool negative = p != e && *p == '-';
    p += negative;
    std::uint64_t m = 0;
    int digits = read_digits(p, e, m), fraction = 0;
    if (p != e && *p == '.') {
        ++p;
        fraction = read_digits(p, e, m);
        digits += fraction;
    }
    if (digits == 0 || digits > max_digits || fraction > max_fraction || (p != e && (*p == 'e' || *p == 'E')))
        return nullptr;
    const T value = T(m) / powers[fraction];
    out = negative ? -value : value;
    return p;
}

/// fast_float::from_chars, with the plain decimals of parse_plain_decimal taken first.
template <class T>
fast_float::from_chars_result from_chars(const char* p, const char* e, T& out) noexcept {
    if (const char* end = parse_plain_decimal(p, e, out)) return {end, std::errc()};
    return fast_float::from_chars(p, e, out);
}

/// Parses the whole span [b, e) as one number of type T (correctly rounded,
/// straight to T). Accepts what std::from_chars accepts for chars_format::general
/// plus one optional leading '+'; "nan(...)" and hexadecimal forms are invalid.
template <class T>
num_kind parse_real(const char* b, const char* e, T& out) noexcept {
    static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value,
                  "shelf readers produce float or double");
    if (b == e) return num_kind::invalid;
    if (*b == '+') {
        ++b;
        if (b == e || *b == '-' || *b == '+') return num_kind::invalid;
    }
    const auto r = from_chars(b, e, out);
    if (r.ec != std::errc() || r.ptr != e) return num_kind::invalid;
    if (std::isfinite(out)) return num_kind::finite;
    const char* t = (*b == '-') ? b + 1 : b;
    if (std::isnan(out)) {
        if (!ascii_iequal(std::string_view(t, static_cast<std::size_t>(e - t)), "nan"))
            return num_kind::invalid;  // "nan(123)"
        out = std::numeric_limits<T>::quiet_NaN();
        return num_kind::nan;
    }
    return (*t == 'i' || *t == 'I') ? num_kind::infinite : num_kind::overflow;
}

/// Parses [b, e) as a non-negative decimal integer made of digits only.
/// Returns false for an empty span, any non-digit, or a value above `max`.
inline bool parse_index(const char* b, const char* e, std::int64_t max, std::int64_t& out) noexcept {
    if (b == e) return false;
    for (const char* p = b; p != e; ++p)
        if (*p < '0' || *p > '9') return false;
    const auto r = std::from_chars(b, e, out);
    return r.ec == std::errc() && r.ptr == e && out <= max;
}

inline bool has_bom(const char* b, const char* e) noexcept {
    return e - b >= 3 && static_cast<unsigned char>(b[0]) == 0xEF &&
           static_cast<unsigned char>(b[1]) == 0xBB && static_cast<unsigned char>(b[2]) == 0xBF;
}

/// Applies the line conventions to a raw line [b, e) (without its '\n').
inline std::string_view finish_line(const char* b, const char* e, std::size_t line_no) noexcept {
    if (e != b && e[-1] == '\r') --e;
    if (line_no == 1 && has_bom(b, e)) b += 3;
    return std::string_view(b, static_cast<std::size_t>(e - b));
}

/// Splits a memory buffer into lines (see the conventions at the top).
class LineSplitter {
public:
    /// `first_line`: the number of the text's first line (a piece of a larger text starts later).
    explicit LineSplitter(std::string_view text, std::size_t first_line = 1) noexcept
        : p_(text.data()), e_(text.data() + text.size()), line_(first_line - 1) {}

    /// The next line, or false at the end. line_number() is then its number.
    bool next(std::string_view& line) noexcept {
        if (p_ == e_) return false;
        const void* nl = std::memchr(p_, '\n', static_cast<std::size_t>(e_ - p_));
        const char* le = nl ? static_cast<const char*>(nl) : e_;
        line = finish_line(p_, le, ++line_);
        p_ = nl ? le + 1 : e_;
        return true;
    }
    std::size_t line_number() const noexcept { return line_; }
    /// Bytes not yet returned.
    std::size_t remaining() const noexcept { return static_cast<std::size_t>(e_ - p_); }

private:
    const char* p_;
    const char* e_;
    std::size_t line_;
};

/// About `parts` pieces of `text`, each starting at a line start (the first at 0): what the
/// parallel readers hand out to threads.
inline std::vector<std::string_view> split_lines(std::string_view text, std::size_t parts) {
    std::vector<std::string_view> pieces;
    std::size_t begin = 0;
    for (std::size_t k = 1; k <= parts && begin < text.size(); ++k) {
        std::size_t end = k == parts ? text.size() : std::max(begin, text.size() / parts * k);
        if (end < text.size()) {
            const void* nl = std::memchr(text.data() + end, '\n', text.size() - end);
            end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1 : text.size();
        }
        if (end > begin) pieces.push_back(text.substr(begin, end - begin));
        begin = end;
    }
    return pieces;
}

/// Splits a std::istream into lines, reading `block` bytes at a time. Only the
/// current partial line is kept, so memory stays bounded by the longest line
/// plus one block. A returned view is valid until the next call.
class ChunkedLineReader {
public:
    ChunkedLineReader(std::istream& in, std::size_t block, std::string source)
        : in_(&in), block_(block), source_(std::move(source)) {}

    bool next(std::string_view& line) {
        for (;;) {
            const char* base = buf_.data();
            const void* nl = scanned_ < end_ ? std::memchr(base + scanned_, '\n', end_ - scanned_) : nullptr;
            if (nl) {
                const char* le = static_cast<const char*>(nl);
                line = finish_line(base + begin_, le, ++line_);
                begin_ = scanned_ = static_cast<std::size_t>(le - base) + 1;
                return true;
            }
            scanned_ = end_;
            if (eof_) {
                if (begin_ == end_) return false;
                line = finish_line(base + begin_, base + end_, ++line_);
                begin_ = scanned_ = end_;
                return true;
            }
            fill();
        }
    }
    std::size_t line_number() const noexcept { return line_; }
    const std::string& source() const noexcept { return source_; }

private:
    void fill() {
        if (begin_ > 0) {  // keep only the unfinished line
            std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            scanned_ -= begin_;
            begin_ = 0;
        }
        if (buf_.size() - end_ < block_) buf_.resize(std::max(end_ + block_, 2 * buf_.size()));
        in_->read(buf_.data() + end_, static_cast<std::streamsize>(block_));
        const std::streamsize got = in_->gcount();
        if (in_->bad()) fail_file(errc::io_failure, source_, "read error");
        end_ += static_cast<std::size_t>(got);
        if (!*in_ || got == 0) eof_ = true;
    }

    std::istream* in_;
    std::size_t block_;
    std::string source_;
    std::vector<char> buf_;
    std::size_t begin_ = 0, end_ = 0, scanned_ = 0;
    std::size_t line_ = 0;
    bool eof_ = false;
};

/// The whole content of a file read through stdio (pipes and other non-regular files).
inline std::string read_stream_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        const int err = errno;
        fail_file(errc::io_failure, path,
                  std::string("cannot open: ") + std::generic_category().message(err));
    }
    std::string data;
    std::error_code size_error;
    const auto size = std::filesystem::file_size(path, size_error);  // fails for non-regular files
    if (!size_error && size < (std::uintmax_t(1) << 48))
        data.reserve(static_cast<std::size_t>(size) + (std::size_t(1) << 20));
    constexpr std::size_t kChunk = std::size_t(1) << 20;
    for (;;) {
        const std::size_t old = data.size();
        data.resize(old + kChunk);
        const std::size_t n = std::fread(&data[old], 1, kChunk, f);
        data.resize(old + n);
        if (n < kChunk) break;
    }
    const bool bad = std::ferror(f) != 0;
    const int err = errno;
    std::fclose(f);
    if (bad)
        fail_file(errc::io_failure, path, std::string("read error: ") + std::generic_category().message(err));
    return data;
}

/// A file's bytes, read-only: a mapping of a regular file (no copy and no freshly zeroed pages:
/// the readers parse the page cache itself), or text read into memory. As with any mapping, a
/// file truncated by another process while it is being read faults the reader.
class FileText {
public:
    FileText() = default;
    explicit FileText(std::string text) : owned_(std::move(text)), view_(owned_) {}
    FileText(const FileText&) = delete;
    FileText& operator=(const FileText&) = delete;
    FileText(FileText&& other) noexcept { take(other); }
    FileText& operator=(FileText&& other) noexcept {
        if (this != &other) release(), take(other);
        return *this;
    }
    ~FileText() { release(); }

    std::string_view view() const noexcept { return view_; }
    operator std::string_view() const noexcept { return view_; }

#ifdef SHELF_MAPPED_FILES
    /// A mapping of `size` bytes of the open file `fd`, or an empty FileText when it cannot be made.
    static FileText map(int fd, std::size_t size) {
        int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
        flags |= MAP_POPULATE;  // the page table filled in one call, not one fault per page
#endif
        void* at = ::mmap(nullptr, size, PROT_READ, flags, fd, 0);
        FileText text;
        if (at != MAP_FAILED) text.mapped_ = at, text.view_ = std::string_view(static_cast<const char*>(at), size);
        return text;
    }
#endif

private:
    void take(FileText& other) noexcept {
        mapped_ = std::exchange(other.mapped_, nullptr);
        if (mapped_) {
            view_ = other.view_;
        } else {
            owned_ = std::move(other.owned_);
            view_ = owned_;  // a short string lives inside the object: point at ours
        }
        other.view_ = {};
    }
    void release() noexcept {
#ifdef SHELF_MAPPED_FILES
        if (mapped_) ::munmap(mapped_, view_.size());
#endif
        mapped_ = nullptr;
    }

    std::string owned_;
    std::string_view view_;
    void* mapped_ = nullptr;
};

/// The whole content of a file; data_error(io_failure) naming the path and
/// the system's reason when it cannot be opened or read.
inline FileText read_file(const std::string& path) {
#ifdef SHELF_MAPPED_FILES
    if (const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        struct stat info {};
        FileText mapped;
        if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0)
            mapped = FileText::map(fd, static_cast<std::size_t>(info.st_size));
        ::close(fd);
        if (!mapped.view().empty()) return mapped;
    }  // otherwise (not a regular file, empty, or not mappable) read it as a stream below
#endif
    return FileText(read_stream_file(path));
}

}  // namespace io_detail
}  // namespace shelf
