// Spec of the chunked CSV reader (shelf::CsvReader).
#include <shelf/io/csv.hpp>

#include <random>
#include <sstream>

#include "io_test_util.hpp"

using io_test::Fails;
using shelf::CsvData;
using shelf::CsvOptions;
using shelf::CsvReader;
using shelf::errc;
using shelf::Index;

namespace {

std::string make_csv(int rows, int cols, unsigned seed, bool crlf = false) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-1000, 1000);
    std::ostringstream os;
    os.precision(17);
    for (int i = 0; i < rows; ++i) {
        if (i % 11 == 5) os << (crlf ? "\r\n" : "\n");  // blank lines here and there
        os << (i % 3);
        for (int j = 0; j < cols; ++j) os << ',' << u(rng);
        os << (crlf ? "\r\n" : "\n");
    }
    return os.str();
}

/// All batches of a reader concatenated, checking the batch sizes on the way.
template <class T>
CsvData<T> read_all(CsvReader<T>& reader, Index batch_rows) {
    CsvData<T> all, batch;
    std::vector<Index> sizes;
    while (reader.next_batch(batch)) {
        sizes.push_back(batch.features.rows());
        REQUIRE(batch.features.rows() >= 1);
        REQUIRE(batch.features.rows() <= batch_rows);
        REQUIRE((batch.labels.size() == 0 || batch.labels.size() == batch.features.rows()));
        const Index n = all.features.rows();
        all.features.conservativeResize(n + batch.features.rows(), batch.features.cols());
        all.features.bottomRows(batch.features.rows()) = batch.features;
        const Index m = all.labels.size();
        all.labels.conservativeResize(m + batch.labels.size());
        all.labels.tail(batch.labels.size()) = batch.labels;
    }
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i)
        REQUIRE(sizes[i] == batch_rows);    // only the last is short
    CHECK_FALSE(reader.next_batch(batch));  // stays at the end
    return all;
}

}  // namespace

TEMPLATE_TEST_CASE("streaming a CSV in small blocks gives exactly the one-shot result", "[io][csv][stream]",
                   float, double) {
    const std::string text = make_csv(103, 5, 7);
    const auto whole = shelf::parse_csv<TestType>(text, {}, "s.csv");
    REQUIRE(whole.features.rows() == 103);

    for (std::size_t block : {std::size_t(1), std::size_t(7), std::size_t(64), std::size_t(1) << 20}) {
        for (Index batch_rows : {Index(1), Index(10), Index(103), Index(1000)}) {
            INFO("block " << block << ", batch_rows " << batch_rows);
            std::istringstream in(text);
            CsvReader<TestType> reader(in, {}, "s.csv", batch_rows, block);
            const auto all = read_all(reader, batch_rows);
            REQUIRE(all.features == whole.features);
            REQUIRE(all.labels == whole.labels);
            CHECK(reader.rows_read() == 103);
            CHECK(reader.num_features() == 5);
        }
    }
}

TEST_CASE("the chunked reader handles headers, CRLF, a BOM and unlabelled data like the one-shot reader",
          "[io][csv][stream]") {
    CsvOptions o;
    o.has_header = true;
    o.has_label = false;
    o.allow_missing = true;
    const std::string text =
        "\xEF\xBB\xBF"
        "a,b,c\r\n" +
        make_csv(20, 2, 3, true) + "1,,nan";  // no final newline
    const auto whole = shelf::parse_csv(text, o);
    std::istringstream in(text);
    CsvReader<double> reader(in, o, "s.csv", 6, 7);
    const auto all = read_all(reader, 6);
    REQUIRE(all.features.rows() == whole.features.rows());
    CHECK(all.labels.size() == 0);
    // compare with NaN == NaN
    CHECK(all.features.array().isNaN().matrix() == whole.features.array().isNaN().matrix());
    CHECK((all.features.array().isNaN()).count() == 2);
    CHECK(all.features.array().isNaN().select(0, all.features).matrix() ==
          whole.features.array().isNaN().select(0, whole.features).matrix());
}

TEST_CASE("errors from the chunked reader carry the same line and column as one-shot parsing",
          "[io][csv][stream]") {
    std::string text = make_csv(40, 3, 11);
    // break line 29 (counting the blank lines make_csv inserts; line 30 is blank)
    std::size_t pos = 0;
    for (int line = 1; line < 29; ++line) pos = text.find('\n', pos) + 1;
    const std::size_t comma = text.find(',', pos);
    text.insert(comma + 1, "oops");

    std::string one_shot;
    try {
        shelf::parse_csv(text, {}, "s.csv");
    } catch (const shelf::data_error& e) {
        one_shot = e.what();
    }
    INFO(one_shot);
    REQUIRE(one_shot.find("s.csv:29:2: expected a number, found \"oops") != std::string::npos);

    SECTION("the error is thrown from the batch that reaches the bad line, with the same message") {
        std::istringstream in(text);
        CsvReader<double> reader(in, {}, "s.csv", 4, 7);
        CsvData<double> batch;
        Index good = 0;
        std::string streamed;
        try {
            while (reader.next_batch(batch)) good += batch.features.rows();
        } catch (const shelf::data_error& e) {
            streamed = e.what();
        }
        CHECK(streamed == one_shot);
        CHECK(good < 40);
        SECTION("and the reader stays failed, repeating the same error") {
            REQUIRE_THROWS_MATCHES(reader.next_batch(batch), shelf::data_error,
                                   Fails(errc::parse_error, "s.csv:29:2:"));
        }
    }
    SECTION("ragged rows are reported at the same place by both readers") {
        const std::string ragged = "1,2,3\n\n4,5,6\n7,8\n";
        std::istringstream in(ragged);
        CsvReader<float> reader(in, {}, "r.csv", 100, 3);
        CsvData<float> batch;
        REQUIRE_THROWS_MATCHES(
            reader.next_batch(batch), shelf::data_error,
            Fails(errc::shape_mismatch, "r.csv:4:3: row has 2 fields, expected 3 as in line 1"));
        REQUIRE_THROWS_MATCHES(
            shelf::parse_csv(ragged, {}, "r.csv"), shelf::data_error,
            Fails(errc::shape_mismatch, "r.csv:4:3: row has 2 fields, expected 3 as in line 1"));
    }
    SECTION("the shape is fixed by the first row even across batches") {
        std::istringstream in("1,2,3\n4,5,6\n7,8,9,10\n");
        CsvReader<double> reader(in, {}, "r.csv", 2, 5);
        CsvData<double> batch;
        REQUIRE(reader.next_batch(batch));
        CHECK(batch.features.rows() == 2);
        REQUIRE_THROWS_MATCHES(
            reader.next_batch(batch), shelf::data_error,
            Fails(errc::shape_mismatch, "r.csv:3:4: row has 4 fields, expected 3 as in line 1"));
    }
}

TEST_CASE("the chunked reader opens files, reports empty input and checks its settings",
          "[io][csv][stream]") {
    SECTION("a file is read in batches and errors name its path") {
        const std::string text = make_csv(25, 4, 5);
        io_test::TempFile f(text, "stream.csv");
        CsvReader<double> reader(f.path(), {}, 8, 16);
        const auto all = read_all(reader, 8);
        CHECK(all.features == shelf::parse_csv(text).features);
        CHECK(reader.source_name() == f.path());
        CHECK(reader.line_number() == 27);  // 25 rows + 2 blank lines
    }
    SECTION("a missing file is an io_failure at construction") {
        REQUIRE_THROWS_MATCHES(CsvReader<double>("/nonexistent/stream.csv"), shelf::data_error,
                               Fails(errc::io_failure, "/nonexistent/stream.csv: cannot open"));
    }
    SECTION("input without data rows is empty_data on the first call, like read_csv") {
        std::istringstream in("\n\n");
        CsvReader<double> reader(in, {}, "e.csv");
        CsvData<double> batch;
        REQUIRE_THROWS_MATCHES(reader.next_batch(batch), shelf::data_error,
                               Fails(errc::empty_data, "e.csv: no data rows"));
    }
    SECTION("num_features is -1 before the first row and known after it") {
        std::istringstream in("1,2,3\n");
        CsvReader<double> reader(in, {}, "x.csv");
        CHECK(reader.num_features() == -1);
        CsvData<double> batch;
        REQUIRE(reader.next_batch(batch));
        CHECK(reader.num_features() == 2);
        CHECK_FALSE(reader.next_batch(batch));
        CHECK(batch.features.rows() == 1);  // untouched by the final call
    }
    SECTION("batch_rows < 1 and block_bytes == 0 are invalid arguments") {
        std::istringstream in("1,2\n");
        REQUIRE_THROWS_MATCHES(CsvReader<double>(in, {}, "x", 0), shelf::invalid_argument,
                               Fails(errc::out_of_range, "batch_rows"));
        REQUIRE_THROWS_MATCHES(CsvReader<double>(in, {}, "x", 10, 0), shelf::invalid_argument,
                               Fails(errc::out_of_range, "block_bytes"));
    }
    SECTION("a reader can be moved and continues where it was") {
        std::istringstream in("1,2\n3,4\n5,6\n");
        CsvReader<double> a(in, {}, "m.csv", 1, 2);
        CsvData<double> batch;
        REQUIRE(a.next_batch(batch));
        CsvReader<double> b(std::move(a));
        REQUIRE(b.next_batch(batch));
        CHECK(batch.labels(0) == 3.0);
        REQUIRE(b.next_batch(batch));
        CHECK(batch.features(0, 0) == 6.0);
        CHECK_FALSE(b.next_batch(batch));
    }
}
