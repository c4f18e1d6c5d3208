// shelf/io.hpp: every data reader and writer of the managed platform's channel
// formats, plus the mapping from a channel's content type to its format.
//
//   text/csv                     shelf/io/csv.hpp        read_csv, parse_csv, CsvReader, write_csv
//   text/libsvm, text/x-libsvm   shelf/io/libsvm.hpp     read_libsvm, parse_libsvm, densify
//   application/jsonlines        shelf/io/jsonlines.hpp  read_jsonlines, parse_jsonlines
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "io/csv.hpp"
#include "io/jsonlines.hpp"
#include "io/libsvm.hpp"

namespace shelf {

/// The channel formats the readers understand.
enum class DataFormat { csv, libsvm, jsonlines };

/// The format of a content type such as "text/csv" or "text/csv; charset=utf-8":
/// case-insensitive, parameters after ';' and surrounding spaces ignored.
/// Accepts text/csv, text/libsvm, text/x-libsvm, application/jsonlines (also
/// application/x-jsonlines and application/jsonl). Anything else throws
/// invalid_argument(bad_value).
inline DataFormat format_from_content_type(std::string_view content_type) {
    std::string_view t = content_type.substr(0, content_type.find(';'));
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    using io_detail::ascii_iequal;
    if (ascii_iequal(t, "text/csv")) return DataFormat::csv;
    if (ascii_iequal(t, "text/libsvm") || ascii_iequal(t, "text/x-libsvm")) return DataFormat::libsvm;
    if (ascii_iequal(t, "application/jsonlines") || ascii_iequal(t, "application/x-jsonlines") ||
        ascii_iequal(t, "application/jsonl"))
        return DataFormat::jsonlines;
    throw invalid_argument(errc::bad_value,
                           "unsupported content type " + io_detail::quote_field(content_type) +
                               "; expected text/csv, text/libsvm, text/x-libsvm or application/jsonlines");
}

}  // namespace shelf
