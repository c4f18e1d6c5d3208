// shelf/core/registry.hpp: named plug-ins (objectives, losses, metrics, likelihoods), found by name.
//
// A registry is any fixed range of entries that carry a name: structs with a `name` member
// (gbt's ObjectiveInfo) or (value, name) pairs (the enum tables of every Params). One lookup
// serves them all: a miss lists the valid names with a "did you mean", and tests iterate the
// range to hold every entry to its contract.
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "error.hpp"
#include "params.hpp"

namespace shelf {

namespace detail {

template <class E, class = void>
struct has_name_member : std::false_type {};
template <class E>
struct has_name_member<E, std::void_t<decltype(std::declval<const E&>().name)>> : std::true_type {};

}  // namespace detail

/// The name of a registry entry: its `name` member, or the second of a (value, name) pair.
template <class Entry>
const char* entry_name(const Entry& e) {
    if constexpr (detail::has_name_member<Entry>::value)
        return e.name;
    else
        return e.second;
}

/// Every entry's name, in registry order.
template <class Range>
std::vector<std::string> names_of(const Range& entries) {
    std::vector<std::string> names;
    for (const auto& e : entries) names.emplace_back(entry_name(e));
    return names;
}

/// The entry called `name`. A miss throws invalid_argument(bad_value): "<what> 'name' (did you
/// mean '...'?); valid: a, b, c", where `what` reads like "xgboost: unknown objective".
template <class Range>
const auto& find_named(const Range& entries, const std::string& name, const std::string& what) {
    for (const auto& e : entries)
        if (name == entry_name(e)) return e;
    const auto names = names_of(entries);
    throw invalid_argument(errc::bad_value, what + " '" + name + "'" + detail::suggestion(name, names) +
                                                "; valid: " + detail::join(names));
}

}  // namespace shelf
