// Instantiates the whole public API of shelf::gbt for float and double. tests/trees/CMakeLists.txt
// compiles this file with -Wconversion (which shelf_add_test relaxes elsewhere), so that the
// headers are held to the project's full warning set.
#include <catch2/catch.hpp>

#include <sstream>
#include <type_traits>

#include <shelf/trees.hpp>
#include <shelf/trees/xgboost_json.hpp>

namespace {

template <class T>
void round_trip() {
    static_assert(!std::is_default_constructible_v<shelf::gbt::Model<T>>, "no public empty model");
    shelf::RowMatrix<T> X(64, 3);
    shelf::Vector<T> y(64);
    for (shelf::Index r = 0; r < 64; ++r) {
        for (shelf::Index c = 0; c < 3; ++c) X(r, c) = static_cast<T>((r * (c + 3)) % 17) / T(4);
        y[r] = X(r, 0) > T(2) ? T(1) : T(0);
    }
    shelf::gbt::Params p;
    p.num_round = 3;
    p.objective = "binary:logistic";
    p.num_threads = 1;
    const shelf::gbt::Model<T> m = shelf::gbt::fit(X, y, p, {X, y}, {}, shelf::Vector<T>::Ones(64));
    std::stringstream file;
    m.save(file);
    CHECK(shelf::gbt::Model<T>::load(file) == m);
    CHECK(shelf::gbt::from_xgboost_json<T>(shelf::gbt::to_xgboost_json(m)).trees() == m.trees());
    CHECK(shelf::gbt::evaluate(m, X, y).front().second < 0.5);
    CHECK(m.importance(shelf::gbt::Importance::gain)[0] > 0);
    CHECK(m.predict(X).rows() == 64);
    shelf::gbt::PredictOptions margin;
    margin.output_margin = true;
    CHECK(m.margin_to_output(m.predict(X, margin)) == m.predict(X));
    CHECK(shelf::from_map<shelf::gbt::Params>({{"num_round", "2"}, {"nthread", "1"}, {"seed", "7"}}).seed == 7);
}

}  // namespace

TEMPLATE_TEST_CASE("the API compiles and runs for float and double", "[trees][api]", float, double) {
    round_trip<TestType>();
}
