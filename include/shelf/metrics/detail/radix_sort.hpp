// shelf/metrics/detail/radix_sort.hpp: byte-wise LSD radix sort of scores.
//
// ROC and precision-recall metrics are dominated by one sort of the scores. A
// comparison sort of 10 million doubles takes most of a second on its own; a
// radix sort over order-preserving integer keys takes a fraction of that.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace shelf::metrics::detail {

template <class T>
struct key_for;
template <>
struct key_for<float> {
    using type = std::uint32_t;
};
template <>
struct key_for<double> {
    using type = std::uint64_t;
};
/// The unsigned integer a score of type T sorts as.
template <class T>
using key_t = typename key_for<T>::type;

template <class K>
constexpr K sign_bit = static_cast<K>(K(1) << (8 * sizeof(K) - 1));

/// Maps a finite score to a key with the same order: negatives have every bit
/// flipped, the rest only the sign bit. -0 becomes +0 first, so the two tie as
/// they do as numbers.
template <class T>
key_t<T> to_key(T x) {
    using K = key_t<T>;
    if (x == T(0)) x = T(0);
    K bits;
    std::memcpy(&bits, &x, sizeof bits);
    return (bits & sign_bit<K>) ? static_cast<K>(~bits) : static_cast<K>(bits | sign_bit<K>);
}

/// Inverse of to_key.
template <class T>
T from_key(key_t<T> key) {
    using K = key_t<T>;
    const K bits = (key & sign_bit<K>) ? static_cast<K>(key & ~sign_bit<K>) : static_cast<K>(~key);
    T x;
    std::memcpy(&x, &bits, sizeof x);
    return x;
}

/// A key with the sample weight it carries (weighted metrics only).
template <class K>
struct Weighted {
    K key;
    double weight;
};

inline std::uint32_t key_of(std::uint32_t k) { return k; }
inline std::uint64_t key_of(std::uint64_t k) { return k; }
template <class K>
K key_of(const Weighted<K>& r) {
    return r.key;
}
inline double weight_of(std::uint32_t) { return 1.0; }
inline double weight_of(std::uint64_t) { return 1.0; }
template <class K>
double weight_of(const Weighted<K>& r) {
    return r.weight;
}

/// Radix digits of 8 bits: 8 passes for a 64-bit key, 4 for a 32-bit one,
/// with counts (2 KiB a pass) that stay in L1. (11-bit digits measured slower.)
constexpr int radix_bits = 8;
constexpr std::size_t radix_buckets = std::size_t(1) << radix_bits;

/// Digit counts for every pass, gathered while the keys are first written so
/// the sort needs no extra read.
template <class K>
struct Histogram {
    static constexpr int passes = (8 * static_cast<int>(sizeof(K)) + radix_bits - 1) / radix_bits;
    std::vector<std::size_t> counts = std::vector<std::size_t>(passes * radix_buckets);  // 16 KiB for a 64-bit key
    void add(K key) {
        std::size_t* c = counts.data();
        for (int p = 0; p < passes; ++p, c += radix_buckets) ++c[(key >> (radix_bits * p)) & (radix_buckets - 1)];
    }
    const std::size_t* count(int pass) const { return counts.data() + static_cast<std::size_t>(pass) * radix_buckets; }
};

/// Sorts n records by key, ascending, ping-ponging between `data` and `scratch`
/// (n records each); returns the buffer that holds the result. Passes in which
/// every key has the same digit are skipped (for scores in a narrow range, the
/// sign and exponent bits usually are).
template <class Rec, class K>
Rec* radix_sort(Rec* data, Rec* scratch, std::size_t n, const Histogram<K>& hist) {
    if (n < 512) {  // below this the fixed cost of the bucket passes dominates
        std::sort(data, data + n, [](const Rec& a, const Rec& b) { return key_of(a) < key_of(b); });
        return data;
    }
    Rec* src = data;
    Rec* dst = scratch;
    std::vector<std::size_t> next(radix_buckets);
    for (int p = 0; p < Histogram<K>::passes; ++p) {
        const std::size_t* count = hist.count(p);
        const int shift = radix_bits * p;
        if (count[(key_of(src[0]) >> shift) & (radix_buckets - 1)] == n) continue;
        std::size_t sum = 0;
        for (std::size_t b = 0; b < radix_buckets; ++b) {
            next[b] = sum;
            sum += count[b];
        }
        for (std::size_t i = 0; i < n; ++i) {
            const Rec r = src[i];
            dst[next[(key_of(r) >> shift) & (radix_buckets - 1)]++] = r;
        }
        std::swap(src, dst);
    }
    return src;
}

}  // namespace shelf::metrics::detail
