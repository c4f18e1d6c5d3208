// Reading a channel file into a Table, by content type.
#pragma once

#include <string>

#include <shelf/io.hpp>

#include "algorithm.hpp"

namespace shelf::cli {

/// The format a --content-type names; without one, the file's extension decides
/// (.libsvm/.svm → libsvm, .jsonl/.json → JSON lines), else text/csv as on the platform.
inline DataFormat format_of(const std::string& content_type, const std::string& path) {
    if (!content_type.empty()) return format_from_content_type(content_type);
    const auto dot = path.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    if (ext == "libsvm" || ext == "svm") return DataFormat::libsvm;
    if (ext == "jsonl" || ext == "json") return DataFormat::jsonlines;
    return DataFormat::csv;
}

/// Reads `path`; `labelled` says whether the file carries labels (column 0 in CSV).
inline Table read_table(const std::string& path, const std::string& content_type, const InputSpec& spec,
                        bool labelled) {
    Table table;
    table.source = path;
    switch (format_of(content_type, path)) {
        case DataFormat::csv: {
            CsvOptions options;
            options.has_label = labelled;
            options.allow_missing = spec.allow_missing;
            auto data = read_csv<float>(path, options);
            table.X = std::move(data.features);
            table.y = std::move(data.labels);
            break;
        }
        case DataFormat::libsvm: {
            LibsvmOptions options;
            options.read_labels = labelled;
            options.allow_missing = spec.allow_missing;
            auto data = read_libsvm<float>(path, options);
            table.y = std::move(data.labels);
            if (spec.sparse)
                table.sparse = std::move(data.features);
            else
                table.X = densify(data.features, spec.allow_missing ? AbsentAs::nan : AbsentAs::zero);
            break;
        }
        case DataFormat::jsonlines:
            if (!spec.series)
                throw data_error(errc::parse_error, path + ": application/jsonlines holds time series, which only the "
                                                           "forecaster reads; use text/csv or text/libsvm here");
            table.series = read_jsonlines<float>(path);
            break;
    }
    if (table.X.rows() == 0 && (!table.sparse || table.sparse->rows() == 0) && table.series.empty())
        throw data_error(errc::empty_data, path + ": the file holds no rows");
    return table;
}

}  // namespace shelf::cli
