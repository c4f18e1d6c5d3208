// Spec of the application/jsonlines reader for forecasting series (shelf/io/jsonlines.hpp).
#include <shelf/io/jsonlines.hpp>

#include <cmath>
#include <string>

#include "io_test_util.hpp"

using io_test::Fails;
using shelf::errc;
using shelf::JsonLinesOptions;
using shelf::parse_jsonlines;
using shelf::Timestamp;

namespace {
/// One line with the given start and target and extra members appended.
std::string series(const std::string& extra = "", const std::string& target = "[1, 2, 3]") {
    return "{\"start\": \"2014-01-01 00:00:00\", \"target\": " + target + extra + "}\n";
}
}  // namespace

TEMPLATE_TEST_CASE("a JSON line becomes a series with start, target, cat and dynamic_feat", "[io][jsonlines]",
                   float, double) {
    const auto s = parse_jsonlines<TestType>(
        R"({"start": "2014-01-01 00:00:00", "target": [1.0, "NaN", 3, null, -2.5e-1], "cat": [0, 3], )"
        R"("dynamic_feat": [[0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 0, 0, 1]]})"
        "\n"
        R"({"target": [7], "cat": [1, 0], "dynamic_feat": [[9], [8]], "start": "2015-06-30"})",
        {}, "s.jsonl");
    REQUIRE(s.size() == 2);
    SECTION("start is split into calendar fields") {
        CHECK(s[0].start == Timestamp{2014, 1, 1, 0, 0, 0});
        CHECK(s[1].start == Timestamp{2015, 6, 30, 0, 0, 0});
    }
    SECTION("target holds numbers, with \"NaN\" and null read as NaN") {
        REQUIRE(s[0].target.size() == 5);
        CHECK(s[0].target(0) == TestType(1));
        CHECK(std::isnan(s[0].target(1)));
        CHECK(s[0].target(2) == TestType(3));
        CHECK(std::isnan(s[0].target(3)));
        CHECK(s[0].target(4) == TestType(-0.25));
        CHECK(s[1].target.size() == 1);
    }
    SECTION("cat holds the integers") {
        CHECK(s[0].cat == std::vector<int>{0, 3});
        CHECK(s[1].cat == std::vector<int>{1, 0});
    }
    SECTION("dynamic_feat has one row per feature and one column per time step") {
        REQUIRE(s[0].dynamic_feat.rows() == 2);
        REQUIRE(s[0].dynamic_feat.cols() == 5);
        CHECK(s[0].dynamic_feat(0, 1) == TestType(0.2));
        CHECK(s[0].dynamic_feat(1, 4) == TestType(1));
        CHECK(s[1].dynamic_feat.rows() == 2);
        CHECK(s[1].dynamic_feat.cols() == 1);
        CHECK(s[1].dynamic_feat(0, 0) == TestType(9));
        CHECK(s[1].dynamic_feat(1, 0) == TestType(8));
    }
}

TEST_CASE("optional members may be absent and unknown members are ignored", "[io][jsonlines]") {
    SECTION("a series with only start and target has no cat and an empty dynamic_feat") {
        const auto s = parse_jsonlines(series());
        CHECK(s[0].cat.empty());
        CHECK(s[0].dynamic_feat.size() == 0);
    }
    SECTION("unknown keys with any JSON value, however nested, are skipped") {
        const auto s = parse_jsonlines(series(
            R"(, "id": "abc \"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 é", "meta": {"a": [true, false, null, {}, [], -0.5e+3, {"b": [[1]]}]}, "n": null)"));
        CHECK(s[0].target.size() == 3);
    }
    SECTION("keys may be written with escapes") {
        const auto s = parse_jsonlines(R"({"st\u0061rt": "2014-01-01", "t\u0061rget": [5]})");
        CHECK(s[0].target(0) == 5.0);
    }
    SECTION("whitespace around tokens and CRLF line ends are fine; blank lines are skipped and counted") {
        const std::string text = "\r\n  { \"start\" :\t\"2014-01-01\" , \"target\" : [ 1 , 2 ] }  \r\n\n" +
                                 series("", "[1, \"x\"]");
        REQUIRE_THROWS_MATCHES(parse_jsonlines(text, {}, "s.jsonl"), shelf::data_error,
                               Fails(errc::parse_error, "s.jsonl:4:"));
        CHECK(parse_jsonlines(
                  "\xEF\xBB\xBF\r\n  { \"start\" :\t\"2014-01-01\" , \"target\" : [ 1 , 2 ] }  \r\n\n")
                  .size() == 1);
    }
}

TEST_CASE("start accepts a date-time or a date, and only real dates", "[io][jsonlines]") {
    auto start_of = [](const std::string& s) {
        return parse_jsonlines("{\"start\": \"" + s + "\", \"target\": [1]}")[0].start;
    };
    SECTION("date and time, with a space or a 'T'") {
        CHECK(start_of("2014-01-01 13:45:59") == Timestamp{2014, 1, 1, 13, 45, 59});
        CHECK(start_of("1999-12-31T23:00:01") == Timestamp{1999, 12, 31, 23, 0, 1});
    }
    SECTION("a date alone means midnight") {
        CHECK(start_of("2014-01-02") == Timestamp{2014, 1, 2, 0, 0, 0});
    }
    SECTION("leap days exist only in leap years") {
        CHECK(start_of("2016-02-29").day == 29);
        CHECK(start_of("2000-02-29").day == 29);
        for (const char* bad :
             {"2015-02-29", "1900-02-29", "2014-13-01", "2014-00-10", "2014-04-31", "2014-01-00"}) {
            INFO(bad);
            REQUIRE_THROWS_MATCHES(start_of(bad), shelf::data_error,
                                   Fails(errc::parse_error, "<string>:1:11: \"start\" is not a valid date"));
        }
    }
    SECTION("times of day beyond 23:59:59 are rejected") {
        REQUIRE_THROWS_MATCHES(start_of("2014-01-01 24:00:00"), shelf::data_error,
                               Fails(errc::parse_error, "not a valid time of day"));
        REQUIRE_THROWS_MATCHES(start_of("2014-01-01 00:60:00"), shelf::data_error,
                               Fails(errc::parse_error, "not a valid time of day"));
    }
    SECTION("other shapes are rejected with the expected forms in the message") {
        for (const char* bad : {"2014-1-1", "2014/01/01", "2014-01-01 00:00", "2014-01-01  00:00:00", "", "x",
                                "2014-01-01 00:00:00Z", "20a4-01-01"}) {
            INFO(bad);
            REQUIRE_THROWS_MATCHES(
                start_of(bad), shelf::data_error,
                Fails(errc::parse_error, "<string>:1:11: \"start\" must be \"YYYY-MM-DD HH:MM:SS\""));
        }
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(R"({"start": 2014, "target": [1]})", {}, "s.jsonl"), shelf::data_error,
            Fails(errc::parse_error, "s.jsonl:1:11: \"start\" must be a string, found a number"));
    }
}

TEST_CASE("series members with the wrong type or content are rejected at their byte column",
          "[io][jsonlines]") {
    SECTION("target must be a non-empty array of numbers, \"NaN\" or null") {
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series("", "\"abc\""), {}, "s.jsonl"), shelf::data_error,
            Fails(errc::parse_error, "s.jsonl:1:44: \"target\" must be an array, found a string"));
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series("", "[1, \"inf\"]"), {}, "s.jsonl"), shelf::data_error,
            Fails(errc::parse_error,
                  "s.jsonl:1:48: target values must be numbers, \"NaN\" or null; found the string \"inf\""));
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series("", "[1, true]"), {}, "s.jsonl"), shelf::data_error,
            Fails(errc::parse_error,
                  "s.jsonl:1:48: target values must be numbers, \"NaN\" or null; found a boolean"));
        REQUIRE_THROWS_MATCHES(parse_jsonlines(series("", "[[1]]"), {}, "s.jsonl"), shelf::data_error,
                               Fails(errc::parse_error, "found an array"));
        REQUIRE_THROWS_MATCHES(parse_jsonlines(series("", "[]"), {}, "s.jsonl"), shelf::data_error,
                               Fails(errc::empty_data, "s.jsonl:1:44: \"target\" is empty"));
    }
    SECTION("a number too large for the type is not_finite") {
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines<float>(series("", "[1e39]"), {}, "s.jsonl"), shelf::data_error,
            Fails(errc::not_finite, "s.jsonl:1:45: target value \"1e39\" is out of range for float"));
        CHECK(parse_jsonlines<double>(series("", "[1e39]"))[0].target(0) == 1e39);
    }
    SECTION("cat values must be integer literals from 0 to INT_MAX") {
        for (const char* bad : {"[-1]", "[1.0]", "[1e2]", "[2147483648]"}) {
            INFO(bad);
            REQUIRE_THROWS_MATCHES(parse_jsonlines(series(std::string(", \"cat\": ") + bad), {}, "s.jsonl"),
                                   shelf::data_error,
                                   Fails(errc::parse_error, "s.jsonl:1:63: cat values must be integers"));
        }
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series(", \"cat\": [\"1\"]"), {}, "s.jsonl"), shelf::data_error,
            Fails(errc::parse_error,
                  "s.jsonl:1:63: cat values must be non-negative integers; found a string"));
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series(", \"cat\": 3"), {}, "s.jsonl"), shelf::data_error,
            Fails(errc::parse_error, "s.jsonl:1:62: \"cat\" must be an array, found a number"));
        CHECK(parse_jsonlines(series(", \"cat\": [2147483647]"))[0].cat[0] == 2147483647);
    }
    SECTION("every dynamic_feat array must be as long as the target") {
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series(", \"dynamic_feat\": [[1, 2, 3], [1, 2]]"), {}, "s.jsonl"),
            shelf::data_error,
            Fails(errc::shape_mismatch,
                  "s.jsonl:1:83: dynamic_feat[1] has 2 values, expected 3 "
                  "(target length 3 + prediction_length 0)"));
        REQUIRE_THROWS_MATCHES(parse_jsonlines(series(", \"dynamic_feat\": [[1, 2, 3, 4]]"), {}, "s.jsonl"),
                               shelf::data_error,
                               Fails(errc::shape_mismatch, "s.jsonl:1:72: dynamic_feat[0] has 4 values"));
    }
    SECTION("with prediction_length, dynamic_feat must also cover the forecast horizon") {
        JsonLinesOptions o;
        o.prediction_length = 2;
        const auto s = parse_jsonlines(series(", \"dynamic_feat\": [[1, 2, 3, 4, 5]]"), o);
        CHECK(s[0].dynamic_feat.cols() == 5);
        CHECK(s[0].target.size() == 3);
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series(", \"dynamic_feat\": [[1, 2, 3]]"), o, "s.jsonl"), shelf::data_error,
            Fails(errc::shape_mismatch, "has 3 values, expected 5 (target length 3 + prediction_length 2)"));
        o.prediction_length = -1;
        REQUIRE_THROWS_AS(parse_jsonlines(series(), o), shelf::invalid_argument);
    }
    SECTION("dynamic_feat must be an array of arrays of numbers") {
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series(", \"dynamic_feat\": [1, 2, 3]"), {}, "s.jsonl"), shelf::data_error,
            Fails(errc::parse_error, "s.jsonl:1:72: a dynamic_feat entry must be an array, found a number"));
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(series(", \"dynamic_feat\": [[1, null, 3]]"), {}, "s.jsonl"), shelf::data_error,
            Fails(errc::parse_error, "s.jsonl:1:76: dynamic_feat values must be numbers; found null"));
    }
    SECTION("start and target are required") {
        REQUIRE_THROWS_MATCHES(parse_jsonlines("{\"target\": [1]}", {}, "s.jsonl"), shelf::data_error,
                               Fails(errc::parse_error, "s.jsonl:1:1: missing required key \"start\""));
        REQUIRE_THROWS_MATCHES(parse_jsonlines(" {\"start\": \"2014-01-01\"}", {}, "s.jsonl"),
                               shelf::data_error,
                               Fails(errc::parse_error, "s.jsonl:1:2: missing required key \"target\""));
        REQUIRE_THROWS_MATCHES(parse_jsonlines("{}", {}, "s.jsonl"), shelf::data_error,
                               Fails(errc::parse_error, "s.jsonl:1:1: missing required key"));
    }
    SECTION("a known key given twice is an error at the second key") {
        REQUIRE_THROWS_MATCHES(parse_jsonlines(series(", \"target\": [4]"), {}, "s.jsonl"), shelf::data_error,
                               Fails(errc::parse_error, "s.jsonl:1:55: duplicate key \"target\""));
    }
    SECTION("all series must have as many cat values and dynamic features as the first") {
        const std::string first = series(", \"cat\": [1], \"dynamic_feat\": [[1, 2, 3]]");
        REQUIRE_THROWS_MATCHES(
            parse_jsonlines(first + series(", \"cat\": [1, 2], \"dynamic_feat\": [[1, 2, 3]]"), {},
                            "s.jsonl"),
            shelf::data_error,
            Fails(errc::shape_mismatch, "s.jsonl:2:62: series has 2 cat values, expected 1 as in line 1"));
        REQUIRE_THROWS_MATCHES(parse_jsonlines(first + "\n" + series(", \"cat\": [1]"), {}, "s.jsonl"),
                               shelf::data_error,
                               Fails(errc::shape_mismatch,
                                     "s.jsonl:3:1: series has 0 dynamic features, expected 1 as in line 1"));
    }
    SECTION("a file without any series is empty_data") {
        REQUIRE_THROWS_MATCHES(parse_jsonlines("\n  \n", {}, "s.jsonl"), shelf::data_error,
                               Fails(errc::empty_data, "s.jsonl: no series"));
    }
}

TEST_CASE("the JSON syntax is checked strictly, with line and byte column", "[io][jsonlines]") {
    struct Case {
        std::string line;
        std::string where;
    };
    const std::string ok = R"({"start": "2014-01-01", "target": [1]})";
    const Case cases[] = {
        {R"({"start": "2014-01-01, "target": [1]})", "s.jsonl:2:"},  // string closes early, then junk
        {R"({"start": "2014-01-01", "target": [1], "x": "abc)", "s.jsonl:2:45: unterminated string"},
        {R"({"start": "2014-01-01", "target": [1, 2,]})", "s.jsonl:2:41: trailing comma before ']'"},
        {R"({"start": "2014-01-01", "target": [1],})", "s.jsonl:2:39: trailing comma before '}'"},
        {R"({"start": "2014-01-01", "target": [1], "x": [1,]})", "s.jsonl:2:48: trailing comma before ']'"},
        {R"({"start": "2014-01-01", "target": [1], "x": {"a": 1,}})",
         "s.jsonl:2:53: trailing comma before '}'"},
        {R"({"start": "2014-01-01", "target": [01]})", "s.jsonl:2:36: invalid number: leading zeros"},
        {R"({"start": "2014-01-01", "target": [1.]})",
         "s.jsonl:2:38: invalid number: expected a digit after '.'"},
        {R"({"start": "2014-01-01", "target": [.5]})", "s.jsonl:2:36: target values must be numbers"},
        {R"({"start": "2014-01-01", "target": [1e]})",
         "s.jsonl:2:38: invalid number: expected a digit in the exponent"},
        {R"({"start": "2014-01-01", "target": [+1]})", "s.jsonl:2:36: target values must be numbers"},
        {R"({"start": "2014-01-01", "target": [-]})", "s.jsonl:2:36: invalid number"},
        {R"({"start": "2014-01-01", "target": [NaN]})", "s.jsonl:2:36: target values must be numbers"},
        {R"({"start": "2014-01-01", "target": [1 2]})",
         "s.jsonl:2:38: expected ',' or ']' in \"target\", found a number"},
        {R"({"start": "2014-01-01", "target": [1)",
         "s.jsonl:2:37: expected ',' or ']' in \"target\", found end of line"},
        {R"({"start": "2014-01-01" "target": [1]})",
         "s.jsonl:2:24: expected ',' or '}' in object, found a string"},
        {R"({"start" "2014-01-01", "target": [1]})", "s.jsonl:2:10: expected ':', found a string"},
        {R"({'start': "2014-01-01", "target": [1]})", "s.jsonl:2:2: expected a string key, found \"'\""},
        {R"({start: "2014-01-01", "target": [1]})", "s.jsonl:2:2: expected a string key"},
        {R"({"start": "2014-01-01", "target": [1]} x)", "s.jsonl:2:40: unexpected text after the object"},
        {R"({"start": "2014-01-01", "target": [1]}{})", "s.jsonl:2:39: unexpected text after the object"},
        {R"([{"start": "2014-01-01", "target": [1]}])",
         "s.jsonl:2:1: each line must be a JSON object, found an array"},
        {R"({"start": "2014-01-01", "target": [1], "x": tru})",
         "s.jsonl:2:45: expected a value, found \"tru\""},
        {R"({"start": "2014-01-01", "target": [1], "x": nul})", "s.jsonl:2:45: expected a value"},
        {R"({"start": "2014-01-01", "target": [1], "x": })", "s.jsonl:2:45: expected a value, found \"}\""},
        {R"({"start": "2014-01-01", "target": [1], "x": "\q"})", "s.jsonl:2:46: invalid escape \"\\\\q\""},
        {R"({"start": "2014-01-01", "target": [1], "x": "\u12G4"})", "s.jsonl:2:46: invalid \\u escape"},
        {R"({"start": "2014-01-01", "target": [1], "x": "\u12"})", "s.jsonl:2:46: invalid \\u escape"},
        {R"({"start": "2014-01-01", "target": [1], "x": "\udc00"})", "s.jsonl:2:46: unpaired low surrogate"},
        {R"({"start": "2014-01-01", "target": [1], "x": "\ud800"})", "s.jsonl:2:46: high surrogate"},
        {R"({"start": "2014-01-01", "target": [1], "x": "\ud800\u0041"})", "s.jsonl:2:46: high surrogate"},
        {"{\"start\": \"2014-01-01\", \"target\": [1], \"x\": \"a\tb\"}",
         "s.jsonl:2:47: control character in string"},
        {"{\"start\": \"2014-01-01\", \"target\": [1], \"x\": \"a\xff\"}",
         "s.jsonl:2:47: invalid UTF-8 in string"},
        {"{\"start\": \"2014-01-01\", \"target\": [1], \"x\": \"\xc3\"}",
         "s.jsonl:2:46: invalid UTF-8 in string"},
        {"{\"start\": \"2014-01-01\", \"target\": [1], \"x\": \"\xc0\xaf\"}",
         "s.jsonl:2:46: invalid UTF-8"},  // overlong '/'
        {"{\"start\": \"2014-01-01\", \"target\": [1], \"x\": \"\xed\xa0\x80\"}",
         "s.jsonl:2:46: invalid UTF-8"},  // surrogate
        {"{\"start\": \"2014-01-01\", \"target\": [1], \"x\": \"\xf4\x90\x80\x80\"}",
         "s.jsonl:2:46: invalid UTF-8"},  // > U+10FFFF
        {"{\"start\": \"2014-01-01\", \"target\": [1], \"x\": " + std::string(300, '[') +
             std::string(300, ']') + "}",
         "nested more than 256 levels deep"},
    };
    CHECK_NOTHROW(parse_jsonlines(ok + "\n" + ok));
    for (const Case& c : cases) {
        INFO(c.line);
        REQUIRE_THROWS_MATCHES(parse_jsonlines(ok + "\n" + c.line + "\n" + ok, {}, "s.jsonl"),
                               shelf::data_error, Fails(errc::parse_error, c.where));
    }
    SECTION("nesting up to the limit is accepted") {
        const std::string deep = std::string(250, '[') + std::string(250, ']');
        CHECK_NOTHROW(parse_jsonlines(series(", \"x\": " + deep)));
    }
    SECTION("valid multi-byte UTF-8 and surrogate pairs are accepted") {
        CHECK_NOTHROW(parse_jsonlines(
            series(", \"x\": \"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \\ud83d\\ude00 \\u0000\"")));
    }
}

TEST_CASE("read_jsonlines reads a file and names it in errors", "[io][jsonlines]") {
    const auto s = shelf::read_jsonlines<float>(SHELF_IO_TEST_DATA "/series.jsonl");
    REQUIRE(s.size() == 3);
    CHECK(s[2].start == Timestamp{2014, 1, 3, 12, 30, 0});
    CHECK(std::isnan(s[1].target(1)));
    CHECK(s[0].dynamic_feat.rows() == 1);
    REQUIRE_THROWS_MATCHES(shelf::read_jsonlines("/nonexistent/s.jsonl"), shelf::data_error,
                           Fails(errc::io_failure, "/nonexistent/s.jsonl: cannot open"));
    io_test::TempFile f(series() + series("", "[1,]"), "bad.jsonl");
    REQUIRE_THROWS_MATCHES(shelf::read_jsonlines(f.path()), shelf::data_error,
                           Fails(errc::parse_error, f.path() + ":2:47: trailing comma"));
}
