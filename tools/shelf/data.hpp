// Reading a channel (a file, or standard input for "-") into a Table, by content type.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <shelf/io.hpp>

#include "algorithm.hpp"

namespace shelf::cli {

/// What training's data settled, which every later channel and request is read with: the
/// feature count and, for libsvm, the index base (1 unless the training file used index 0).
/// Stored beside the model as input.json.
struct ChannelContract {
    Index feature_count = -1;                   ///< -1: not known yet (reading the training channel)
    IndexBase libsvm_index_base = IndexBase::detect;  ///< detect: training was not libsvm
};

/// The request formats: the platform's channel formats plus application/json inference requests.
enum class Format { csv, libsvm, jsonlines, json };

namespace detail {

inline io_detail::FileText slurp(const std::string& path) {
    if (path != "-") return io_detail::read_file(path);
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) throw data_error(errc::io_failure, "<stdin>: could not read standard input");
    return io_detail::FileText(std::move(text));
}

/// libsvm when the first non-blank line reads "label index:value ..." (a colon in its second
/// field), JSON when it opens with '{', else CSV.
inline Format sniff(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return Format::csv;
    if (text[first] == '{') return Format::jsonlines;
    const std::string_view line = text.substr(first, text.find('\n', first) - first);
    const auto gap = line.find_first_of(" \t");
    if (gap == std::string_view::npos) return Format::csv;
    const auto field = line.substr(line.find_first_not_of(" \t", gap));
    const auto colon = field.find(':'), end = field.find_first_of(" \t");
    return colon != std::string_view::npos && colon < end && line.find(',') == std::string_view::npos ? Format::libsvm
                                                                                                     : Format::csv;
}

/// {"features": [...]} lines, or {"instances": [{"features": [...]}, ...]}: rows of one width.
inline RowMatrix<float> feature_requests(std::string_view text, const std::string& source, bool one_document) {
    std::vector<std::vector<float>> rows;
    const auto add = [&](const nlohmann::json& instance, const std::string& where) {
        if (!instance.is_object() || !instance.contains("features") || !instance["features"].is_array())
            throw data_error(errc::parse_error, where + ": expected an object {\"features\": [numbers]}");
        std::vector<float> row;
        for (const auto& v : instance["features"]) {
            if (!v.is_number())
                throw data_error(errc::parse_error, where + ": features must be numbers, got " + v.dump());
            row.push_back(v.get<float>());
        }
        if (!rows.empty() && row.size() != rows.front().size())
            throw data_error(errc::shape_mismatch, where + ": " + std::to_string(row.size()) + " features, the first request has " +
                                                       std::to_string(rows.front().size()));
        rows.push_back(std::move(row));
    };
    try {
        if (one_document) {
            const auto doc = nlohmann::json::parse(text);
            if (!doc.is_object() || !doc.contains("instances") || !doc["instances"].is_array())
                throw data_error(errc::parse_error, source + ": expected {\"instances\": [{\"features\": [...]}, ...]}");
            std::size_t i = 0;
            for (const auto& instance : doc["instances"]) add(instance, source + ": instance " + std::to_string(++i));
        } else {
            std::size_t line_no = 0, at = 0;
            while (at <= text.size()) {
                const std::size_t end = std::min(text.find('\n', at), text.size());
                const std::string_view line = text.substr(at, end - at);
                ++line_no;
                at = end + 1;
                if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
                add(nlohmann::json::parse(line), source + ":" + std::to_string(line_no));
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw data_error(errc::parse_error, source + ": not valid JSON: " + e.what());
    }
    RowMatrix<float> X(static_cast<Index>(rows.size()), rows.empty() ? 0 : static_cast<Index>(rows.front().size()));
    for (Index r = 0; r < X.rows(); ++r)
        for (Index c = 0; c < X.cols(); ++c) X(r, c) = rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
    return X;
}

/// A forecast request's configuration object: {"num_samples": 50, "output_types": ["mean",
/// "quantiles", "samples"], "quantiles": ["0.1", "0.9"]} (levels as strings, as the platform
/// writes them, or numbers). An unknown key is refused, so that a typo is not silently ignored.
inline ForecastConfiguration forecast_configuration(const nlohmann::json& c, const std::string& where) {
    const auto fail = [&](const std::string& what) { throw data_error(errc::parse_error, where + ": " + what); };
    if (!c.is_object()) fail("expected an object {\"num_samples\", \"output_types\", \"quantiles\"}, got " + c.dump());
    ForecastConfiguration out;
    for (const auto& [key, value] : c.items()) {
        if (key == "num_samples") {
            if (!value.is_number_integer() || value.get<long long>() < 1 || value.get<long long>() > 1000000)
                fail("num_samples must be an integer in [1, 1000000], got " + value.dump());
            out.num_samples = value.get<int>();
        } else if (key == "output_types") {
            if (!value.is_array()) fail("output_types must be a list of names, got " + value.dump());
            out.output_types.emplace();
            for (const auto& name : value) {
                if (!name.is_string()) fail("output_types must be a list of names, got " + name.dump());
                out.output_types->push_back(name.get<std::string>());
            }
        } else if (key == "quantiles") {
            if (!value.is_array() || value.empty()) fail("quantiles must be a non-empty list of levels, got " + value.dump());
            for (const auto& level : value) {
                double q = 0;
                const bool parsed = level.is_number() ? (q = level.get<double>(), true)
                                    : level.is_string() && shelf::detail::parse_value(level.get<std::string>(), q);
                if (!parsed || !(q > 0 && q < 1)) fail("quantile " + level.dump() + " is not a level in (0, 1)");
                out.quantiles.push_back(q);
            }
        } else {
            fail("unknown key \"" + key + "\"; expected num_samples, output_types or quantiles");
        }
    }
    return out;
}

/// The platform's forecast request: {"instances": [series...], "configuration": {...}}. Each
/// instance is read as a JSON lines series; errors name it as "<file>: instance:<n>:<column>",
/// the column counted in the instance's compact form.
inline std::vector<Series<float>> series_request(std::string_view text, Index horizon, const std::string& source,
                                                 std::optional<ForecastConfiguration>& configuration) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw data_error(errc::parse_error, source + ": not valid JSON: " + e.what());
    }
    if (!doc.is_object() || !doc.contains("instances") || !doc["instances"].is_array())
        throw data_error(errc::parse_error, source + ": expected {\"instances\": [{\"start\": ..., \"target\": [...]}, ...], "
                                                     "\"configuration\": {...}}");
    if (doc.contains("configuration"))
        configuration = forecast_configuration(doc["configuration"], source + ": configuration");
    std::string lines;
    for (const auto& instance : doc["instances"]) lines += instance.dump() + '\n';
    JsonLinesOptions options;
    options.prediction_length = horizon;
    return parse_jsonlines<float>(lines, options, source + ": instance");
}

/// `m`, unless its dense form would not fit in this machine's memory: then an error naming the
/// row that holds the largest feature index (libsvm indices may be anything up to 2^63).
inline const SparseMatrix<float>& dense_enough(const SparseMatrix<float>& m, const std::string& source,
                                              const RowNames& row_name) {
    const double bytes = static_cast<double>(m.rows()) * static_cast<double>(m.cols()) * sizeof(float);
    const double memory = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    if (bytes <= memory) return m;
    Index row = 0;
    for (Index r = 0; r < m.outerSize(); ++r)
        for (SparseMatrix<float>::InnerIterator it(m, r); it; ++it)
            if (it.index() == m.cols() - 1) row = r;
    throw data_error(errc::shape_mismatch,
                     source + ": " + row_name(row) + " reaches feature column " + std::to_string(m.cols()) +
                         ": this algorithm reads dense rows, and " + std::to_string(m.rows()) + " rows of " +
                         std::to_string(m.cols()) + " features would take " + std::to_string(bytes / 1e9) +
                         " GB; number the features from 0 or 1 without gaps");
}

/// Each row's 1-based line in `text`, or none when row r is line r + 1: messages about rows
/// name the line a user finds in an editor, past blank lines (and, in libsvm, comment lines).
inline std::vector<std::int64_t> row_lines(std::string_view text, Index rows, Format format) {
    const auto breaks = static_cast<Index>(std::count(text.begin(), text.end(), '\n'));
    const Index lines = breaks + (!text.empty() && text.back() != '\n' ? 1 : 0);
    if (lines == rows) return {};
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(rows));
    std::int64_t line_no = 0;
    for (std::size_t at = 0; at < text.size() && static_cast<Index>(out.size()) < rows;) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        const std::string_view line = text.substr(at, end - at);
        ++line_no;
        at = end + 1;
        const auto first = line.find_first_not_of(" \t\r");
        const bool skipped = first == std::string_view::npos || (format == Format::libsvm && line[first] == '#');
        if (!skipped) out.push_back(line_no);
    }
    return out;
}

/// The readers' hints name their options (allow_missing, ...), which no flag reaches: the
/// command line says instead what the user can do.
inline data_error for_the_command_line(const data_error& e) {
    static const std::pair<const char*, const char*> hints[] = {
        {"(set allow_missing to read empty fields as NaN)",
         "(this algorithm needs a value in every feature, as scikit-learn's estimators do; of shelf's algorithms "
         "only xgboost reads missing values: impute them first, or train with --algorithm xgboost)"},
        {"(set allow_missing to read it as NaN)",
         "(this algorithm needs a value in every feature, as scikit-learn's estimators do; of shelf's algorithms "
         "only xgboost reads missing values: impute them first, or train with --algorithm xgboost)"},
        {"(set allow_infinite to accept it)", "(no algorithm learns from infinite values: replace them)"},
        {"(set skip_qid to ignore them)", "(shelf's algorithms do not rank: remove the qid:N tokens)"},
        {"(set read_labels = false for data without labels)",
         "(training, validation and test files carry each row's label first; only prediction input has none)"},
    };
    std::string what = e.message();
    for (const auto& [from, to] : hints)
        if (const auto at = what.find(from); at != std::string::npos) what.replace(at, std::strlen(from), to);
    return data_error(e.id(), what);
}

}  // namespace detail

/// Runs `read_or_check` (reading or checking one channel's file), naming the channel in any
/// data error it throws: "test channel: adult_test.csv: the label in line 13 is 2; ...".
template <class Work>
auto in_channel(const std::string& channel, Work&& read_or_check) -> decltype(read_or_check()) {
    try {
        return read_or_check();
    } catch (const data_error& e) {
        throw data_error(e.id(), channel + " channel: " + e.message());
    }
}

/// The format a --content-type names; without one, the file's extension (.libsvm/.svm,
/// .jsonl, .json), else its first line decides.
inline Format format_of(const std::string& content_type, const std::string& path, std::string_view text) {
    if (!content_type.empty()) {
        std::string t = content_type.substr(0, content_type.find(';'));
        if (io_detail::ascii_iequal(t, "application/json")) return Format::json;
        switch (format_from_content_type(content_type)) {
            case DataFormat::csv: return Format::csv;
            case DataFormat::libsvm: return Format::libsvm;
            case DataFormat::jsonlines: return Format::jsonlines;
        }
    }
    const auto dot = path.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    if (ext == "libsvm" || ext == "svm") return Format::libsvm;
    if (ext == "jsonl") return Format::jsonlines;
    if (ext == "json") return Format::json;
    return detail::sniff(text);
}

namespace detail {

inline Table read_any(const std::string& path, const std::string& content_type, const InputSpec& spec,
                        bool labelled, ChannelContract& contract) {
    Table table;
    table.source = path == "-" ? "<stdin>" : path;
    const io_detail::FileText file = detail::slurp(path);
    const std::string_view text = file;
    switch (format_of(content_type, path, text)) {
        case Format::csv: {
            CsvOptions options;
            options.has_label = labelled;
            options.allow_missing = spec.allow_missing;
            auto data = parse_csv<float>(text, options, table.source);
            table.X = std::move(data.features);
            table.y = std::move(data.labels);
            table.lines = row_lines(text, table.X.rows(), Format::csv);
            break;
        }
        case Format::libsvm: {
            LibsvmOptions options;
            options.read_labels = labelled;
            options.allow_missing = spec.allow_missing;
            options.index_base = contract.libsvm_index_base;
            if (contract.feature_count > 0) options.feature_dim = contract.feature_count;
            auto data = parse_libsvm<float>(text, options, table.source);
            if (contract.libsvm_index_base == IndexBase::detect) contract.libsvm_index_base = data.index_base;
            table.y = std::move(data.labels);
            table.lines = row_lines(text, data.features.rows(), Format::libsvm);
            if (spec.sparse)
                table.sparse = std::move(data.features);
            else
                table.X = densify(dense_enough(data.features, table.source, RowNames::file_lines(table.lines)),
                                  spec.allow_missing ? AbsentAs::nan : AbsentAs::zero);
            break;
        }
        case Format::jsonlines:
            if (spec.series) {
                JsonLinesOptions options;
                options.prediction_length = spec.series_horizon;
                table.series = parse_jsonlines<float>(text, options, table.source);
                break;
            }
            if (labelled)
                throw data_error(errc::parse_error, table.source + ": application/jsonlines training data holds time "
                                                                   "series, which only the forecaster reads; use "
                                                                   "text/csv or text/libsvm here");
            table.X = detail::feature_requests(text, table.source, false);
            break;
        case Format::json:
            if (labelled)
                throw data_error(errc::parse_error, table.source + ": application/json is an inference request "
                                                                   "format; train on text/csv or text/libsvm");
            if (spec.series)
                table.series = detail::series_request(text, spec.series_horizon, table.source, table.configuration);
            else
                table.X = detail::feature_requests(text, table.source, true);
            break;
    }
    if (table.X.rows() == 0 && (!table.sparse || table.sparse->rows() == 0) && table.series.empty())
        throw data_error(errc::empty_data, table.source + ": the file holds no rows");
    if (contract.feature_count < 0) contract.feature_count = table.sparse ? table.sparse->cols() : table.X.cols();
    return table;
}

}  // namespace detail

/// The configuration a batch forecast of JSON lines reads from the DEEPAR_INFERENCE_CONFIG
/// environment variable, as the platform's batch transform does; unset: none.
inline std::optional<ForecastConfiguration> environment_configuration() {
    const char* text = std::getenv("DEEPAR_INFERENCE_CONFIG");
    if (!text) return std::nullopt;
    try {
        return detail::forecast_configuration(nlohmann::json::parse(text), "DEEPAR_INFERENCE_CONFIG");
    } catch (const nlohmann::json::exception& e) {
        throw data_error(errc::parse_error, std::string("DEEPAR_INFERENCE_CONFIG: not valid JSON: ") + e.what());
    }
}

/// Reads `path` ("-": standard input); `labelled` says whether it carries labels (column 0 in
/// CSV). `contract` holds what training settled (on the training channel it is filled in).
inline Table read_table(const std::string& path, const std::string& content_type, const InputSpec& spec,
                        bool labelled, ChannelContract& contract) {
    try {
        return detail::read_any(path, content_type, spec, labelled, contract);
    } catch (const data_error& e) {
        throw detail::for_the_command_line(e);
    }
}

}  // namespace shelf::cli
