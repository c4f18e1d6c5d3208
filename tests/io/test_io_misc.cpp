// Spec of the umbrella header shelf/io.hpp: content types map to formats.
#include <shelf/io.hpp>

#include "io_test_util.hpp"

using shelf::DataFormat;
using shelf::format_from_content_type;

TEST_CASE("content types of the platform's channels map to reader formats", "[io]") {
    SECTION("the documented types, in any case and with parameters") {
        CHECK(format_from_content_type("text/csv") == DataFormat::csv);
        CHECK(format_from_content_type("Text/CSV; charset=utf-8") == DataFormat::csv);
        CHECK(format_from_content_type(" text/csv;label_size=1") == DataFormat::csv);
        CHECK(format_from_content_type("text/libsvm") == DataFormat::libsvm);
        CHECK(format_from_content_type("text/x-libsvm") == DataFormat::libsvm);
        CHECK(format_from_content_type("application/jsonlines") == DataFormat::jsonlines);
        CHECK(format_from_content_type("application/x-jsonlines") == DataFormat::jsonlines);
    }
    SECTION("anything else is an invalid_argument naming the type") {
        for (const char* t : {"", "text/plain", "application/json", "text/csvx", "csv"}) {
            INFO(t);
            REQUIRE_THROWS_MATCHES(format_from_content_type(t), shelf::invalid_argument,
                                   io_test::Fails(shelf::errc::bad_value, "unsupported content type"));
        }
    }
}
