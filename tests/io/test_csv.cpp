// Spec of the text/csv reader and writer (shelf/io/csv.hpp).
#include <shelf/core/random.hpp>
#include <shelf/io/csv.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

#include "io_test_util.hpp"

using io_test::Fails;
using shelf::CsvOptions;
using shelf::errc;
using shelf::parse_csv;

namespace {
CsvOptions unsupervised() {
    CsvOptions o;
    o.has_label = false;
    return o;
}
}  // namespace

TEST_CASE("CSV follows the platform layout: no header, label in column 0, features after", "[io][csv]") {
    SECTION("a supervised file yields column 0 as labels and the other columns as features") {
        const auto d = parse_csv("1,0.5,2\n0,-3,4e2\n", {}, "data.csv");
        REQUIRE(d.features.rows() == 2);
        REQUIRE(d.features.cols() == 2);
        CHECK(d.labels(0) == 1.0);
        CHECK(d.labels(1) == 0.0);
        CHECK(d.features(0, 0) == 0.5);
        CHECK(d.features(0, 1) == 2.0);
        CHECK(d.features(1, 0) == -3.0);
        CHECK(d.features(1, 1) == 400.0);
    }
    SECTION("label_column moves the label to any column, and -1 means the last one") {
        CsvOptions o;
        o.label_column = 1;
        auto d = parse_csv("10,1,20,30\n11,0,21,31\n", o);
        CHECK(d.labels(0) == 1.0);
        CHECK(d.labels(1) == 0.0);
        CHECK(d.features.row(0).transpose() == Eigen::Vector3d(10, 20, 30));
        o.label_column = -1;
        d = parse_csv("10,20,30,1\n11,21,31,0\n", o);
        CHECK(d.labels(1) == 0.0);
        CHECK(d.features.row(1).transpose() == Eigen::Vector3d(11, 21, 31));
        o.label_column = 3;
        CHECK(parse_csv("10,20,30,1\n", o).labels(0) == 1.0);
    }
    SECTION("unsupervised files are features only and give an empty label vector") {
        const auto d = parse_csv("1,2\n3,4\n5,6\n", unsupervised());
        CHECK(d.features.rows() == 3);
        CHECK(d.features.cols() == 2);
        CHECK(d.labels.size() == 0);
        CHECK(d.features(2, 0) == 5.0);
    }
    SECTION("has_header skips physical line 1 whatever it holds, and line numbers still count it") {
        CsvOptions o;
        o.has_header = true;
        const auto d = parse_csv("label,f1,f2\n1,2,3\n", o);
        CHECK(d.features.rows() == 1);
        CHECK(d.labels(0) == 1.0);
        REQUIRE_THROWS_MATCHES(parse_csv("y,a\n1,2\n1,x\n", o, "h.csv"), shelf::data_error,
                               Fails(errc::parse_error, "h.csv:3:2: expected a number, found \"x\""));
    }
    SECTION("the same text reads as float or as double, each rounded once from the decimal") {
        const auto dd = parse_csv<double>("0,0.1,3.14159265358979323846\n", {});
        const auto df = parse_csv<float>("0,0.1,3.14159265358979323846\n", {});
        CHECK(dd.features(0, 0) == 0.1);
        CHECK(df.features(0, 0) == 0.1f);
        CHECK(dd.features(0, 1) == 3.141592653589793);
        CHECK(df.features(0, 1) == 3.14159265f);
        // 1 + 2^-24 + 2^-60: rounding through double would give 1.0f (a tie), direct
        // rounding to float gives the next float up.
        const auto tricky = parse_csv<float>(
            "1.000000059604644776257986737988403547205962240695953369140625\n", unsupervised());
        CHECK(tricky.features(0, 0) == std::nextafter(1.0f, 2.0f));
    }
    SECTION("numbers may have exponents, a leading '+' or '.', and a trailing '.'") {
        const auto d = parse_csv("+1,.5,5.,-1E-2,2e+3,-0\n", unsupervised());
        CHECK(d.features(0, 0) == 1.0);
        CHECK(d.features(0, 1) == 0.5);
        CHECK(d.features(0, 2) == 5.0);
        CHECK(d.features(0, 3) == -0.01);
        CHECK(d.features(0, 4) == 2000.0);
        CHECK(d.features(0, 5) == 0.0);
        CHECK(std::signbit(d.features(0, 5)));
    }
}

TEST_CASE("CSV tolerates CRLF, a missing final newline, blank lines, a BOM and spaces", "[io][csv]") {
    const auto expected = parse_csv("1,2,3\n4,5,6\n", {});
    SECTION("CRLF line endings read like LF") {
        const auto d = parse_csv("1,2,3\r\n4,5,6\r\n", {});
        CHECK(d.features == expected.features);
        CHECK(d.labels == expected.labels);
    }
    SECTION("the last line needs no newline") {
        const auto d = parse_csv("1,2,3\n4,5,6", {});
        CHECK(d.features == expected.features);
    }
    SECTION("blank lines are skipped anywhere but still count for line numbers") {
        const auto d = parse_csv("\n1,2,3\n\n  \n\t\r\n4,5,6\n\n", {});
        CHECK(d.features == expected.features);
        CHECK(d.labels == expected.labels);
        REQUIRE_THROWS_MATCHES(parse_csv("\n1,2,3\n\n4,5,z\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::parse_error, "data.csv:4:3:"));
    }
    SECTION("a UTF-8 byte order mark at the start is skipped") {
        const auto d = parse_csv(
            "\xEF\xBB\xBF"
            "1,2,3\n4,5,6\n",
            {});
        CHECK(d.features == expected.features);
    }
    SECTION("spaces and tabs around fields are ignored") {
        const auto d = parse_csv(" 1 ,\t2 , 3\t\n4, 5 ,6  \n", {});
        CHECK(d.features == expected.features);
        CHECK(d.labels == expected.labels);
    }
    SECTION("another delimiter splits fields, and a comma is then not a separator") {
        CsvOptions o;
        o.delimiter = '\t';
        CHECK(parse_csv("1\t2\t3\n4\t5\t6\n", o).features == expected.features);
        o.delimiter = ';';
        CHECK(parse_csv("1;2;3\n4;5;6\n", o).features == expected.features);
        REQUIRE_THROWS_MATCHES(parse_csv("1;2,5;3\n", o, "eu.csv"), shelf::data_error,
                               Fails(errc::parse_error, "eu.csv:1:2: expected a number, found \"2,5\""));
    }
}

TEST_CASE("CSV rejects malformed text with the file, line and field number", "[io][csv]") {
    SECTION("a non-numeric field is a parse_error naming line and field") {
        REQUIRE_THROWS_MATCHES(parse_csv("1,2,3\n4,5,6\n7,8,abc\n", {}, "train.csv"), shelf::data_error,
                               Fails(errc::parse_error, "train.csv:3:3: expected a number, found \"abc\""));
        REQUIRE_THROWS_MATCHES(parse_csv("1,2\nx,2\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::parse_error, "data.csv:2:1: expected a number, found \"x\""));
    }
    SECTION("a number followed by other characters is not a number") {
        for (const char* bad :
             {"1.5x", "1e", "--1", "+-1", "++1", "0x10", "1 2", "nan(1)", "1..2", ".", "-", "+", "inf1"}) {
            INFO(bad);
            const std::string text = std::string("0,") + bad + "\n";
            REQUIRE_THROWS_MATCHES(parse_csv(text, {}, "data.csv"), shelf::data_error,
                                   Fails(errc::parse_error, "data.csv:1:2: expected a number"));
        }
    }
    SECTION("a row with fewer fields than the first row is a shape_mismatch with both counts") {
        REQUIRE_THROWS_MATCHES(
            parse_csv("1,2,3\n4,5,6\n7,8\n", {}, "data.csv"), shelf::data_error,
            Fails(errc::shape_mismatch, "data.csv:3:3: row has 2 fields, expected 3 as in line 1"));
    }
    SECTION("a row with more fields than the first row is a shape_mismatch with both counts") {
        REQUIRE_THROWS_MATCHES(
            parse_csv("\n1,2,3\n4,5,6,7,8\n", {}, "data.csv"), shelf::data_error,
            Fails(errc::shape_mismatch, "data.csv:3:4: row has 5 fields, expected 3 as in line 2"));
    }
    SECTION("an empty field is a parse_error unless allow_missing is set") {
        REQUIRE_THROWS_MATCHES(parse_csv("1,2,3\n4,,6\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::parse_error, "data.csv:2:2: empty field"));
        REQUIRE_THROWS_MATCHES(parse_csv("1,2,3\n4,5,\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::parse_error, "data.csv:2:3: empty field"));
        REQUIRE_THROWS_MATCHES(parse_csv("1,2,3\n4,  ,6\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::parse_error, "data.csv:2:2: empty field"));
    }
    SECTION("with allow_missing, empty fields and nan in any case read as NaN") {
        CsvOptions o;
        o.allow_missing = true;
        const auto d = parse_csv("1,,nan,NaN,-NAN, \n", o);
        REQUIRE(d.features.cols() == 5);
        for (int j = 0; j < 5; ++j) CHECK(std::isnan(d.features(0, j)));
    }
    SECTION("nan without allow_missing is a not_finite error") {
        REQUIRE_THROWS_MATCHES(parse_csv("1,2\n1,NaN\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::not_finite, "data.csv:2:2: missing value \"NaN\""));
    }
    SECTION("infinities are a not_finite error unless allow_infinite is set") {
        REQUIRE_THROWS_MATCHES(parse_csv("1,inf\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::not_finite, "data.csv:1:2: infinite value \"inf\""));
        REQUIRE_THROWS_MATCHES(parse_csv("1,2\n1,-Infinity\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::not_finite, "data.csv:2:2:"));
        CsvOptions o;
        o.allow_infinite = true;
        const auto d = parse_csv("1,inf,-Infinity,+INF\n", o);
        CHECK(d.features(0, 0) == std::numeric_limits<double>::infinity());
        CHECK(d.features(0, 1) == -std::numeric_limits<double>::infinity());
        CHECK(d.features(0, 2) == std::numeric_limits<double>::infinity());
    }
    SECTION("a finite literal too large for the type is a not_finite error even with allow_infinite") {
        CsvOptions o;
        o.allow_infinite = true;
        REQUIRE_THROWS_MATCHES(parse_csv<float>("0,1e39\n", o, "data.csv"), shelf::data_error,
                               Fails(errc::not_finite, "data.csv:1:2: \"1e39\" is out of range for float"));
        CHECK(parse_csv<double>("0,1e39\n", o).features(0, 0) == 1e39);
        REQUIRE_THROWS_MATCHES(parse_csv<double>("0,-1e309\n", o, "data.csv"), shelf::data_error,
                               Fails(errc::not_finite, "out of range for double"));
    }
    SECTION("labels must be finite even when missing and infinite features are allowed") {
        CsvOptions o;
        o.allow_missing = true;
        o.allow_infinite = true;
        REQUIRE_THROWS_MATCHES(parse_csv("1,2\n,3\n", o, "data.csv"), shelf::data_error,
                               Fails(errc::parse_error, "data.csv:2:1: empty label field"));
        REQUIRE_THROWS_MATCHES(parse_csv("nan,3\n", o, "data.csv"), shelf::data_error,
                               Fails(errc::not_finite, "data.csv:1:1: label is \"nan\""));
        o.label_column = -1;
        REQUIRE_THROWS_MATCHES(parse_csv("3,inf\n", o, "data.csv"), shelf::data_error,
                               Fails(errc::not_finite, "data.csv:1:2: label is \"inf\""));
    }
    SECTION("a label column beyond the first row is a shape_mismatch") {
        CsvOptions o;
        o.label_column = 3;
        REQUIRE_THROWS_MATCHES(parse_csv("1,2,3\n", o, "data.csv"), shelf::data_error,
                               Fails(errc::shape_mismatch, "data.csv:1:1: label_column is 3"));
    }
    SECTION("a file with only a label column has no features: empty_data") {
        REQUIRE_THROWS_MATCHES(parse_csv("1\n2\n", {}, "data.csv"), shelf::data_error,
                               Fails(errc::empty_data, "data.csv:1:1:"));
        CHECK(parse_csv("1\n2\n", unsupervised()).features.rows() == 2);
    }
    SECTION("text without data rows is empty_data") {
        for (const char* text : {"", "\n", "\n \r\n\t\n"}) {
            REQUIRE_THROWS_MATCHES(parse_csv(text, {}, "data.csv"), shelf::data_error,
                                   Fails(errc::empty_data, "data.csv: no data rows"));
        }
        CsvOptions o;
        o.has_header = true;
        REQUIRE_THROWS_MATCHES(parse_csv("a,b\n", o, "data.csv"), shelf::data_error,
                               Fails(errc::empty_data, "data.csv: no data rows"));
    }
    SECTION("long or binary fields are quoted, escaped and shortened in messages") {
        const std::string text = "1,\x01" + std::string(60, 'z') + "\n";
        try {
            parse_csv(text, {}, "data.csv");
            FAIL("no exception");
        } catch (const shelf::data_error& e) {
            const std::string what = e.what();
            CHECK(what.find("found \"\\x01zzz") != std::string::npos);
            CHECK(what.find("...") != std::string::npos);
            CHECK(what.size() < 200);
        }
    }
}

TEST_CASE("CSV options are checked before reading", "[io][csv]") {
    SECTION("label_column below -1 is an invalid_argument") {
        CsvOptions o;
        o.label_column = -2;
        REQUIRE_THROWS_MATCHES(parse_csv("1,2\n", o), shelf::invalid_argument,
                               Fails(errc::out_of_range, "label_column"));
        o.has_label = false;  // then the label column does not matter
        CHECK_NOTHROW(parse_csv("1,2\n", o));
    }
    SECTION("a delimiter that could be part of a number or a line break is an invalid_argument") {
        for (char d : {'\n', '\r', '.', '-', '+', 'e', '5', '\0'}) {
            CsvOptions o;
            o.delimiter = d;
            REQUIRE_THROWS_MATCHES(parse_csv("1,2\n", o), shelf::invalid_argument,
                                   Fails(errc::bad_value, "delimiter"));
        }
    }
}

TEST_CASE("read_csv reads a file and names it in errors", "[io][csv]") {
    SECTION("a file reads like the same text") {
        io_test::TempFile f("1,2,3\r\n4,5,6");
        const auto d = shelf::read_csv<float>(f.path());
        CHECK(d.features == parse_csv<float>("1,2,3\n4,5,6\n").features);
    }
    SECTION("errors start with the path") {
        io_test::TempFile f("1,2,3\n4,5,6\n7,8\n", "data.csv");
        REQUIRE_THROWS_MATCHES(shelf::read_csv(f.path()), shelf::data_error,
                               Fails(errc::shape_mismatch, f.path() + ":3:3:"));
    }
    SECTION("a missing file is an io_failure naming the path") {
        REQUIRE_THROWS_MATCHES(shelf::read_csv("/nonexistent/dir/x.csv"), shelf::data_error,
                               Fails(errc::io_failure, "/nonexistent/dir/x.csv: cannot open"));
    }
    SECTION("a directory is an io_failure") {
        REQUIRE_THROWS_MATCHES(shelf::read_csv(std::filesystem::temp_directory_path().string()),
                               shelf::data_error, Fails(errc::io_failure, ""));
    }
    SECTION("an empty file (nothing to map) holds no data rows") {
        io_test::TempFile f("");
        REQUIRE_THROWS_MATCHES(shelf::read_csv(f.path()), shelf::data_error, Fails(errc::empty_data, "no data rows"));
    }
    SECTION("a file's text survives moves, mapped or held in memory") {
        io_test::TempFile f("1,2\n");
        shelf::io_detail::FileText mapped = shelf::io_detail::read_file(f.path());
        shelf::io_detail::FileText held(std::string("3,4\n"));  // short: inside the string object
        shelf::io_detail::FileText moved = std::move(mapped);
        mapped = std::move(held);
        CHECK(moved.view() == "1,2\n");
        CHECK(mapped.view() == "3,4\n");
    }
    SECTION("the committed sample file is read with its header") {
        CsvOptions o;
        o.has_header = true;
        const auto d = shelf::read_csv(SHELF_IO_TEST_DATA "/train.csv", o);
        CHECK(d.features.rows() == 4);
        CHECK(d.features.cols() == 3);
        CHECK(d.labels == Eigen::Vector4d(1, 0, 1, 0));
        REQUIRE_THROWS_MATCHES(shelf::read_csv(SHELF_IO_TEST_DATA "/bad.csv"), shelf::data_error,
                               Fails(errc::parse_error, "bad.csv:3:2: expected a number, found \"abc\""));
    }
}

namespace {
template <class T>
shelf::RowMatrix<T> random_matrix(std::mt19937_64& rng, int rows, int cols) {
    std::uniform_int_distribution<int> kind(0, 5);
    std::uniform_real_distribution<double> unit(-1, 1);
    std::uniform_int_distribution<int> exp10(-40, 38);
    shelf::RowMatrix<T> m(rows, cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) {
            switch (kind(rng)) {
                case 0:
                    m(i, j) = static_cast<T>(unit(rng));
                    break;
                case 1:
                    m(i, j) = static_cast<T>(unit(rng) * std::pow(10.0, exp10(rng)));
                    break;
                case 2:
                    m(i, j) = std::numeric_limits<T>::denorm_min() * static_cast<T>(1 + rng() % 1000);
                    break;
                case 3:
                    m(i, j) = (rng() % 2 ? 1 : -1) * std::numeric_limits<T>::max();
                    break;
                case 4:
                    m(i, j) = static_cast<T>(static_cast<int>(rng() % 2001) - 1000);
                    break;
                default: {
                    // any finite bit pattern
                    using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
                    T v;
                    do {
                        const Bits b = static_cast<Bits>(rng());
                        std::memcpy(&v, &b, sizeof v);
                    } while (!std::isfinite(v));
                    m(i, j) = v;
                }
            }
        }
    return m;
}

template <class T>
bool bitwise_equal(const shelf::RowMatrix<T>& a, const shelf::RowMatrix<T>& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(T) * static_cast<std::size_t>(a.size())) == 0;
}
}  // namespace

TEMPLATE_TEST_CASE("write_csv then parse_csv gives back exactly the same matrix", "[io][csv][write]", float,
                   double) {
    std::mt19937_64 rng(42);
    SECTION("random finite values of every magnitude, subnormals and extremes included, are bitwise equal") {
        for (int rep = 0; rep < 20; ++rep) {
            const auto m = random_matrix<TestType>(rng, 50, 7);
            std::ostringstream os;
            shelf::write_csv(os, m);
            const auto back = parse_csv<TestType>(os.str(), unsupervised());
            REQUIRE(bitwise_equal(m, back.features));
        }
    }
    SECTION("NaN and infinities round trip when the reader allows them") {
        shelf::RowMatrix<TestType> m(2, 3);
        m << std::numeric_limits<TestType>::quiet_NaN(), std::numeric_limits<TestType>::infinity(), 1,
            -std::numeric_limits<TestType>::infinity(), TestType(-0.0), TestType(0.1);
        std::ostringstream os;
        shelf::write_csv(os, m);
        CHECK(os.str() == "nan,inf,1\n-inf,-0,0.1\n");
        CsvOptions o = unsupervised();
        REQUIRE_THROWS_AS(parse_csv<TestType>(os.str(), o), shelf::data_error);
        o.allow_missing = true;
        o.allow_infinite = true;
        const auto back = parse_csv<TestType>(os.str(), o).features;
        CHECK(std::isnan(back(0, 0)));
        CHECK(bitwise_equal<TestType>(back.bottomRows(1), m.bottomRows(1)));
        CHECK(back(0, 1) == m(0, 1));
    }
}

TEST_CASE("write_csv writes the shortest exact form of any arithmetic matrix or expression",
          "[io][csv][write]") {
    SECTION("doubles use the shortest digits that read back exactly") {
        shelf::RowMatrix<double> m(2, 2);
        m << 0.1, 1e300, 1.0 / 3, 5e-324;
        std::ostringstream os;
        shelf::write_csv(os, m);
        CHECK(os.str() == "0.1,1e+300\n0.3333333333333333,5e-324\n");
    }
    SECTION("a float is written with float precision, not double") {
        std::ostringstream os;
        shelf::write_csv(os, shelf::Vector<float>::Constant(2, 0.1f));
        CHECK(os.str() == "0.1\n0.1\n");
    }
    SECTION("integer matrices, column-major matrices, expressions and a delimiter") {
        Eigen::MatrixXi im(2, 2);
        im << 1, -2, 3, 40;
        std::ostringstream os;
        shelf::write_csv(os, im, ';');
        CHECK(os.str() == "1;-2\n3;40\n");
        std::ostringstream os2;
        Eigen::MatrixXd a(2, 2);
        a << 1, 2, 3, 4;
        shelf::write_csv(os2, a * 2.0 + a);
        CHECK(os2.str() == "3,6\n9,12\n");
        std::ostringstream os3;
        shelf::write_csv(os3, a.col(1).transpose());
        CHECK(os3.str() == "2,4\n");
    }
    SECTION("a stream that fails is an io_failure") {
        std::ostringstream os;
        os.setstate(std::ios::badbit);
        REQUIRE_THROWS_MATCHES(shelf::write_csv(os, Eigen::MatrixXd::Ones(2, 2)), shelf::data_error,
                               Fails(errc::io_failure, "write_csv"));
    }
    SECTION("a delimiter that cannot be read back is an invalid_argument") {
        std::ostringstream os;
        REQUIRE_THROWS_AS(shelf::write_csv(os, Eigen::MatrixXd::Ones(2, 2), '.'), shelf::invalid_argument);
    }
}

TEST_CASE("CSV parsed on many threads is the same as on one, errors included", "[io][csv]") {
    // About 2.4 MB: above the size from which parse_csv splits the text between threads.
    std::string text = "\xEF\xBB\xBF";
    shelf::Rng rng(3);
    const int rows = 60000;
    for (int i = 0; i < rows; ++i) {
        text += std::to_string(i % 2) + "," + std::to_string(rng.normal()) + "," + std::to_string(i) + ",0.5\n";
        if (i % 997 == 0) text += "  \n";  // blank lines still count for line numbers
    }
    CsvOptions one, many;
    one.num_threads = 1;
    many.num_threads = 4;
    const auto a = parse_csv<float>(text, one, "big.csv"), b = parse_csv<float>(text, many, "big.csv");
    REQUIRE(a.features.rows() == rows);
    REQUIRE(b.features == a.features);
    REQUIRE(b.labels == a.labels);
    REQUIRE(b.features(rows - 1, 1) == static_cast<float>(rows - 1));

    SECTION("the first bad line of the file is reported, wherever the threads meet errors") {
        std::string bad = text;
        const auto late = bad.rfind("\n1,", bad.size() - 100) + 1, early = bad.find("\n1,", 100000) + 1;
        bad.replace(bad.find(',', late), 1, ";");
        bad.replace(bad.find(',', early), 1, ";");
        const auto line = 1 + static_cast<std::size_t>(std::count(bad.begin(), bad.begin() + static_cast<std::ptrdiff_t>(early), '\n'));
        std::string serial_error, parallel_error;
        try { (void)parse_csv<float>(bad, one, "big.csv"); } catch (const shelf::data_error& e) { serial_error = e.what(); }
        try { (void)parse_csv<float>(bad, many, "big.csv"); } catch (const shelf::data_error& e) { parallel_error = e.what(); }
        REQUIRE(serial_error == parallel_error);
        REQUIRE_THAT(parallel_error, Catch::Contains("big.csv:" + std::to_string(line) + ":"));
    }
}

TEMPLATE_TEST_CASE("plain decimals parse to fast_float's value and end, other forms are left to it", "[io][csv]",
                   float, double) {
    using T = TestType;
    shelf::Rng rng(23);
    const auto same_as_fast_float = [](const std::string& text) {
        INFO(text);
        const char* b = text.data();
        const char* e = b + text.size();
        T mine = T(0), reference = T(0);
        const char* end = shelf::io_detail::parse_plain_decimal(b, e, mine);
        const auto r = fast_float::from_chars(b, e, reference);
        if (!end) return false;
        REQUIRE(r.ec == std::errc());
        CHECK(end == r.ptr);
        CHECK(std::memcmp(&mine, &reference, sizeof(T)) == 0);  // bit for bit, −0 included
        return true;
    };
    int taken = 0;
    const char* tails[] = {"", ",", "\n", " ", "x", "e5", "E-3", ".", "-"};
    for (int i = 0; i < 20000; ++i) {
        std::string text = rng.uniform() < 0.5 ? "-" : "";
        const auto whole = static_cast<int>(rng.uniform_index(10)), fraction = static_cast<int>(rng.uniform_index(14));
        for (int d = 0; d < whole; ++d) text += char('0' + rng.uniform_index(10));
        if (fraction > 0 || rng.uniform() < 0.2) text += '.';
        for (int d = 0; d < fraction; ++d) text += char('0' + rng.uniform_index(10));
        text += tails[rng.uniform_index(std::size(tails))];
        if (rng.uniform() < 0.5) text += ",12345678.25,7";  // 8 characters at a time when the line has them
        taken += same_as_fast_float(text);
    }
    CHECK(taken > 3000);  // the plain form is common among these
    for (const char* text : {"0", "-0", "-0.0", "0.1", "16777215", "9999999", "1234567.", ".5", "-.5", "0.0000001",
                             "3.4028234", "1.17549435", "4.36865", "-12.4173", "-4.36865,0.319493,1", "12345678,1",
                             "1234567.,12345678", "0.1234567,9", "-0.000123,99999999", "9999999.,0,0,0,0"})
        same_as_fast_float(text);
    T v = T(7);
    for (const char* text : {"", "-", ".", "-.", "+1", "1e5", "2E-3", "nan", "inf", "12345678901234567", " 1", "1.0000000000000000000001"})
        CHECK(shelf::io_detail::parse_plain_decimal(text, text + std::strlen(text), v) == nullptr);
    CHECK(v == T(7));  // nothing written when the form is not taken
}
