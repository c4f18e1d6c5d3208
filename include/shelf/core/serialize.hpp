// shelf/core/serialize.hpp: the one binary container every family saves its model in.
//
// Layout (all integers little-endian, whatever the host):
//
//     "SHELFMDL"          8-byte magic
//     u32 version         format version (readers refuse newer ones)
//     u64 size            byte count of the body that follows
//     body:
//       str family        e.g. "kmeans"
//       u8  scalar        ScalarType of the model
//       u32 n_params      then n_params × (str key, str value): resolved hyperparameters
//       u32 n_arrays      then n_arrays × (str name, u8 dtype, u32 rank, u64 dims[rank], data)
//     u32 crc32           CRC-32 (IEEE) of the body
//
// where str = u32 length + bytes. Any truncation, bit flip, wrong family or newer
// version is refused with a model_error that says which.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <istream>
#include <sstream>
#include <map>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "error.hpp"
#include "types.hpp"

namespace shelf {

inline constexpr char model_magic[8] = {'S', 'H', 'E', 'L', 'F', 'M', 'D', 'L'};
/// 2: every family's fields as its declarative description lists them (core/model_fields.hpp).
/// Version 1 files (shelf 0.1's own array layouts) are refused: retrain.
inline constexpr std::uint32_t model_format_version = 2;

namespace detail {

inline std::uint32_t crc32(const char* data, std::size_t size) noexcept {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t crc = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < size; ++i)
        crc = table[(crc ^ static_cast<unsigned char>(data[i])) & 0xFFu] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

/// Element types of stored arrays.
enum class DType : std::uint8_t { f32 = 1, f64 = 2, i32 = 3, i64 = 4, u8 = 5, u16 = 6, u32 = 7, u64 = 8 };

template <class T>
constexpr DType dtype_of() {
    if constexpr (std::is_same_v<T, float>) return DType::f32;
    else if constexpr (std::is_same_v<T, double>) return DType::f64;
    else if constexpr (std::is_same_v<T, std::int32_t>) return DType::i32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return DType::i64;
    else if constexpr (std::is_same_v<T, std::uint8_t>) return DType::u8;
    else if constexpr (std::is_same_v<T, std::uint16_t>) return DType::u16;
    else if constexpr (std::is_same_v<T, std::uint32_t>) return DType::u32;
    else {
        static_assert(std::is_same_v<T, std::uint64_t>, "unsupported array element type");
        return DType::u64;
    }
}

/// The unsigned integer with the same bytes as T, for endian-defined encoding.
template <class T>
using bits_of = std::conditional_t<sizeof(T) == 1, std::uint8_t,
                std::conditional_t<sizeof(T) == 2, std::uint16_t,
                std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;

template <class T>
void put(std::string& out, T value) {
    bits_of<T> bits;
    std::memcpy(&bits, &value, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFFu));
}

inline void put_string(std::string& out, const std::string& s) {
    put(out, static_cast<std::uint32_t>(s.size()));
    out += s;
}

/// Bounds-checked reading of a body already in memory.
class Cursor {
public:
    Cursor(const char* data, std::size_t size) : data_(data), size_(size) {}

    template <class T>
    T get() {
        need(sizeof(T), "a number");
        bits_of<T> bits = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            bits = static_cast<bits_of<T>>(bits | (static_cast<bits_of<T>>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i)));
        pos_ += sizeof(T);
        T value;
        std::memcpy(&value, &bits, sizeof(T));
        return value;
    }

    std::string get_string() {
        const auto n = get<std::uint32_t>();
        need(n, "a string");
        std::string s(data_ + pos_, n);
        pos_ += n;
        return s;
    }

    void need(std::size_t n, const char* what) const {
        if (n > size_ - pos_)
            throw model_error(errc::malformed, "model file is malformed: " + std::string(what) + " at byte " +
                                                   std::to_string(pos_) + " runs past the end of the body");
    }
    void skip(std::size_t n) {
        need(n, "data");
        pos_ += n;
    }
    std::size_t position() const { return pos_; }
    bool done() const { return pos_ == size_; }

private:
    const char* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

inline const char* scalar_name(ScalarType s) { return s == ScalarType::float32 ? "float" : "double"; }

}  // namespace detail

/// Collects a model's parts, then writes them as one checksummed container.
class ModelWriter {
public:
    ModelWriter(std::string family, ScalarType scalar) : family_(std::move(family)), scalar_(scalar) {}

    void param(const std::string& key, const std::string& value) { params_[key] = value; }
    void params(const std::map<std::string, std::string>& values) {
        for (const auto& [k, v] : values) params_[k] = v;
    }

    /// A named array of `count` elements with the given shape (product must equal count).
    template <class T>
    void array(const std::string& name, const T* data, std::vector<std::uint64_t> shape) {
        std::string& out = arrays_[name];
        out.clear();
        detail::put(out, static_cast<std::uint8_t>(detail::dtype_of<T>()));
        detail::put(out, static_cast<std::uint32_t>(shape.size()));
        std::uint64_t count = 1;
        for (auto d : shape) detail::put(out, d), count *= d;
        out.reserve(out.size() + count * sizeof(T));
        for (std::uint64_t i = 0; i < count; ++i) detail::put(out, data[i]);
    }

    template <class T>
    void array(const std::string& name, const std::vector<T>& values) {
        array(name, values.data(), {values.size()});
    }

    /// A dense Eigen matrix or vector, stored row-major with shape {rows, cols}.
    template <class Derived>
    void matrix(const std::string& name, const Eigen::DenseBase<Derived>& m) {
        using T = typename Derived::Scalar;
        const RowMatrix<T> row_major = m;
        array(name, row_major.data(),
              {static_cast<std::uint64_t>(row_major.rows()), static_cast<std::uint64_t>(row_major.cols())});
    }

    template <class T>
    void scalar(const std::string& name, T value) { array(name, &value, {}); }

    void write(std::ostream& out) const {
        std::string body;
        detail::put_string(body, family_);
        detail::put(body, static_cast<std::uint8_t>(scalar_));
        detail::put(body, static_cast<std::uint32_t>(params_.size()));
        for (const auto& [k, v] : params_) detail::put_string(body, k), detail::put_string(body, v);
        detail::put(body, static_cast<std::uint32_t>(arrays_.size()));
        for (const auto& [name, bytes] : arrays_) detail::put_string(body, name), body += bytes;

        std::string head(model_magic, sizeof model_magic);
        detail::put(head, model_format_version);
        detail::put(head, static_cast<std::uint64_t>(body.size()));
        std::string tail;
        detail::put(tail, detail::crc32(body.data(), body.size()));
        out.write(head.data(), static_cast<std::streamsize>(head.size()));
        out.write(body.data(), static_cast<std::streamsize>(body.size()));
        out.write(tail.data(), static_cast<std::streamsize>(tail.size()));
        if (!out) throw model_error(errc::malformed, "could not write the " + family_ + " model: the stream failed");
    }

private:
    std::string family_;
    ScalarType scalar_;
    std::map<std::string, std::string> params_;
    std::map<std::string, std::string> arrays_;  // name -> encoded dtype, shape and data
};

/// Reads and verifies a container; then hands out its parameters and arrays.
class ModelReader {
public:
    /// Reads a whole container from `in`, checking magic, version, size and checksum.
    explicit ModelReader(std::istream& in) {
        std::ostringstream whole;  // in bulk: a stream's buffer, not one character at a time
        whole << in.rdbuf();
        const std::string bytes = whole.str();
        const std::size_t head_size = sizeof model_magic + 4 + 8;
        if (bytes.size() < sizeof model_magic ||
            std::memcmp(bytes.data(), model_magic, sizeof model_magic) != 0)
            throw model_error(errc::not_a_model, bytes.empty() ? "model file is empty"
                                                               : "not a shelf model file (bad magic number)");
        if (bytes.size() < head_size)
            throw model_error(errc::truncated, "model file is truncated: " + std::to_string(bytes.size()) +
                                                   " bytes, shorter than the header");
        detail::Cursor head(bytes.data() + sizeof model_magic, head_size - sizeof model_magic);
        const auto version = head.get<std::uint32_t>();
        if (version != model_format_version)
            throw model_error(errc::version, "model file has format version " + std::to_string(version) +
                                                 "; this shelf reads version " + std::to_string(model_format_version) +
                                                 (version > model_format_version ? " (upgrade shelf)"
                                                                                 : " (retrain the model with this shelf)"));
        const auto body_size = head.get<std::uint64_t>();
        if (bytes.size() - head_size < 4 || body_size > bytes.size() - head_size - 4)
            throw model_error(errc::truncated, "model file is truncated: the header announces " +
                                                   std::to_string(body_size) + " bytes of content, " +
                                                   std::to_string(bytes.size() - head_size) + " bytes follow");
        const char* body = bytes.data() + head_size;
        detail::Cursor crc_cursor(body + body_size, 4);
        const auto stored_crc = crc_cursor.get<std::uint32_t>();
        if (stored_crc != detail::crc32(body, static_cast<std::size_t>(body_size)))
            throw model_error(errc::checksum, "model file is corrupted: checksum mismatch");
        if (bytes.size() != head_size + body_size + 4)
            throw model_error(errc::malformed, "model file has " + std::to_string(bytes.size() - head_size - body_size - 4) +
                                                   " unexpected bytes after the checksum");

        body_size_ = static_cast<std::size_t>(body_size);
        detail::Cursor c(body, body_size_);
        family_ = c.get_string();
        const auto scalar = c.get<std::uint8_t>();
        if (scalar != static_cast<std::uint8_t>(ScalarType::float32) && scalar != static_cast<std::uint8_t>(ScalarType::float64))
            throw model_error(errc::malformed, "model file is malformed: scalar type code " + std::to_string(scalar) +
                                                   " is neither float (1) nor double (2)");
        scalar_ = static_cast<ScalarType>(scalar);
        const auto n_params = c.get<std::uint32_t>();
        for (std::uint32_t i = 0; i < n_params; ++i) {
            std::string key = c.get_string();
            params_[key] = c.get_string();
        }
        const auto n_arrays = c.get<std::uint32_t>();
        for (std::uint32_t i = 0; i < n_arrays; ++i) {
            std::string name = c.get_string();
            Array a;
            a.dtype = static_cast<detail::DType>(c.get<std::uint8_t>());
            const std::size_t width = element_size(a.dtype, name);
            const auto rank = c.get<std::uint32_t>();
            c.need(std::size_t{rank} * 8, "an array shape");
            std::uint64_t count = 1;
            for (std::uint32_t r = 0; r < rank; ++r) {
                a.shape.push_back(c.get<std::uint64_t>());
                if (a.shape.back() != 0 && count > (~std::uint64_t{0}) / a.shape.back() / width)
                    throw model_error(errc::malformed, "model file is malformed: array '" + name + "' is too large");
                count *= a.shape.back();
            }
            c.need(static_cast<std::size_t>(count * width), "array data");
            a.bytes.assign(body + c.position(), static_cast<std::size_t>(count * width));
            c.skip(a.bytes.size());
            arrays_[name] = std::move(a);
        }
        if (!c.done()) throw model_error(errc::malformed, "model file is malformed: trailing bytes in the body");
    }

    const std::string& family() const { return family_; }
    ScalarType scalar() const { return scalar_; }
    /// Bytes of content (what bounds any count the file may claim).
    std::size_t body_size() const { return body_size_; }
    const std::map<std::string, std::string>& params() const { return params_; }

    /// Throws unless this is a `family` model stored with scalar type `scalar`.
    void expect(const std::string& family, ScalarType scalar) const {
        if (family_ != family)
            throw model_error(errc::wrong_family, "this is a " + family_ + " model, not a " + family + " model");
        if (scalar_ != scalar)
            throw model_error(errc::wrong_scalar, "this " + family_ + " model stores " +
                                                      detail::scalar_name(scalar_) + " values; load it as Model<" +
                                                      detail::scalar_name(scalar_) + ">");
    }

    /// A stored parameter value (the resolved form, e.g. after 'auto').
    const std::string& param(const std::string& key) const {
        const auto it = params_.find(key);
        if (it == params_.end())
            throw model_error(errc::malformed, "the " + family_ + " model lacks parameter '" + key + "'");
        return it->second;
    }

    bool has(const std::string& name) const { return arrays_.count(name) != 0; }

    const std::vector<std::uint64_t>& shape(const std::string& name) const { return find(name).shape; }

    /// A stored array, whatever its shape, as a flat vector of T (the stored type must be T).
    template <class T>
    std::vector<T> values(const std::string& name) const {
        const Array& a = find(name);
        if (a.dtype != detail::dtype_of<T>())
            throw model_error(errc::malformed, "the " + family_ + " model's array '" + name + "' has another element type");
        const std::size_t count = a.bytes.size() / sizeof(T);
        std::vector<T> out(count);
        detail::Cursor c(a.bytes.data(), a.bytes.size());
        for (auto& v : out) v = c.get<T>();
        return out;
    }

    /// A stored 2-D array as a row-major matrix.
    template <class T>
    RowMatrix<T> matrix(const std::string& name) const {
        const auto& s = shape(name);
        if (s.size() != 2)
            throw model_error(errc::malformed, "the " + family_ + " model's array '" + name + "' is not a matrix");
        const std::vector<T> flat = values<T>(name);
        return Eigen::Map<const RowMatrix<T>>(flat.data(), static_cast<Index>(s[0]), static_cast<Index>(s[1]));
    }

    template <class T>
    Vector<T> vector(const std::string& name) const {
        const std::vector<T> flat = values<T>(name);
        return Eigen::Map<const Vector<T>>(flat.data(), static_cast<Index>(flat.size()));
    }

    template <class T>
    T scalar(const std::string& name) const {
        const std::vector<T> flat = values<T>(name);
        if (flat.size() != 1)
            throw model_error(errc::malformed, "the " + family_ + " model's array '" + name + "' is not a scalar");
        return flat[0];
    }

private:
    struct Array {
        detail::DType dtype{};
        std::vector<std::uint64_t> shape;
        std::string bytes;
    };

    static std::size_t element_size(detail::DType t, const std::string& name) {
        switch (t) {
            case detail::DType::u8: return 1;
            case detail::DType::u16: return 2;
            case detail::DType::f32: case detail::DType::i32: case detail::DType::u32: return 4;
            case detail::DType::f64: case detail::DType::i64: case detail::DType::u64: return 8;
        }
        throw model_error(errc::malformed, "model file is malformed: array '" + name + "' has an unknown element type");
    }

    const Array& find(const std::string& name) const {
        const auto it = arrays_.find(name);
        if (it == arrays_.end())
            throw model_error(errc::malformed, "the " + family_ + " model lacks array '" + name + "'");
        return it->second;
    }

    std::string family_;
    ScalarType scalar_{};
    std::size_t body_size_ = 0;
    std::map<std::string, std::string> params_;
    std::map<std::string, Array> arrays_;
};

}  // namespace shelf
