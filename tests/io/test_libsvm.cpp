// Spec of the text/libsvm reader (shelf/io/libsvm.hpp).
#include <shelf/core/random.hpp>
#include <shelf/io/libsvm.hpp>

#include <cmath>
#include <algorithm>
#include <limits>
#include <string>

#include "io_test_util.hpp"

using io_test::Fails;
using shelf::errc;
using shelf::IndexBase;
using shelf::LibsvmOptions;
using shelf::parse_libsvm;

TEMPLATE_TEST_CASE("libsvm rows become CSR rows with their labels", "[io][libsvm]", float, double) {
    const auto d = parse_libsvm<TestType>("1 1:0.5 3:2\n-1 2:1.5e1\n0\n", {}, "d.svm");
    SECTION("the result has one sparse row per line and one label per row") {
        REQUIRE(d.features.rows() == 3);
        REQUIRE(d.features.cols() == 3);
        CHECK(d.features.nonZeros() == 3);
        CHECK(d.labels.size() == 3);
        CHECK(d.labels(0) == TestType(1));
        CHECK(d.labels(1) == TestType(-1));
        CHECK(d.labels(2) == TestType(0));
    }
    SECTION("1-based indices are detected and shifted to 0-based columns") {
        CHECK(d.index_base == IndexBase::one);
        CHECK(d.features.coeff(0, 0) == TestType(0.5));
        CHECK(d.features.coeff(0, 2) == TestType(2));
        CHECK(d.features.coeff(1, 1) == TestType(15));
        CHECK(d.features.isCompressed());
        CHECK(d.features.outerIndexPtr()[3] == 3);
    }
    SECTION("densify fills absent entries with 0, or with NaN for learners that route missing values") {
        const auto z = shelf::densify(d.features);
        CHECK(z(0, 1) == TestType(0));
        CHECK(z(1, 1) == TestType(15));
        CHECK(z.row(2).isZero());
        const auto n = shelf::densify(d.features, shelf::AbsentAs::nan);
        CHECK(std::isnan(n(0, 1)));
        CHECK(n(0, 2) == TestType(2));
        CHECK(n.row(2).array().isNaN().all());
    }
}

TEST_CASE("libsvm detects 0-based or 1-based indices, or takes the base from the options", "[io][libsvm]") {
    SECTION("any index 0 makes the whole file 0-based, even when it appears late") {
        const auto d = parse_libsvm("1 1:1 2:2\n0 0:5\n");
        CHECK(d.index_base == IndexBase::zero);
        CHECK(d.features.cols() == 3);
        CHECK(d.features.coeff(0, 1) == 1.0);
        CHECK(d.features.coeff(1, 0) == 5.0);
    }
    SECTION("without any index 0 the file is 1-based and has as many columns as the largest index") {
        const auto d = parse_libsvm("1 4:1\n0 2:5\n");
        CHECK(d.index_base == IndexBase::one);
        CHECK(d.features.cols() == 4);
        CHECK(d.features.coeff(0, 3) == 1.0);
    }
    SECTION("index_base = zero keeps indices as they are") {
        LibsvmOptions o;
        o.index_base = IndexBase::zero;
        const auto d = parse_libsvm("1 1:1 4:2\n", o);
        CHECK(d.index_base == IndexBase::zero);
        CHECK(d.features.cols() == 5);
        CHECK(d.features.coeff(0, 4) == 2.0);
    }
    SECTION("index_base = one makes an index 0 an error") {
        LibsvmOptions o;
        o.index_base = IndexBase::one;
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 1:1\n1 0:1\n", o, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:2:3: feature index 0 in one-based data"));
    }
    SECTION("feature_dim fixes the column count, and an index that does not fit is an error at its column") {
        LibsvmOptions o;
        o.feature_dim = 10;
        CHECK(parse_libsvm("1 2:1\n", o).features.cols() == 10);
        REQUIRE_THROWS_MATCHES(
            parse_libsvm("1 2:1\n0 5:1 11:3\n", o, "d.svm"), shelf::data_error,
            Fails(errc::parse_error, "d.svm:2:7: feature index 11 does not fit feature_dim = 10"));
        CHECK(parse_libsvm("1 10:1\n", o).features.coeff(0, 9) == 1.0);  // 1-based: 10 fits
        // 0-based (detected from the 0 on line 2): 10 does not fit, reported where it is
        REQUIRE_THROWS_MATCHES(
            parse_libsvm("1 10:1\n1 0:1\n", o, "d.svm"), shelf::data_error,
            Fails(errc::parse_error, "d.svm:1:3: feature index 10 does not fit feature_dim = 10"));
        o.index_base = IndexBase::zero;
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 10:1\n", o, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:1:3: feature index 10 does not fit"));
        o.index_base = IndexBase::one;
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 11:1\n", o, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:1:3: feature index 11 does not fit"));
    }
}

TEST_CASE("libsvm rejects malformed rows with the file, line and byte column", "[io][libsvm]") {
    SECTION("an index smaller than the previous one in a row is out of order") {
        REQUIRE_THROWS_MATCHES(
            parse_libsvm("1 1:2 3:4\n0 3:1 2:1\n", {}, "d.svm"), shelf::data_error,
            Fails(errc::parse_error, "d.svm:2:7: feature index 2 is out of order (after 3)"));
    }
    SECTION("an index repeated in a row is a duplicate") {
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 1:2 3:4\n0  3:1\t3:1\n", {}, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:2:8: duplicate feature index 3"));
    }
    SECTION("indices restart in every row") {
        CHECK(parse_libsvm("1 3:1\n1 1:1 3:1\n").features.nonZeros() == 3);
    }
    SECTION("index tokens that are not non-negative integers are rejected") {
        struct Case {
            const char* line;
            const char* where;
        };
        for (const Case& c :
             {Case{"1 x:1", "d.svm:1:3: expected a non-negative integer feature index, found \"x\""},
              Case{"1 -1:2", "d.svm:1:3: expected a non-negative integer feature index, found \"-1\""},
              Case{"1 1.5:2", "d.svm:1:3: expected a non-negative"},
              Case{"1 +2:2", "d.svm:1:3: expected a non-negative"},
              Case{"1 2:1 :3", "d.svm:1:7: expected a non-negative integer feature index, found \"\""},
              Case{"1 99999999999999999999:1", "d.svm:1:3: feature index 99999999999999999999 is too large"},
              Case{"1 3", "d.svm:1:3: expected index:value, found \"3\""},
              Case{"1 1:1 abc", "d.svm:1:7: expected index:value, found \"abc\""}}) {
            INFO(c.line);
            REQUIRE_THROWS_MATCHES(parse_libsvm(c.line, {}, "d.svm"), shelf::data_error,
                                   Fails(errc::parse_error, c.where));
        }
    }
    SECTION("values that are not numbers are rejected at the byte after ':'") {
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 2:", {}, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:1:5: missing value after ':'"));
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 2:abc", {}, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:1:5: expected a number, found \"abc\""));
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 2:1:2", {}, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:1:5: expected a number, found \"1:2\""));
    }
    SECTION("nan and inf values need allow_missing and allow_infinite; overflow is always an error") {
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 2:nan", {}, "d.svm"), shelf::data_error,
                               Fails(errc::not_finite, "d.svm:1:5: missing value \"nan\""));
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 2:-inf", {}, "d.svm"), shelf::data_error,
                               Fails(errc::not_finite, "d.svm:1:5: infinite value \"-inf\""));
        REQUIRE_THROWS_MATCHES(parse_libsvm<float>("1 2:1e40", {}, "d.svm"), shelf::data_error,
                               Fails(errc::not_finite, "d.svm:1:5: \"1e40\" is out of range for float"));
        LibsvmOptions o;
        o.allow_missing = true;
        o.allow_infinite = true;
        const auto d = parse_libsvm("1 2:nan 3:-inf", o);
        CHECK(std::isnan(d.features.coeff(0, 1)));
        CHECK(d.features.coeff(0, 2) == -std::numeric_limits<double>::infinity());
    }
    SECTION("labels must be finite numbers") {
        REQUIRE_THROWS_MATCHES(
            parse_libsvm("1 1:1\nabc 1:1\n", {}, "d.svm"), shelf::data_error,
            Fails(errc::parse_error, "d.svm:2:1: expected a numeric label, found \"abc\""));
        REQUIRE_THROWS_MATCHES(parse_libsvm("  nan 1:1\n", {}, "d.svm"), shelf::data_error,
                               Fails(errc::not_finite, "d.svm:1:3: label is \"nan\""));
    }
    SECTION("a row that starts with a feature has no label: an error when labels are read") {
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 1:1\n2:1 3:1\n", {}, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:2:1: expected a label before the features"));
    }
    SECTION("no rows at all is empty_data, and so are rows without any feature unless feature_dim is given") {
        REQUIRE_THROWS_MATCHES(parse_libsvm("\n# nothing\n", {}, "d.svm"), shelf::data_error,
                               Fails(errc::empty_data, "d.svm: no data rows"));
        REQUIRE_THROWS_MATCHES(parse_libsvm("1\n0\n", {}, "d.svm"), shelf::data_error,
                               Fails(errc::empty_data, "d.svm: no feature"));
        LibsvmOptions o;
        o.feature_dim = 3;
        const auto d = parse_libsvm("1\n0\n", o);
        CHECK(d.features.rows() == 2);
        CHECK(d.features.cols() == 3);
        CHECK(d.features.nonZeros() == 0);
    }
}

TEST_CASE("libsvm layout details: comments, whitespace, line endings, qid, unlabelled input",
          "[io][libsvm]") {
    SECTION("'#' starts a comment anywhere; blank and comment-only lines are skipped but counted") {
        const auto d = parse_libsvm("# header comment\n\n1 1:1 # trailing\n   \n0 2:2#tight\n");
        CHECK(d.features.rows() == 2);
        CHECK(d.features.coeff(1, 1) == 2.0);
        REQUIRE_THROWS_MATCHES(parse_libsvm("# c\n\n1 1:x\n", {}, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:3:5:"));
    }
    SECTION("tabs and runs of spaces separate tokens; CRLF and a BOM are fine") {
        const auto d = parse_libsvm(
            "\xEF\xBB\xBF"
            "1\t1:1   2:2 \r\n0 3:3\r\n");
        CHECK(d.features.rows() == 2);
        CHECK(d.features.coeff(0, 1) == 2.0);
        CHECK(d.features.coeff(1, 2) == 3.0);
    }
    SECTION("qid tokens are rejected by default with a clear message") {
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 qid:3 1:1\n", {}, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:1:3: qid tokens are not supported"));
    }
    SECTION("with skip_qid a qid right after the label is ignored, elsewhere it is an error") {
        LibsvmOptions o;
        o.skip_qid = true;
        const auto d = parse_libsvm("1 qid:3 1:1\n0 qid:4 2:1\n", o);
        CHECK(d.features.cols() == 2);
        CHECK(d.features.nonZeros() == 2);
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 1:1 qid:3\n", o, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:1:7: qid must come right after the label"));
        REQUIRE_THROWS_MATCHES(
            parse_libsvm("1 qid:x 1:1\n", o, "d.svm"), shelf::data_error,
            Fails(errc::parse_error, "d.svm:1:7: expected a non-negative integer query id"));
    }
    SECTION("with read_labels = false labels are not returned, and rows may start with a feature") {
        LibsvmOptions o;
        o.read_labels = false;
        const auto d = parse_libsvm("1 1:1\n2:5\n", o);
        CHECK(d.labels.size() == 0);
        CHECK(d.features.rows() == 2);
        CHECK(d.features.coeff(1, 1) == 5.0);
        REQUIRE_THROWS_MATCHES(parse_libsvm("zz 1:1\n", o, "d.svm"), shelf::data_error,
                               Fails(errc::parse_error, "d.svm:1:1: expected a numeric label"));
    }
    SECTION("explicit zeros are stored, so they stay 0 when absent entries become NaN") {
        const auto d = parse_libsvm("1 1:0 2:3\n");
        CHECK(d.features.nonZeros() == 2);
        const auto n = shelf::densify(d.features, shelf::AbsentAs::nan);
        CHECK(n(0, 0) == 0.0);
    }
    SECTION("a huge index costs memory for its entry only, not for the columns before it") {
        const auto d = parse_libsvm("1 5000000000000:2\n0 9223372036854775806:1\n");
        CHECK(d.features.cols() == 9223372036854775806LL);
        CHECK(d.features.nonZeros() == 2);
        CHECK(d.features.innerIndexPtr()[0] == 4999999999999LL);
        CHECK(d.features.valuePtr()[0] == 2.0);
        REQUIRE_THROWS_MATCHES(
            parse_libsvm("1 9223372036854775807:1\n", {}, "d.svm"), shelf::data_error,
            Fails(errc::parse_error, "d.svm:1:3: feature index 9223372036854775807 is too large"));
    }
    SECTION("options are checked") {
        LibsvmOptions o;
        o.feature_dim = 0;
        REQUIRE_THROWS_MATCHES(parse_libsvm("1 1:1\n", o), shelf::invalid_argument,
                               Fails(errc::out_of_range, "feature_dim"));
    }
    SECTION("densify refuses a shape whose size overflows") {
        shelf::SparseMatrix<double> huge(std::numeric_limits<shelf::Index>::max() / 2, 4);
        REQUIRE_THROWS_AS(shelf::densify(huge), shelf::invalid_argument);
    }
}

TEST_CASE("read_libsvm reads a file and names it in errors", "[io][libsvm]") {
    const auto d = shelf::read_libsvm<float>(SHELF_IO_TEST_DATA "/train.libsvm");
    CHECK(d.features.rows() == 4);
    CHECK(d.features.cols() == 5);
    CHECK(d.index_base == IndexBase::one);
    CHECK(d.labels(3) == 1.0f);
    REQUIRE_THROWS_MATCHES(shelf::read_libsvm("/nonexistent/x.svm"), shelf::data_error,
                           Fails(errc::io_failure, "/nonexistent/x.svm: cannot open"));
    io_test::TempFile f("1 1:1\n1 2:1 1:1\n", "bad.svm");
    REQUIRE_THROWS_MATCHES(shelf::read_libsvm(f.path()), shelf::data_error,
                           Fails(errc::parse_error, f.path() + ":2:7: feature index 1 is out of order"));
}

TEST_CASE("libsvm parsed on many threads is the same as on one, errors included", "[io][libsvm]") {
    // About 2 MB: above the size from which parse_libsvm splits the text between threads.
    std::string text;
    shelf::Rng rng(5);
    const int rows = 60000;
    for (int i = 0; i < rows; ++i) {
        text += std::to_string(i % 2) + " " + std::to_string(1 + i % 7) + ":" + std::to_string(rng.normal()) + " 9:" +
                std::to_string(i) + "\n";
        if (i % 997 == 0) text += "# a comment\n";  // still counts for line numbers
    }
    LibsvmOptions one, many;
    one.num_threads = 1;
    many.num_threads = 4;
    const auto a = parse_libsvm<float>(text, one, "big.svm"), b = parse_libsvm<float>(text, many, "big.svm");
    REQUIRE(a.features.rows() == rows);
    REQUIRE(a.features.cols() == 9);
    REQUIRE(a.index_base == IndexBase::one);
    REQUIRE(b.index_base == a.index_base);
    REQUIRE(shelf::densify(b.features) == shelf::densify(a.features));
    REQUIRE(b.labels == a.labels);
    REQUIRE(a.features.coeff(rows - 1, 8) == static_cast<float>(rows - 1));

    SECTION("an index 0 late in the file makes every row 0-based") {
        std::string zero = text + "1 0:3\n";
        const auto z = parse_libsvm<float>(zero, many, "big.svm");
        CHECK(z.index_base == IndexBase::zero);
        CHECK(z.features.cols() == 10);
        CHECK(shelf::densify(z.features) == shelf::densify(parse_libsvm<float>(zero, one, "big.svm").features));
    }
    SECTION("the first bad line of the file is reported, wherever the threads meet errors") {
        std::string bad = text;
        const auto late = bad.rfind("\n1 ", bad.size() - 100) + 1, early = bad.find("\n1 ", 100000) + 1;
        bad.replace(bad.find(':', late), 1, ";");
        bad.replace(bad.find(':', early), 1, ";");
        const auto line = 1 + static_cast<std::size_t>(std::count(bad.begin(), bad.begin() + static_cast<std::ptrdiff_t>(early), '\n'));
        std::string serial_error, parallel_error;
        try { (void)parse_libsvm<float>(bad, one, "big.svm"); } catch (const shelf::data_error& e) { serial_error = e.what(); }
        try { (void)parse_libsvm<float>(bad, many, "big.svm"); } catch (const shelf::data_error& e) { parallel_error = e.what(); }
        REQUIRE(serial_error == parallel_error);
        REQUIRE_THAT(parallel_error, Catch::Contains("big.svm:" + std::to_string(line) + ":"));
    }
    SECTION("feature_dim is checked against the index base the whole file decides") {
        LibsvmOptions narrow = many;
        narrow.feature_dim = 8;  // index 9 fits neither base
        REQUIRE_THROWS_MATCHES(parse_libsvm<float>(text, narrow, "big.svm"), shelf::data_error,
                               Fails(errc::parse_error, "big.svm:1:"));
    }
}
