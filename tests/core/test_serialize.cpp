#include <catch2/catch.hpp>

#include <sstream>

#include <shelf/core/serialize.hpp>

namespace {

std::string sample_model() {
    shelf::ModelWriter w("demo", shelf::ScalarType::float32);
    w.params({{"k", "3"}, {"tol", "0.001"}});
    shelf::RowMatrix<float> centers(2, 3);
    centers << 1, 2, 3, 4, 5, 6.5f;
    w.matrix("centers", centers);
    w.array("counts", std::vector<std::int64_t>{10, -20});
    w.scalar("inertia", 12.25);
    std::ostringstream out;
    w.write(out);
    return out.str();
}

shelf::ModelReader read(const std::string& bytes) {
    std::istringstream in(bytes);
    return shelf::ModelReader(in);
}

}  // namespace

TEST_CASE("A model container round-trips parameters and arrays exactly", "[core][serialize]") {
    const auto reader = read(sample_model());
    REQUIRE(reader.family() == "demo");
    REQUIRE(reader.scalar() == shelf::ScalarType::float32);
    REQUIRE(reader.param("k") == "3");
    REQUIRE(reader.params().size() == 2);
    const auto centers = reader.matrix<float>("centers");
    REQUIRE(centers.rows() == 2);
    REQUIRE(centers.cols() == 3);
    REQUIRE(centers(1, 2) == 6.5f);
    REQUIRE(centers(0, 1) == 2.0f);
    REQUIRE(reader.values<std::int64_t>("counts") == std::vector<std::int64_t>{10, -20});
    REQUIRE(reader.scalar<double>("inertia") == 12.25);
    REQUIRE_NOTHROW(reader.expect("demo", shelf::ScalarType::float32));
}

TEST_CASE("The container format is little-endian and starts with a magic number", "[core][serialize]") {
    const auto bytes = sample_model();
    REQUIRE(bytes.substr(0, 8) == "SHELFMDL");
    REQUIRE(bytes[8] == 1);  // format version 1, little-endian
    REQUIRE(bytes[9] == 0);
}

TEST_CASE("A damaged or foreign model file is refused with the reason", "[core][serialize]") {
    const auto good = sample_model();
    SECTION("not a model at all") {
        REQUIRE_THROWS_WITH(read("hello world, this is text"), Catch::Contains("shelf.model_error.301"));
        REQUIRE_THROWS_WITH(read(""), Catch::Contains("empty"));
    }
    SECTION("every truncation is detected") {
        for (std::size_t n = 8; n < good.size(); ++n)
            REQUIRE_THROWS_AS(read(good.substr(0, n)), shelf::model_error);
        REQUIRE_THROWS_WITH(read(good.substr(0, good.size() - 1)), Catch::Contains("shelf.model_error.302"));
    }
    SECTION("every single flipped byte in the body is detected") {
        for (std::size_t i = 20; i < good.size(); ++i) {
            std::string bad = good;
            bad[i] = static_cast<char>(bad[i] ^ 0x40);
            REQUIRE_THROWS_AS(read(bad), shelf::model_error);
        }
        std::string bad = good;
        bad[30] = static_cast<char>(bad[30] ^ 1);
        REQUIRE_THROWS_WITH(read(bad), Catch::Contains("shelf.model_error.303") && Catch::Contains("checksum"));
    }
    SECTION("a newer format version") {
        std::string newer = good;
        newer[8] = 2;
        REQUIRE_THROWS_WITH(read(newer), Catch::Contains("shelf.model_error.305") && Catch::Contains("version 2"));
    }
    SECTION("the wrong family or scalar type") {
        const auto reader = read(good);
        REQUIRE_THROWS_WITH(reader.expect("pca", shelf::ScalarType::float32),
                            Catch::Contains("shelf.model_error.304") && Catch::Contains("demo model, not a pca"));
        REQUIRE_THROWS_WITH(reader.expect("demo", shelf::ScalarType::float64),
                            Catch::Contains("shelf.model_error.306") && Catch::Contains("Model<float>"));
    }
    SECTION("a missing array or parameter, or one of another type") {
        const auto reader = read(good);
        REQUIRE_THROWS_WITH(reader.matrix<float>("weights"), Catch::Contains("lacks array 'weights'"));
        REQUIRE_THROWS_WITH(reader.param("eta"), Catch::Contains("lacks parameter 'eta'"));
        REQUIRE_THROWS_AS(reader.matrix<double>("centers"), shelf::model_error);
        REQUIRE_THROWS_AS(reader.matrix<std::int64_t>("counts"), shelf::model_error);
    }
}
