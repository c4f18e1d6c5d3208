// shelf/core/model_fields.hpp: a model lists what it stores once; saving, loading and
// comparing by content follow.
//
//     template <class Self, class Fields>
//     static void fields(Self& m, Fields& f) {
//         f.params(m.params_);                      // the resolved hyperparameters
//         f("centers", m.centers_);                 // Eigen matrices and vectors, std::vectors, numbers
//         f("report.iterations", m.report_.iterations);
//         f.records("report", m.report_.models,     // a vector of records: an array per member
//                   [](auto& c, auto& field) { field("loss", c.loss); field("epochs", c.epochs); });
//         f.ragged("tree_offsets", m.trees_,        // records of vectors: each member concatenated,
//                  [](auto& t, auto& field) { field("left", t.left); });  // with the records' offsets
//     }
//
//     void save(std::ostream& out) const { save_model(*this, out); }
//     static Model load(std::istream& in) { Model m; load_model(m, in); m.check_loaded(); return m; }
//     friend bool operator==(const Model& a, const Model& b) { return same_model(a, b); }
//
// Numbers are stored as their own type (bool as a byte), in the container of serialize.hpp.
// load_model checks the container and the element types; the model then checks shapes
// against its hyperparameters and refuses any disagreement with model_error(malformed).
#pragma once

#include <any>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "params.hpp"
#include "serialize.hpp"

namespace shelf {

namespace detail {

/// Flags are stored as bytes; every other number as its own type.
template <class X>
using stored_t = std::conditional_t<std::is_same_v<X, bool>, std::uint8_t, X>;

template <class X>
constexpr bool is_dense_v = std::is_base_of_v<Eigen::EigenBase<X>, X>;

/// Appends members of records to one column each: `field(name, value)` or `field(name, vector)`.
class ColumnAppender {
public:
    template <class X>
    void operator()(const std::string& name, const X& x) {
        if constexpr (is_vector<X>::value) {
            for (const auto& v : x) append(name, v);
            count_ = x.size();
        } else {
            append(name, x);
        }
    }
    std::size_t count() const { return count_; }
    template <class F>
    void each(F&& f) const {
        for (const auto& [name, column] : columns_) f(name, column);
    }

private:
    template <class X>
    void append(const std::string& name, const X& x) {
        std::any& column = columns_[name];
        if (!column.has_value()) column = std::vector<stored_t<X>>();
        std::any_cast<std::vector<stored_t<X>>&>(column).push_back(static_cast<stored_t<X>>(x));
    }
    std::map<std::string, std::any> columns_;
    std::size_t count_ = 0;
};

class FieldWriter {
public:
    explicit FieldWriter(ModelWriter& w) : w_(w) {}

    template <class P>
    void params(const P& p) { w_.params(to_map(p)); }

    template <class X>
    void operator()(const std::string& name, const X& x) {
        if constexpr (is_dense_v<X>)
            w_.matrix(name, x);
        else if constexpr (is_vector<X>::value)
            w_.array(name, std::vector<stored_t<typename X::value_type>>(x.begin(), x.end()));
        else
            w_.scalar(name, static_cast<stored_t<X>>(x));
    }

    template <class Record, class Members>
    void records(const std::string& prefix, const std::vector<Record>& all, Members members) {
        ColumnAppender columns;
        for (const Record& r : all) members(r, columns);
        write_columns(prefix + ".", columns);
        w_.scalar(prefix + ".count", static_cast<std::int64_t>(all.size()));
    }

    template <class Record, class Members>
    void ragged(const std::string& offsets_name, const std::vector<Record>& all, Members members) {
        ColumnAppender columns;
        std::vector<std::uint64_t> offsets{0};
        for (const Record& r : all) {
            members(r, columns);
            offsets.push_back(offsets.back() + columns.count());
        }
        write_columns("", columns);
        w_.array(offsets_name, offsets);
    }

private:
    void write_columns(const std::string& prefix, const ColumnAppender& columns) {
        columns.each([&](const std::string& name, const std::any& column) {
            if (!visit_column(column, [&](const auto& values) { w_.array(prefix + name, values); }))
                throw model_error(errc::malformed, "unsupported column type for '" + name + "'");
        });
    }

    template <class F>
    static bool visit_column(const std::any& column, F&& f) {
        return try_column<double>(column, f) || try_column<float>(column, f) || try_column<std::int64_t>(column, f) ||
               try_column<std::int32_t>(column, f) || try_column<std::uint64_t>(column, f) ||
               try_column<std::uint32_t>(column, f) || try_column<std::uint16_t>(column, f) ||
               try_column<std::uint8_t>(column, f);
    }
    template <class S, class F>
    static bool try_column(const std::any& column, F& f) {
        if (const auto* values = std::any_cast<std::vector<S>>(&column)) return f(*values), true;
        return false;
    }

    ModelWriter& w_;
};

/// Reads member `name` of record `index` from its stored column (read once, then cached).
class ColumnReader {
public:
    ColumnReader(const ModelReader& r, std::string prefix) : r_(r), prefix_(std::move(prefix)) {}

    void at(std::size_t begin, std::size_t end) { begin_ = begin, end_ = end; }

    template <class X>
    void operator()(const std::string& name, X& x) {
        if constexpr (is_vector<X>::value) {
            const auto& column = values<stored_t<typename X::value_type>>(name);
            if (end_ > column.size()) malformed(name);
            x.assign(column.begin() + static_cast<std::ptrdiff_t>(begin_), column.begin() + static_cast<std::ptrdiff_t>(end_));
        } else {
            const auto& column = values<stored_t<X>>(name);
            if (begin_ >= column.size()) malformed(name);
            x = static_cast<X>(column[begin_]);
        }
    }

private:
    template <class S>
    const std::vector<S>& values(const std::string& name) {
        std::any& cached = cache_[name];
        if (!cached.has_value()) cached = r_.values<S>(prefix_ + name);
        return std::any_cast<const std::vector<S>&>(cached);
    }
    [[noreturn]] void malformed(const std::string& name) const {
        throw model_error(errc::malformed, "the " + r_.family() + " model's array '" + prefix_ + name + "' is too short");
    }

    const ModelReader& r_;
    std::string prefix_;
    std::map<std::string, std::any> cache_;
    std::size_t begin_ = 0, end_ = 0;
};

class FieldReader {
public:
    explicit FieldReader(const ModelReader& r) : r_(r) {}

    template <class P>
    void params(P& p) { p = params_from_model<P>(r_.params()); }

    template <class X>
    void operator()(const std::string& name, X& x) {
        if constexpr (is_dense_v<X>) {
            using S = typename X::Scalar;
            const auto& shape = r_.shape(name);
            if (shape.size() != 2 || (X::ColsAtCompileTime == 1 && shape[1] != 1))
                throw model_error(errc::malformed, "the " + r_.family() + " model's array '" + name + "' has the wrong rank");
            x = r_.matrix<S>(name);
        } else if constexpr (is_vector<X>::value) {
            auto values = r_.values<stored_t<typename X::value_type>>(name);
            if constexpr (std::is_same_v<decltype(values), X>) {
                x = std::move(values);
            } else {
                x.assign(values.begin(), values.end());
            }
        } else {
            x = static_cast<X>(r_.scalar<stored_t<X>>(name));
        }
    }

    template <class Record, class Members>
    void records(const std::string& prefix, std::vector<Record>& all, Members members) {
        const auto count = r_.scalar<std::int64_t>(prefix + ".count");
        if (count < 0 || static_cast<std::uint64_t>(count) > r_.body_size())  // a record takes a byte at least
            throw model_error(errc::malformed, "the " + r_.family() + " model's " + prefix + ".count is invalid");
        ColumnReader columns(r_, prefix + ".");
        all.assign(static_cast<std::size_t>(count), Record{});
        for (std::size_t i = 0; i < all.size(); ++i) {
            columns.at(i, i + 1);
            members(all[i], columns);
        }
    }

    template <class Record, class Members>
    void ragged(const std::string& offsets_name, std::vector<Record>& all, Members members) {
        const auto offsets = r_.values<std::uint64_t>(offsets_name);
        if (offsets.empty() || offsets.front() != 0)
            throw model_error(errc::malformed, "the " + r_.family() + " model's " + offsets_name + " are invalid");
        ColumnReader columns(r_, "");
        all.assign(offsets.size() - 1, Record{});
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (offsets[i + 1] < offsets[i])
                throw model_error(errc::malformed, "the " + r_.family() + " model's " + offsets_name + " decrease");
            columns.at(static_cast<std::size_t>(offsets[i]), static_cast<std::size_t>(offsets[i + 1]));
            members(all[i], columns);
        }
    }

private:
    const ModelReader& r_;
};

/// The family tag of a model: its params()' `family`.
template <class M>
const char* family_of() {
    return std::decay_t<decltype(std::declval<const M&>().params())>::family;
}

}  // namespace detail

/// Writes `model` (family tag, scalar type, its fields) as one checksummed container.
template <class M>
void save_model(const M& model, std::ostream& out) {
    ModelWriter w(detail::family_of<M>(), scalar_type_of<typename M::Scalar>());
    detail::FieldWriter fields(w);
    M::fields(model, fields);
    w.write(out);
}

/// Reads a container written by save_model into `model`, checking family, scalar type and every
/// field's presence and element type; shapes against hyperparameters are the model's to check.
template <class M>
void load_model(M& model, const ModelReader& r) {
    r.expect(detail::family_of<M>(), scalar_type_of<typename M::Scalar>());
    detail::FieldReader fields(r);
    M::fields(model, fields);
}

template <class M>
void load_model(M& model, std::istream& in) {
    load_model(model, ModelReader(in));
}

/// Equal by content: the same hyperparameters and bit-identical fields.
template <class M>
bool same_model(const M& a, const M& b) {
    std::ostringstream x, y;
    save_model(a, x);
    save_model(b, y);
    return x.str() == y.str();
}

}  // namespace shelf
