// Writing predictions: one JSON object per row, or the same values as CSV.
#pragma once

#include <charconv>
#include <cmath>
#include <ostream>
#include <string>

#include "algorithm.hpp"

namespace shelf::cli {

/// Shortest text that reads back to the same float (models in the CLI are float).
inline void append_number(std::string& out, double value, bool integer) {
    char buffer[32];
    if (!std::isfinite(value)) {  // JSON has no NaN; the platform writes it as a string
        out += std::isnan(value) ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        return;
    }
    const auto result = integer ? std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value))
                                : std::to_chars(buffer, buffer + sizeof buffer, static_cast<float>(value));
    out.append(buffer, result.ptr);
}

inline Index output_rows(const Outputs& outputs) { return outputs.empty() ? 0 : outputs.front().values.rows(); }

/// The group of a field named "group.key" ("quantiles.0.1"), or "" for a plain name.
inline std::string field_group(const std::string& name) {
    const std::size_t dot = name.find('.');
    return dot == std::string::npos ? std::string() : name.substr(0, dot);
}

/// Appends row r as one JSON object: {"closest_cluster": 3, "distance_to_cluster": 1.25}. Fields
/// named "group.key" in a run nest as one object: {"quantiles": {"0.1": [..], "0.9": [..]}}; a
/// field with a sublist width is a list of lists: {"samples": [[..], [..]]}.
inline void append_row_object(std::string& line, const Outputs& outputs, Index r) {
    line += '{';
    std::string open_group;
    for (std::size_t f = 0; f < outputs.size(); ++f) {
        const Output& o = outputs[f];
        const std::string group = field_group(o.name);
        if (!open_group.empty() && group != open_group) line += '}';
        if (f) line += ", ";
        if (!group.empty() && group != open_group) line += "\"" + group + "\": {";
        open_group = group;
        line += "\"" + (group.empty() ? o.name : o.name.substr(group.size() + 1)) + "\": ";
        const bool as_list = o.list || o.values.cols() != 1;
        if (as_list) line += '[';
        for (Index c = 0; c < o.values.cols(); ++c) {
            const bool opens = o.sublist > 0 && c % o.sublist == 0;
            if (c) line += opens ? "], " : ", ";
            if (opens) line += '[';
            append_number(line, o.values(r, c), o.integer);
        }
        if (o.sublist > 0 && o.values.cols() > 0) line += ']';
        if (as_list) line += ']';
    }
    if (!open_group.empty()) line += '}';
    line += '}';
}

/// One JSON object per row and line (application/jsonlines).
inline void write_json_lines(std::ostream& out, const Outputs& outputs) {
    std::string line;
    for (Index r = 0; r < output_rows(outputs); ++r) {
        line.clear();
        append_row_object(line, outputs, r);
        line += '\n';
        out << line;
    }
}

/// The platform's application/json response: {"predictions": [{...}, {...}]}.
inline void write_json_document(std::ostream& out, const Outputs& outputs) {
    std::string text = "{\"predictions\": [";
    for (Index r = 0; r < output_rows(outputs); ++r) {
        if (r) text += ", ";
        append_row_object(text, outputs, r);
    }
    out << text << "]}\n";
}

/// The same values, one CSV row per input row, fields in order and lists spread over their
/// columns (text/csv): multi:softprob writes the class probabilities, then predicted_label.
inline void write_csv_rows(std::ostream& out, const Outputs& outputs) {
    std::string line;
    for (Index r = 0; r < output_rows(outputs); ++r) {
        line.clear();
        for (const Output& o : outputs)
            for (Index c = 0; c < o.values.cols(); ++c) {
                if (!line.empty()) line += ',';
                append_number(line, o.values(r, c), o.integer);
            }
        line += '\n';
        out << line;
    }
}

}  // namespace shelf::cli
