#include <catch2/catch.hpp>

#include <sstream>

#include <shelf/core/model_fields.hpp>
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
    REQUIRE(bytes[8] == 2);  // format version 2, little-endian
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
    SECTION("a newer format version, or the older layout") {
        std::string other = good;
        other[8] = 3;
        REQUIRE_THROWS_WITH(read(other), Catch::Contains("shelf.model_error.305") && Catch::Contains("version 3") &&
                                             Catch::Contains("upgrade shelf"));
        other[8] = 1;
        REQUIRE_THROWS_WITH(read(other), Catch::Contains("shelf.model_error.305") && Catch::Contains("retrain"));
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

namespace {

/// A model described once by its fields, as the families are.
struct Leaf {
    std::vector<std::int32_t> left;
    std::vector<float> value;
};
struct Record {
    double loss = 0;
    int epochs = 0;
    bool kept = false;
};
struct Described {
    struct Params {
        static constexpr const char* family = "described";
        int k = 2;
        template <class V>
        void visit(V&& v) { v("k", k, shelf::Spec("k").at_least(1)); }
        void validate() const { shelf::check_ranges(*this); }
    };
    using Scalar = float;
    Params params_;
    const Params& params() const { return params_; }
    shelf::RowMatrix<float> centers;
    shelf::Vector<float> bias;
    std::vector<double> history;
    int iterations = 0;
    bool stopped = false;
    std::vector<Record> records;
    std::vector<Leaf> trees;

    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        f("centers", m.centers);
        f("bias", m.bias);
        f("history", m.history);
        f("iterations", m.iterations);
        f("stopped", m.stopped);
        f.records("records", m.records, [](auto& r, auto& field) {
            field("loss", r.loss);
            field("epochs", r.epochs);
            field("kept", r.kept);
        });
        f.ragged("tree_offsets", m.trees, [](auto& t, auto& field) {
            field("left", t.left);
            field("value", t.value);
        });
    }
};

}  // namespace

TEST_CASE("A model described by its fields saves, loads and compares whole", "[core][serialize]") {
    Described a;
    a.params_.k = 3;
    a.centers = shelf::RowMatrix<float>::Random(3, 4);
    a.bias = shelf::Vector<float>::Random(3);
    a.history = {3.5, 2.25, -0.0};
    a.iterations = 7;
    a.stopped = true;
    a.records = {{0.5, 3, true}, {0.25, 4, false}};
    a.trees = {{{1, -1, -1}, {0.f, 1.5f, -2.f}}, {{-1}, {4.f}}, {{}, {}}};
    std::stringstream bytes;
    shelf::save_model(a, bytes);
    Described b;
    shelf::load_model(b, bytes);
    REQUIRE(b.params_.k == 3);
    REQUIRE(b.centers == a.centers);
    REQUIRE(b.bias == a.bias);
    REQUIRE(b.history == a.history);
    REQUIRE(b.iterations == 7);
    REQUIRE(b.stopped);
    REQUIRE(b.records.size() == 2);
    REQUIRE(b.records[1].loss == 0.25);
    REQUIRE(b.records[1].epochs == 4);
    REQUIRE_FALSE(b.records[1].kept);
    REQUIRE(b.trees.size() == 3);
    REQUIRE(b.trees[0].left == a.trees[0].left);
    REQUIRE(b.trees[1].value == a.trees[1].value);
    REQUIRE(b.trees[2].left.empty());
    REQUIRE(shelf::same_model(a, b));
    b.history[2] = 0.0;  // -0 and +0: not the same bits, so not the same model
    REQUIRE_FALSE(shelf::same_model(a, b));

    SECTION("a field of another element type, or offsets that decrease, are malformed") {
        shelf::ModelWriter w("described", shelf::ScalarType::float32);
        w.params({{"k", "2"}});
        w.matrix("centers", shelf::RowMatrix<float>::Zero(2, 2));
        w.matrix("bias", shelf::Vector<double>::Zero(2));  // double where float is stored
        std::stringstream out;
        w.write(out);
        Described c;
        REQUIRE_THROWS_WITH(shelf::load_model(c, out), Catch::Contains("shelf.model_error.307") && Catch::Contains("bias"));
    }
}
