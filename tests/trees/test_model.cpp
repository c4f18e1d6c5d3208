// Models as values: save / load, and XGBoost's JSON model format in both directions.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include <shelf/core/serialize.hpp>
#include <shelf/trees/xgboost_json.hpp>

#include "fixture.hpp"

using shelf::RowMatrix;
using shelf::Vector;

namespace {

template <class T>
shelf::gbt::Model<T> small_model(const std::string& objective = "binary:logistic") {
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(800, 4, 0.1, 12, X, y);
    shelf::gbt::Params p;
    p.num_round = 4;
    p.objective = objective;
    if (objective == "multi:softprob") {
        p.num_class = 3;
        y += (X.col(3).array() > 1).cast<float>().matrix();
    }
    return shelf::gbt::fit(X.cast<T>().eval(), y.cast<T>().eval(), p);
}

template <class T>
std::string saved(const shelf::gbt::Model<T>& m) {
    std::ostringstream out;
    m.save(out);
    return out.str();
}

template <class T>
shelf::gbt::Model<T> loaded(const std::string& bytes) {
    std::istringstream in(bytes);
    return shelf::gbt::Model<T>::load(in);
}

}  // namespace

TEMPLATE_TEST_CASE("a saved model loads whole and predicts the same", "[trees][model]", float, double) {
    const auto m = small_model<TestType>();
    const auto copy = loaded<TestType>(saved(m));
    CHECK(copy == m);
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(100, 4, 0.1, 13, X, y);
    const RowMatrix<TestType> Xt = X.cast<TestType>();
    CHECK(copy.predict(Xt) == m.predict(Xt));
    CHECK(copy.params().objective == "binary:logistic");
    CHECK(*copy.params().base_score == 0.5);
}

TEST_CASE("damaged or foreign model files are refused", "[trees][model]") {
    const std::string bytes = saved(small_model<float>());
    SECTION("truncated") {
        REQUIRE_THROWS_WITH(loaded<float>(bytes.substr(0, bytes.size() / 2)), Catch::Contains("shelf.model_error.302"));
    }
    SECTION("corrupted") {
        std::string bad = bytes;
        bad[bad.size() / 2] ^= 0x5A;
        REQUIRE_THROWS_WITH(loaded<float>(bad), Catch::Contains("shelf.model_error.303"));
    }
    SECTION("a float model loaded as double") {
        REQUIRE_THROWS_WITH(loaded<double>(bytes), Catch::Contains("shelf.model_error.306"));
    }
    SECTION("another family's model") {
        shelf::ModelWriter w("kmeans", shelf::ScalarType::float32);
        std::ostringstream out;
        w.write(out);
        REQUIRE_THROWS_WITH(loaded<float>(out.str()), Catch::Contains("shelf.model_error.304"));
    }
    SECTION("a tree whose child points outside it") {
        auto m = small_model<float>();
        auto trees = m.trees();
        trees[0].left[0] = 1000;
        REQUIRE_THROWS_WITH(shelf::gbt::Model<float>(m.params(), 4, 0.5f, trees),
                            Catch::Contains("shelf.model_error.307") && Catch::Contains("tree 0"));
    }
}

TEST_CASE("models saved by XGBoost 1.7 predict here as they do there", "[trees][model][xgboost]") {
    // Same trees and thresholds, same float accumulation order: margins agree to float
    // rounding; 1e-5 is the interoperability requirement.
    const auto& d = fixture::data();
    const RowMatrix<float> X = fixture::every(d.X, 2);
    for (const auto& entry : fixture::json("imports.json")) {
        DYNAMIC_SECTION(entry["name"].get<std::string>()) {
            const auto m = shelf::gbt::from_xgboost_json<float>(fixture::read_text(entry["file"].get<std::string>()));
            shelf::gbt::PredictOptions margin;
            margin.output_margin = true;
            CHECK(fixture::max_difference(m.predict(X, margin), fixture::matrix(entry["margins"])) <= 1e-5);
            CHECK(fixture::max_difference(m.predict(X), fixture::matrix(entry["predictions"])) <= 1e-5);
            SECTION("and export back to the same model") {
                CHECK(shelf::gbt::from_xgboost_json<float>(shelf::gbt::to_xgboost_json(m)) == m);
            }
        }
    }
}

TEST_CASE("models exported to XGBoost's format import unchanged", "[trees][model][xgboost]") {
    for (const std::string objective : {"binary:logistic", "multi:softprob", "count:poisson", "reg:pseudohubererror"}) {
        DYNAMIC_SECTION(objective) {
            const auto m = small_model<float>(objective);
            const std::string text = shelf::gbt::to_xgboost_json(m);
            const auto j = nlohmann::json::parse(text);
            CHECK(j["learner"]["objective"]["name"] == objective);
            CHECK(j["learner"]["gradient_booster"]["model"]["trees"].size() == m.trees().size());
            const auto back = shelf::gbt::from_xgboost_json<float>(text);
            CHECK(back.trees() == m.trees());
            CHECK(back.base_score() == m.base_score());
            RowMatrix<float> X;
            Vector<float> y;
            fixture::synthetic(50, 4, 0.1, 14, X, y);
            CHECK(back.predict(X) == m.predict(X));
        }
    }
}

TEST_CASE("XGBoost JSON that shelf cannot represent is refused", "[trees][model][xgboost]") {
    auto j = nlohmann::json::parse(fixture::read_text("xgb_binary.json"));
    SECTION("not JSON") {
        REQUIRE_THROWS_WITH(shelf::gbt::from_xgboost_json<float>("{not json"), Catch::Contains("shelf.model_error.301"));
    }
    SECTION("a dart booster") {
        j["learner"]["gradient_booster"]["name"] = "dart";
        REQUIRE_THROWS_WITH(shelf::gbt::from_xgboost_json<float>(j.dump()),
                            Catch::Contains("shelf.model_error.307") && Catch::Contains("gbtree"));
    }
    SECTION("categorical splits") {
        j["learner"]["gradient_booster"]["model"]["trees"][0]["split_type"][0] = 1;
        REQUIRE_THROWS_WITH(shelf::gbt::from_xgboost_json<float>(j.dump()), Catch::Contains("categorical"));
    }
    SECTION("a missing field") {
        j["learner"]["gradient_booster"]["model"]["trees"][1].erase("left_children");
        REQUIRE_THROWS_WITH(shelf::gbt::from_xgboost_json<float>(j.dump()),
                            Catch::Contains("tree 1 lacks \"left_children\""));
    }
    SECTION("an objective shelf does not have") {
        j["learner"]["objective"]["name"] = "rank:pairwise";
        REQUIRE_THROWS_WITH(shelf::gbt::from_xgboost_json<float>(j.dump()), Catch::Contains("unknown objective"));
    }
}
