// shelf/factorization/one_hot.hpp: (user, item, side features) records as a factorization
// machine's one-hot CSR rows, with the feature groups MCMC's priors take (Params::group_sizes).
//
//     shelf::fm::OneHotLayout layout{943, 1682, {21}, true};   // users, items, an occupation field, implicit feedback
//     auto rated = shelf::fm::rated_items(layout.users, user, item);   // from the training records
//     auto X = shelf::fm::one_hot<float>(layout, user, item, occupation, rated);
//     params.group_sizes = layout.group_sizes();
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "params.hpp"
#include "shelf/core/error.hpp"
#include "shelf/core/types.hpp"

namespace shelf::fm {

/// Where each field's one-hot block lies: users, then items, then each categorical side field,
/// then (with implicit_feedback) the items the row's user rated, each 1/√(their count): SVD++'s
/// implicit term |N(u)|^-½ Σ_{j∈N(u)} y_j in factorization-machine form (Rendle 2012, section 6).
struct OneHotLayout {
    Index users = 0;
    Index items = 0;
    std::vector<Index> side_levels;  ///< per side field, its number of levels
    bool implicit_feedback = false;

    /// The blocks' sizes, in order: Params::group_sizes.
    std::vector<std::int64_t> group_sizes() const {
        std::vector<std::int64_t> sizes{users, items};
        sizes.insert(sizes.end(), side_levels.begin(), side_levels.end());
        if (implicit_feedback) sizes.push_back(items);
        return sizes;
    }
    Index feature_dim() const {
        Index d = 0;
        for (const std::int64_t size : group_sizes()) d += size;
        return d;
    }
};

/// Per user, the distinct items of records (user[r], item[r]), sorted: implicit feedback's sets.
inline std::vector<std::vector<Index>> rated_items(Index users, const std::vector<Index>& user,
                                                   const std::vector<Index>& item) {
    const std::string who = std::string(Params::family) + " rated_items";
    if (user.size() != item.size())
        throw data_error(errc::shape_mismatch, who + ": " + std::to_string(user.size()) + " users but " +
                                                   std::to_string(item.size()) + " items");
    std::vector<std::vector<Index>> rated(static_cast<std::size_t>(users));
    for (std::size_t r = 0; r < user.size(); ++r) {
        if (user[r] < 0 || user[r] >= users)
            throw data_error(errc::shape_mismatch, who + ": record " + std::to_string(r) + " has user " +
                                                       std::to_string(user[r]) + "; users are 0 .. " +
                                                       std::to_string(users - 1));
        rated[static_cast<std::size_t>(user[r])].push_back(item[r]);
    }
    for (auto& items : rated) {
        std::sort(items.begin(), items.end());
        items.erase(std::unique(items.begin(), items.end()), items.end());
    }
    return rated;
}

/// One CSR row per record r: user[r], item[r] and, for each side field f, level side(r, f), each
/// 1 in its block; with implicit feedback, rated[user[r]]'s items (sorted and distinct, as
/// rated_items gives them, from the training records for test rows too) each 1/√(their count).
/// Indices outside a block are refused, naming the record and field.
template <class T>
SparseMatrix<T> one_hot(const OneHotLayout& layout, const std::vector<Index>& user, const std::vector<Index>& item,
                        const RowMatrix<Index>& side = {}, const std::vector<std::vector<Index>>& rated = {}) {
    const std::string who = std::string(Params::family) + " one_hot";
    const auto n = static_cast<Index>(user.size());
    const auto fields = static_cast<Index>(layout.side_levels.size());
    if (static_cast<Index>(item.size()) != n || (fields > 0 && (side.rows() != n || side.cols() != fields)))
        throw data_error(errc::shape_mismatch, who + ": " + std::to_string(n) + " users, " +
                                                   std::to_string(item.size()) + " items and side fields " +
                                                   std::to_string(side.rows()) + " x " + std::to_string(side.cols()) +
                                                   "; expected one of each per record and " +
                                                   std::to_string(fields) + " side fields");
    if (layout.implicit_feedback && static_cast<Index>(rated.size()) != layout.users)
        throw data_error(errc::shape_mismatch, who + ": implicit feedback needs the rated items of each of the " +
                                                   std::to_string(layout.users) + " users; got " +
                                                   std::to_string(rated.size()));
    const auto check = [&](Index r, const char* field, Index value, Index size) {
        if (value < 0 || value >= size)
            throw data_error(errc::shape_mismatch, who + ": record " + std::to_string(r) + " has " + field + " " +
                                                       std::to_string(value) + "; expected 0 .. " +
                                                       std::to_string(size - 1));
    };
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> per_row(n);
    for (Index r = 0; r < n; ++r) {
        check(r, "user", user[static_cast<std::size_t>(r)], layout.users);
        check(r, "item", item[static_cast<std::size_t>(r)], layout.items);
        for (Index f = 0; f < fields; ++f) check(r, "side level", side(r, f), layout.side_levels[static_cast<std::size_t>(f)]);
        per_row[r] = 2 + fields +
                     (layout.implicit_feedback
                          ? static_cast<std::int64_t>(rated[static_cast<std::size_t>(user[static_cast<std::size_t>(r)])].size())
                          : 0);
    }
    SparseMatrix<T> X(n, layout.feature_dim());
    X.reserve(per_row);
    for (Index r = 0; r < n; ++r) {
        // Blocks in order, each entry's column above the last: insert appends.
        const Index u = user[static_cast<std::size_t>(r)];
        X.insert(r, u) = T(1);
        Index first = layout.users;
        X.insert(r, first + item[static_cast<std::size_t>(r)]) = T(1);
        first += layout.items;
        for (Index f = 0; f < fields; ++f) {
            X.insert(r, first + side(r, f)) = T(1);
            first += layout.side_levels[static_cast<std::size_t>(f)];
        }
        if (!layout.implicit_feedback) continue;
        const std::vector<Index>& items = rated[static_cast<std::size_t>(u)];
        const T weight = items.empty() ? T(0) : T(1 / std::sqrt(double(items.size())));
        for (const Index j : items) {
            check(r, "rated item", j, layout.items);
            X.insert(r, first + j) = weight;
        }
    }
    X.makeCompressed();
    return X;
}

}  // namespace shelf::fm
