// tests/metrics/fixture.hpp: reads the reference values tests/reference/gen_metrics.py
// computed with scikit-learn, and compares against them.
//
// File format: "[case name]" starts a case, "key = v1 v2 ..." adds values,
// "#" starts a comment line. Values are doubles written to round-trip exactly.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "shelf/core/types.hpp"

namespace fixture {

class Case {
public:
    std::string name;
    std::map<std::string, std::vector<double>> values;

    bool has(const std::string& key) const { return values.count(key) != 0; }

    const std::vector<double>& all(const std::string& key) const {
        const auto it = values.find(key);
        if (it == values.end()) throw std::runtime_error("fixture case [" + name + "] has no key " + key);
        return it->second;
    }
    double scalar(const std::string& key) const {
        const auto& v = all(key);
        if (v.size() != 1) throw std::runtime_error("fixture key " + key + " in [" + name + "] is not a scalar");
        return v[0];
    }
    template <class T = double>
    shelf::Vector<T> vec(const std::string& key) const {
        const auto& v = all(key);
        shelf::Vector<T> out(static_cast<shelf::Index>(v.size()));
        for (std::size_t i = 0; i < v.size(); ++i) out[static_cast<shelf::Index>(i)] = static_cast<T>(v[i]);
        return out;
    }
    template <class T = double>
    std::vector<T> list(const std::string& key) const {
        const auto& v = all(key);
        return std::vector<T>(v.begin(), v.end());
    }
    /// A row-major matrix stored flat, with `cols` columns.
    template <class T = double>
    shelf::RowMatrix<T> mat(const std::string& key, shelf::Index cols) const {
        const auto& v = all(key);
        const auto rows = static_cast<shelf::Index>(v.size()) / cols;
        if (rows * cols != static_cast<shelf::Index>(v.size()))
            throw std::runtime_error("fixture key " + key + " does not have " + std::to_string(cols) + " columns");
        shelf::RowMatrix<T> out(rows, cols);
        for (shelf::Index i = 0; i < rows; ++i)
            for (shelf::Index j = 0; j < cols; ++j) out(i, j) = static_cast<T>(v[static_cast<std::size_t>(i * cols + j)]);
        return out;
    }
};

/// All cases of one file under tests/reference/metrics, in file order.
inline const std::vector<Case>& load(const std::string& file) {
    static std::map<std::string, std::vector<Case>> cache;
    const auto found = cache.find(file);
    if (found != cache.end()) return found->second;
    const std::string path = std::string(SHELF_TEST_DATA_DIR) + "/metrics/" + file;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open fixture " + path + " (regenerate with gen_metrics.py)");
    std::vector<Case> cases;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.front() == '[' && line.back() == ']') {
            cases.push_back(Case{line.substr(1, line.size() - 2), {}});
            continue;
        }
        const auto eq = line.find(" = ");
        if (eq == std::string::npos || cases.empty()) throw std::runtime_error("bad fixture line in " + path + ": " + line);
        std::vector<double> v;
        const char* p = line.c_str() + eq + 3;
        char* end = nullptr;
        for (double x = std::strtod(p, &end); end != p; x = std::strtod(p, &end)) {
            v.push_back(x);
            p = end;
        }
        cases.back().values[line.substr(0, eq)] = v;
    }
    return cache[file] = cases;
}

inline const Case& get(const std::string& file, const std::string& name) {
    for (const Case& c : load(file))
        if (c.name == name) return c;
    throw std::runtime_error("fixture " + file + " has no case [" + name + "]");
}

/// |actual - expected| <= rel |expected| + abs; NaN matches NaN, inf matches the same inf.
class Near : public Catch::MatcherBase<double> {
public:
    Near(double expected, double rel, double abs) : expected_(expected), rel_(rel), abs_(abs) {}
    bool match(const double& actual) const override {
        if (std::isnan(expected_)) return std::isnan(actual);
        if (std::isinf(expected_)) return actual == expected_;
        return std::abs(actual - expected_) <= rel_ * std::abs(expected_) + abs_;
    }
    std::string describe() const override {
        std::ostringstream s;
        s.precision(17);
        s << "is within " << rel_ << " relative of " << expected_;
        return s.str();
    }

private:
    double expected_, rel_, abs_;
};

/// Double precision must agree with scikit-learn to 1e-9 relative.
inline Near near(double expected) { return Near(expected, 1e-9, 1e-15); }
/// Float inputs lose about 7 digits on the way in.
inline Near near_float(double expected) { return Near(expected, 2e-4, 1e-6); }

inline void check_all(const Eigen::VectorXd& actual, const std::vector<double>& expected, bool loose = false) {
    REQUIRE(static_cast<std::size_t>(actual.size()) == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("at index " << i);
        CHECK_THAT(actual[static_cast<shelf::Index>(i)], loose ? near_float(expected[i]) : near(expected[i]));
    }
}

}  // namespace fixture
