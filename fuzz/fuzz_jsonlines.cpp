// libFuzzer harness for the JSON lines series reader (shelf/io/jsonlines.hpp).
//
// Input: byte 0 = options (prediction_length, scalar type), rest = text.
// Checks, beyond "no crash and no sanitizer report": errors are data_errors
// naming "fuzz.jsonl:"; every returned series satisfies the documented
// schema (valid start, non-empty target, cat >= 0, dynamic_feat of length
// len(target) + prediction_length, the same counts in every series).
#include <shelf/io/jsonlines.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

template <class T>
void run(std::string_view text, const shelf::JsonLinesOptions& o) {
    std::vector<shelf::Series<T>> all;
    try {
        all = shelf::parse_jsonlines<T>(text, o, "fuzz.jsonl");
    } catch (const shelf::data_error& e) {
        const std::string what = e.what();
        if (what.find("] fuzz.jsonl:") == std::string::npos) std::abort();
        return;
    }
    if (all.empty()) std::abort();
    for (const auto& s : all) {
        const auto& t = s.start;
        if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour < 0 || t.hour > 23 ||
            t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 59)
            std::abort();
        if (s.target.size() < 1) std::abort();
        for (shelf::Index i = 0; i < s.target.size(); ++i)
            if (std::isinf(s.target(i))) std::abort();
        for (int c : s.cat)
            if (c < 0) std::abort();
        if (s.cat.size() != all[0].cat.size()) std::abort();
        if (s.dynamic_feat.rows() != all[0].dynamic_feat.rows()) std::abort();
        if (s.dynamic_feat.rows() > 0) {
            if (s.dynamic_feat.cols() != s.target.size() + o.prediction_length) std::abort();
            if (!s.dynamic_feat.allFinite()) std::abort();
        } else if (s.dynamic_feat.size() != 0) {
            std::abort();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    shelf::JsonLinesOptions o;
    o.prediction_length = data[0] & 3;
    if (data[0] & 4)
        run<float>(text, o);
    else
        run<double>(text, o);
    return 0;
}
