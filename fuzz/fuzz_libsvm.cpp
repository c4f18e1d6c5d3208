// libFuzzer harness for the libsvm reader (shelf/io/libsvm.hpp).
//
// Input: byte 0 = option flags, rest = libsvm text. Checks, beyond "no crash
// and no sanitizer report": errors are data_errors naming "fuzz.svm:"; a
// result is a well-formed compressed CSR matrix (rows strictly increasing
// column indices inside [0, cols)), labels match the rows, the reported index
// base is zero or one, and densify agrees with the sparse entries.
#include <shelf/io/libsvm.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

template <class T>
void check(const shelf::LibsvmData<T>& d, const shelf::LibsvmOptions& o) {
    const auto& m = d.features;
    if (!m.isCompressed() || m.rows() < 1) std::abort();
    if (d.index_base != shelf::IndexBase::zero && d.index_base != shelf::IndexBase::one) std::abort();
    if (o.index_base != shelf::IndexBase::detect && d.index_base != o.index_base) std::abort();
    if (o.feature_dim > 0 && m.cols() != o.feature_dim) std::abort();
    if (o.read_labels ? d.labels.size() != m.rows() : d.labels.size() != 0) std::abort();
    for (shelf::Index i = 0; i < d.labels.size(); ++i)
        if (!std::isfinite(d.labels(i))) std::abort();
    const auto* outer = m.outerIndexPtr();
    const auto* inner = m.innerIndexPtr();
    if (outer[0] != 0 || outer[m.rows()] != m.nonZeros()) std::abort();
    for (shelf::Index r = 0; r < m.rows(); ++r) {
        if (outer[r] > outer[r + 1]) std::abort();
        for (auto k = outer[r]; k < outer[r + 1]; ++k) {
            if (inner[k] < 0 || inner[k] >= m.cols()) std::abort();
            if (k > outer[r] && inner[k] <= inner[k - 1]) std::abort();
            const T v = m.valuePtr()[k];
            if (std::isnan(v) && !o.allow_missing) std::abort();
            if (std::isinf(v) && !o.allow_infinite) std::abort();
        }
    }
    if (m.cols() <= 100000 / m.rows()) {
        const auto z = shelf::densify(m);
        const auto n = shelf::densify(m, shelf::AbsentAs::nan);
        for (shelf::Index r = 0; r < m.rows(); ++r) {
            shelf::Index k = outer[r];
            for (shelf::Index c = 0; c < m.cols(); ++c) {
                const bool stored = k < outer[r + 1] && inner[k] == c;
                const T v = stored ? m.valuePtr()[k++] : T(0);
                if (!(z(r, c) == v || (std::isnan(v) && std::isnan(z(r, c))))) std::abort();
                if (!stored && !std::isnan(n(r, c))) std::abort();
            }
        }
    }
}

template <class T>
void run(std::string_view text, const shelf::LibsvmOptions& o) {
    try {
        check(shelf::parse_libsvm<T>(text, o, "fuzz.svm"), o);
    } catch (const shelf::data_error& e) {
        const std::string what = e.what();
        if (what.find("] fuzz.svm:") == std::string::npos) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t flags = data[0];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    shelf::LibsvmOptions o;
    o.read_labels = !(flags & 1);
    o.index_base = static_cast<shelf::IndexBase>((flags >> 1) % 3);
    o.feature_dim = (flags & 8) ? 1 + (flags >> 5) * 3 : -1;
    o.skip_qid = flags & 16;
    o.allow_missing = flags & 32;
    o.allow_infinite = flags & 64;
    if (flags & 128)
        run<float>(text, o);
    else
        run<double>(text, o);
    return 0;
}
