// shelf/core/params.hpp: hyperparameter plumbing shared by every family.
//
// A family's Params is a plain aggregate with documented defaults and one
// member template that lists its fields once:
//
//     template <class V> void visit(V&& v) {
//         v("k", k, Spec("number of clusters").at_least(1));
//         v("init_method", init_method, Spec("how initial centers are chosen"));
//     }
//
// That single list drives parsing of the platform's string form (from_map),
// range checks (validate), saving into model files (to_map) and the CLI's
// `shelf list` (describe). Supported field types: bool, integers, float,
// double, std::string, enums with an `enum_names` overload, std::vector of
// numbers, std::optional<T> where the platform accepts "auto", and AutoOrIgnore<T>
// where it also accepts "ignore".
#pragma once

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "error.hpp"

namespace shelf {

/// The documentation and allowed range of one hyperparameter.
class Spec {
public:
    explicit Spec(const char* doc) : doc_(doc) {}

    Spec& at_least(double lo) { lo_ = lo; lo_open_ = false; return *this; }
    Spec& greater_than(double lo) { lo_ = lo; lo_open_ = true; return *this; }
    Spec& at_most(double hi) { hi_ = hi; hi_open_ = false; return *this; }
    Spec& less_than(double hi) { hi_ = hi; hi_open_ = true; return *this; }
    Spec& between(double lo, double hi) { return at_least(lo).at_most(hi); }
    /// The platform requires a value: std::optional fields must then be set.
    Spec& required() { required_ = true; return *this; }
    /// Another name from_map accepts for this hyperparameter (XGBoost's `nthread`, `learning_rate`).
    Spec& alias(const char* name) { alias_ = name; return *this; }

    const char* doc() const { return doc_; }
    const char* alias() const { return alias_; }
    bool is_required() const { return required_; }
    bool bounded() const { return lo_ > -inf() || hi_ < inf(); }

    bool contains(double x) const {
        if (std::isnan(x)) return false;
        if (lo_open_ ? !(x > lo_) : !(x >= lo_)) return false;
        if (hi_open_ ? !(x < hi_) : !(x <= hi_)) return false;
        return true;
    }

    /// "in [1, 2048]", ">= 1", "in (0, 1]" ...
    std::string range_text() const {
        const bool has_lo = lo_ > -inf(), has_hi = hi_ < inf();
        if (has_lo && has_hi)
            return std::string("in ") + (lo_open_ ? "(" : "[") + number(lo_) + ", " + number(hi_) +
                   (hi_open_ ? ")" : "]");
        if (has_lo) return std::string(lo_open_ ? "> " : ">= ") + number(lo_);
        if (has_hi) return std::string(hi_open_ ? "< " : "<= ") + number(hi_);
        return "";
    }

private:
    static constexpr double inf() { return std::numeric_limits<double>::infinity(); }
    static std::string number(double x) {
        std::ostringstream out;
        out << x;
        return out.str();
    }

    const char* doc_;
    const char* alias_ = nullptr;
    double lo_ = -inf(), hi_ = inf();
    bool lo_open_ = false, hi_open_ = false;
    bool required_ = false;
};

/// A hyperparameter the platform accepts as a value, "auto" (fit resolves it from the training
/// data) or "ignore" (that kind of input is left out even where the data carries it), as
/// DeepAR's cardinality and num_dynamic_feat.
template <class T>
struct AutoOrIgnore {
    std::optional<T> value;  ///< unset and not ignored: auto
    bool ignored = false;

    bool is_auto() const noexcept { return !ignored && !value; }
    static AutoOrIgnore ignore() { return {std::nullopt, true}; }
};

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_auto_or_ignore : std::false_type {};
template <class T>
struct is_auto_or_ignore<AutoOrIgnore<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

inline std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

inline std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Edit distance, for "did you mean" suggestions.
inline std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

inline std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
    return out;
}

/// " (did you mean 'x'?)" when a candidate is close enough to be a likely typo.
inline std::string suggestion(const std::string& given, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(lower(given), lower(c));
        if (d < best_distance) best_distance = d, best = c;
    }
    if (best.empty() || best_distance > std::max<std::size_t>(2, given.size() / 3)) return "";
    return " (did you mean '" + best + "'?)";
}

[[noreturn]] inline void bad_value(const std::string& family, const std::string& name,
                                   const std::string& text, const std::string& expected) {
    throw invalid_argument(errc::bad_value, family + ": hyperparameter " + name + " = '" + text +
                                                "' is not valid; expected " + expected);
}

// ---- one field to and from the platform's string form ---------------------

inline std::string format_value(bool v) { return v ? "true" : "false"; }
inline std::string format_value(const std::string& v) { return v; }
/// Numbers in their shortest form that reads back exactly (0.3, not 0.29999999999999999).
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
std::string format_value(T v) {
    char text[64];
    const auto end = std::to_chars(text, text + sizeof text, v).ptr;
    return std::string(text, end);
}
template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
std::string format_value(E v) {
    for (const auto& [value, name] : enum_names(E{}))
        if (value == v) return name;
    return std::to_string(static_cast<long long>(v));
}
template <class T>
std::string format_value(const std::vector<T>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + format_value(v[i]);
    return out + "]";
}
template <class T>
std::string format_value(const std::optional<T>& v) {
    return v ? format_value(*v) : "auto";
}
template <class T>
std::string format_value(const AutoOrIgnore<T>& v) {
    return v.ignored ? "ignore" : format_value(v.value);
}

template <class T>
const char* type_name() {
    if constexpr (std::is_same_v<T, bool>) return "bool";
    else if constexpr (std::is_integral_v<T>) return "integer";
    else if constexpr (std::is_floating_point_v<T>) return "number";
    else if constexpr (std::is_same_v<T, std::string>) return "string";
    else if constexpr (std::is_enum_v<T>) return "choice";
    else if constexpr (is_vector<T>::value) return "list";
    else if constexpr (is_optional<T>::value) return type_name<typename T::value_type>();
    else if constexpr (is_auto_or_ignore<T>::value) return type_name<decltype(T::value)>();
    else return "value";
}

/// Parses `text` into `out`; false when it does not parse.
inline bool parse_value(const std::string& text, bool& out) {
    const std::string t = lower(text);
    if (t == "true" || t == "1") return out = true, true;
    if (t == "false" || t == "0") return out = false, true;
    return false;
}
inline bool parse_value(const std::string& text, std::string& out) { return out = text, true; }
template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
bool parse_value(const std::string& text, T& out) {
    if (text.empty()) return false;
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v < static_cast<long long>(std::numeric_limits<T>::min()) ||
        v > static_cast<long long>(std::numeric_limits<T>::max()))
        return false;
    out = static_cast<T>(v);
    return true;
}
template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
bool parse_value(const std::string& text, T& out) {
    if (text.empty()) return false;
    // from_chars, unlike strtod, ignores the C locale (a "1,5" locale must not change "1.5").
    const char* first = text.c_str() + (text.front() == '+' ? 1 : 0);
    const char* last = text.c_str() + text.size();
    double v = 0;
    const auto [at, error] = std::from_chars(first, last, v);
    if (error != std::errc{} || at != last || !std::isfinite(v)) return false;
    out = static_cast<T>(v);
    return true;
}
template <class E, std::enable_if_t<std::is_enum_v<E>, int> = 0>
bool parse_value(const std::string& text, E& out) {
    for (const auto& [value, name] : enum_names(E{}))
        if (lower(text) == lower(name)) return out = value, true;
    return false;
}
/// Lists: "[0.1, 0.5]", "(1,-1,0)" or "0.1,0.5".
template <class T>
bool parse_value(const std::string& text, std::vector<T>& out) {
    std::string body = trim(text);
    if (!body.empty() && (body.front() == '[' || body.front() == '(')) {
        const char close = body.front() == '[' ? ']' : ')';
        if (body.back() != close) return false;
        body = trim(body.substr(1, body.size() - 2));
    }
    std::vector<T> values;
    std::size_t start = 0;
    while (!body.empty() && start <= body.size()) {
        const std::size_t comma = std::min(body.find(',', start), body.size());
        std::string item = trim(body.substr(start, comma - start));
        if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);  // JSON form
        T v{};
        if (!parse_value(item, v)) return false;
        values.push_back(v);
        start = comma + 1;
    }
    out = std::move(values);
    return true;
}
template <class T>
bool parse_value(const std::string& text, std::optional<T>& out) {
    if (lower(text) == "auto") return out.reset(), true;
    T v{};
    if (!parse_value(text, v)) return false;
    out = v;
    return true;
}
template <class T>
bool parse_value(const std::string& text, AutoOrIgnore<T>& out) {
    if (lower(text) == "ignore") return out = AutoOrIgnore<T>::ignore(), true;
    out.ignored = false;
    return parse_value(text, out.value);
}

template <class T>
std::string expected_text(const Spec& spec) {
    if constexpr (is_optional<T>::value) {
        return (spec.is_required() ? "" : "'auto' or ") + expected_text<typename T::value_type>(spec);
    } else if constexpr (is_auto_or_ignore<T>::value) {
        return "'auto', 'ignore' or " + expected_text<typename decltype(T::value)::value_type>(spec);
    } else if constexpr (std::is_enum_v<T>) {
        std::vector<std::string> names;
        for (const auto& entry : enum_names(T{})) names.emplace_back(entry.second);
        return "one of " + join(names);
    } else if constexpr (is_vector<T>::value) {
        if constexpr (std::is_enum_v<typename T::value_type>)
            return "a list, each " + expected_text<typename T::value_type>(spec);
        return std::string("a list of ") + type_name<typename T::value_type>() + "s like [1, 2]";
    } else {
        std::string range = spec.range_text();
        return std::string(std::is_same_v<T, bool> ? "true or false" : type_name<T>()) +
               (range.empty() ? "" : " " + range);
    }
}

/// " (did you mean 'x'?)" for a misspelt choice of an enum (or optional enum) field.
template <class T>
std::string choice_hint(const std::string& text) {
    if constexpr (is_optional<T>::value) {
        return choice_hint<typename T::value_type>(text);
    } else if constexpr (std::is_enum_v<T>) {
        std::vector<std::string> names;
        for (const auto& entry : enum_names(T{})) names.emplace_back(entry.second);
        return suggestion(trim(text), names);
    } else {
        return "";
    }
}

// ---- the visitors ----------------------------------------------------------

struct Assigner {
    const std::string& family;
    const std::string& key;
    const std::string& text;
    bool found = false;

    template <class T>
    void operator()(const char* name, T& field, const Spec& spec) {
        if (found || (key != name && !(spec.alias() && key == spec.alias()))) return;
        found = true;
        if (!parse_value(trim(text), field)) bad_value(family, key, text, expected_text<T>(spec) + choice_hint<T>(text));
    }
};

struct NameCollector {
    std::vector<std::string> names;
    template <class T>
    void operator()(const char* name, T&, const Spec&) { names.emplace_back(name); }
};

/// The canonical name of `key` (itself, or the field it is an alias of); empty when unknown.
struct CanonicalName {
    const std::string& key;
    std::string name;
    template <class T>
    void operator()(const char* field, T&, const Spec& spec) {
        if (key == field || (spec.alias() && key == spec.alias())) name = field;
    }
};

struct RangeChecker {
    const std::string& family;

    template <class T>
    void check(const char* name, const T& value, const Spec& spec) const {
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
            if (!spec.contains(static_cast<double>(value)))
                throw invalid_argument(errc::out_of_range, family + ": hyperparameter " + name + " = " +
                                                               format_value(value) + " is out of range; expected " +
                                                               expected_text<T>(spec));
        } else if constexpr (is_vector<T>::value) {
            for (const auto& item : value) check(name, item, spec);
        }
    }

    template <class T>
    void operator()(const char* name, const T& value, const Spec& spec) const {
        if constexpr (is_optional<T>::value) {
            if (!value) {
                if (spec.is_required())
                    throw invalid_argument(errc::missing_parameter,
                                           family + ": hyperparameter " + name + " is required (" + spec.doc() + ")");
                return;
            }
            check(name, *value, spec);
        } else if constexpr (is_auto_or_ignore<T>::value) {
            if (value.value) check(name, *value.value, spec);
        } else {
            check(name, value, spec);
        }
    }
};

}  // namespace detail

/// One hyperparameter as `shelf list` shows it.
struct ParamInfo {
    std::string name, type, value, doc, expected;
    bool required = false;
};

/// The names of P's hyperparameters, in declaration order.
template <class P>
std::vector<std::string> param_names() {
    P params{};
    detail::NameCollector collector;
    params.visit(collector);
    return collector.names;
}

/// Sets the hyperparameters named in `values` (the platform's string form) on top of
/// `base`. Unknown names and unparsable values throw invalid_argument; ranges are
/// checked by the family's validate(), which this calls last.
template <class P>
P from_map(const std::map<std::string, std::string>& values, P base = P{}) {
    const std::string family = P::family;
    std::map<std::string, std::string> given;  // canonical name -> the key it was given as
    for (const auto& entry : values) {
        detail::CanonicalName canonical{entry.first, {}};
        base.visit(canonical);
        if (canonical.name.empty()) continue;  // reported below, with suggestions
        const auto [at, fresh] = given.emplace(canonical.name, entry.first);
        if (!fresh)
            throw invalid_argument(errc::inconsistent, family + ": hyperparameter " + canonical.name +
                                                           " is given twice (as " + at->second + " and " +
                                                           entry.first + ")");
    }
    for (const auto& [key, text] : values) {
        detail::Assigner assigner{family, key, text};
        base.visit(assigner);
        if (!assigner.found) {
            const auto names = param_names<P>();
            throw invalid_argument(errc::unknown_parameter, family + ": unknown hyperparameter '" + key + "'" +
                                                                detail::suggestion(key, names) +
                                                                "; valid names: " + detail::join(names));
        }
    }
    base.validate();
    return base;
}

/// Range and required checks for every field of P (families add cross-field checks).
template <class P>
void check_ranges(const P& params) {
    detail::RangeChecker checker{P::family};
    const_cast<P&>(params).visit(checker);  // the checker only reads
}

/// The hyperparameters as strings, e.g. for the model file.
template <class P>
std::map<std::string, std::string> to_map(const P& params) {
    std::map<std::string, std::string> out;
    const_cast<P&>(params).visit([&out](const char* name, const auto& value, const Spec&) {
        out[name] = detail::format_value(value);
    });
    return out;
}

/// Name, type, current value, documentation and allowed range of each hyperparameter.
template <class P>
std::vector<ParamInfo> describe(const P& params = P{}) {
    std::vector<ParamInfo> out;
    const_cast<P&>(params).visit([&out](const char* name, const auto& value, const Spec& spec) {
        using T = std::decay_t<decltype(value)>;
        out.push_back({name, detail::type_name<T>(), detail::format_value(value), spec.doc(),
                       detail::expected_text<T>(spec), spec.is_required()});
    });
    return out;
}

/// The hyperparameters a model file stored (as written by to_map): values that no longer parse
/// or validate mean a damaged file, so they are a model_error, not an invalid_argument.
template <class P>
P params_from_model(const std::map<std::string, std::string>& stored) {
    try {
        return from_map<P>(stored);
    } catch (const invalid_argument& e) {
        throw model_error(errc::malformed,
                          std::string("the ") + P::family + " model's hyperparameters are invalid: " + e.what());
    }
}

}  // namespace shelf
