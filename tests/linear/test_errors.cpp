// Bad input: each is a clear error naming what is wrong and what was expected.
#include <catch2/catch.hpp>

#include <limits>

#include <shelf/linear.hpp>

#include "synthetic.hpp"

using namespace shelf::linear;
using shelf::Index;
using synthetic::params;

TEST_CASE("bad labels are refused, naming the row", "[linear][errors]") {
    auto data = synthetic::logistic<float>(500, 3, 41);
    SECTION("a binary label other than 0/1 or -1/+1") {
        data.y[17] = 2;
        REQUIRE_THROWS_WITH(fit(data.X, data.y, params(PredictorType::binary_classifier)),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("the label in row 17 is 2") &&
                                Catch::Contains("expects labels 0 and 1 (or -1 and +1)"));
    }
    SECTION("0 mixed with -1") {
        data.y[3] = -1;
        REQUIRE_THROWS_WITH(fit(data.X, data.y, params(PredictorType::binary_classifier)),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("mix 0 and -1"));
    }
    SECTION("a single class") {
        data.y.setZero();
        REQUIRE_THROWS_WITH(fit(data.X, data.y, params(PredictorType::binary_classifier)),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("every label of the training data is 0"));
    }
    SECTION("a class id >= num_classes, or not a whole number") {
        Params p = params(PredictorType::multiclass_classifier);
        p.num_classes = 3;
        data.y[40] = 3;
        REQUIRE_THROWS_WITH(fit(data.X, data.y, p), Catch::Contains("shelf.data_error.204") &&
                                                        Catch::Contains("the label in row 40 is 3") &&
                                                        Catch::Contains("class id 0 .. 2 (num_classes = 3)"));
        data.y[40] = 1.5f;
        REQUIRE_THROWS_WITH(fit(data.X, data.y, p), Catch::Contains("the label in row 40 is 1.5"));
    }
    SECTION("a NaN label") {
        data.y[5] = std::numeric_limits<float>::quiet_NaN();
        REQUIRE_THROWS_WITH(fit(data.X, data.y, params(PredictorType::regressor)),
                            Catch::Contains("shelf.data_error.203") && Catch::Contains("the label in row 5 is NaN"));
    }
    SECTION("bad labels in the validation channel are named as such") {
        auto valid = synthetic::logistic<float>(100, 3, 42);
        valid.y[9] = 5;
        REQUIRE_THROWS_WITH(fit(data.X, data.y, params(PredictorType::binary_classifier), {valid.X, valid.y}),
                            Catch::Contains("validation data") && Catch::Contains("the label in row 9 is 5"));
    }
}

TEST_CASE("NaN features are refused, naming row and column", "[linear][errors]") {
    auto data = synthetic::regression<double>(300, 4, 0.1, 43);
    data.X(12, 2) = std::numeric_limits<double>::quiet_NaN();
    const auto p = params(PredictorType::regressor);
    REQUIRE_THROWS_WITH(fit(data.X, data.y, p), Catch::Contains("shelf.data_error.203") &&
                                                    Catch::Contains("X(12, 2) is nan (row 12, column 2, from 0)"));
    const shelf::SparseMatrix<double> S = data.X.sparseView();
    REQUIRE_THROWS_WITH(fit(S, data.y, p), Catch::Contains("shelf.data_error.203") && Catch::Contains("row 12, column 2"));
    const auto other = synthetic::regression<double>(300, 4, 0.1, 44);
    REQUIRE_THROWS_WITH(fit(other.X, other.y, p, {S, data.y}),
                        Catch::Contains("linear-learner fit (validation data): X(12, 2) is nan"));
    SECTION("in predict too") {
        const auto clean = synthetic::regression<double>(300, 4, 0.1, 44);
        const auto model = fit(clean.X, clean.y, p);
        REQUIRE_THROWS_WITH(model.predict(data.X), Catch::Contains("shelf.data_error.203") &&
                                                       Catch::Contains("linear-learner predict"));
    }
}

TEST_CASE("shapes that do not agree are refused", "[linear][errors]") {
    const auto data = synthetic::regression<float>(300, 4, 0.1, 45);
    Params p = params(PredictorType::regressor);
    SECTION("feature_dim different from the data's columns") {
        p.feature_dim = 5;
        REQUIRE_THROWS_WITH(fit(data.X, data.y, p), Catch::Contains("shelf.data_error.202") &&
                                                        Catch::Contains("4 feature columns but feature_dim = 5"));
        p.feature_dim = 3;
        const shelf::SparseMatrix<float> S = data.X.sparseView();
        REQUIRE_THROWS_WITH(fit(S, data.y, p), Catch::Contains("shelf.data_error.202"));
    }
    SECTION("predict on rows of another width") {
        const auto model = fit(data.X, data.y, p);
        const shelf::RowMatrix<float> wide = shelf::RowMatrix<float>::Zero(3, 5);
        REQUIRE_THROWS_WITH(model.predict(wide), Catch::Contains("shelf.data_error.202") &&
                                                     Catch::Contains("X has 5 columns, the model expects 4"));
        const shelf::SparseMatrix<float> S = wide.sparseView();
        REQUIRE_THROWS_WITH(model.predict(S), Catch::Contains("shelf.data_error.202"));
    }
    SECTION("labels and rows in different numbers, or no rows") {
        const shelf::Vector<float> short_y = data.y.head(299);
        REQUIRE_THROWS_WITH(fit(data.X, short_y, p), Catch::Contains("shelf.data_error.202") &&
                                                         Catch::Contains("300 rows but 299 labels"));
        const shelf::RowMatrix<float> none(0, 4);
        REQUIRE_THROWS_WITH(fit(none, shelf::Vector<float>(0), p), Catch::Contains("shelf.data_error.201"));
    }
    SECTION("a validation channel of another width") {
        const shelf::RowMatrix<float> narrow = data.X.leftCols(3);
        REQUIRE_THROWS_WITH(fit(data.X, data.y, p, {narrow, data.y}),
                            Catch::Contains("shelf.data_error.202") && Catch::Contains("validation channel has 3"));
    }
    SECTION("validation rows with weights: the linear learner weighs none") {
        const shelf::Vector<float> weight = shelf::Vector<float>::Ones(data.y.size());
        REQUIRE_THROWS_WITH(fit(data.X, data.y, p, {data.X, data.y, weight}),
                            Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("weights"));
    }
}

TEST_CASE("hyperparameters that do not fit the predictor type are refused", "[linear][errors]") {
    const auto data = synthetic::logistic<float>(300, 3, 46);
    SECTION("an unknown loss for the predictor type") {
        Params p = params(PredictorType::binary_classifier);
        p.loss = Loss::squared_loss;
        REQUIRE_THROWS_WITH(fit(data.X, data.y, p), Catch::Contains("shelf.invalid_argument.105") &&
                                                        Catch::Contains("does not train a binary_classifier") &&
                                                        Catch::Contains("logistic, hinge_loss"));
        p.predictor_type = PredictorType::regressor;
        p.loss = Loss::softmax_loss;
        REQUIRE_THROWS_AS(fit(data.X, data.y, p), shelf::invalid_argument);
    }
    SECTION("a parameter out of range, caught before any work") {
        Params p = params(PredictorType::binary_classifier);
        p.epochs = 0;
        REQUIRE_THROWS_WITH(fit(data.X, data.y, p), Catch::Contains("shelf.invalid_argument.101") &&
                                                        Catch::Contains("epochs = 0"));
    }
}
