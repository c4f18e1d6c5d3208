// The model as a value: predictions, sparse and dense input, round trips, determinism,
// the platform's metrics. Compiled with -Wconversion, for float and double.
#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <string>

#include <shelf/linear.hpp>

#include "synthetic.hpp"

using namespace shelf::linear;
using shelf::Index;
using synthetic::params;

namespace {

template <class T>
std::string saved(const Model<T>& m) {
    std::ostringstream out;
    m.save(out);
    return out.str();
}

template <class T>
Model<T> loaded(const std::string& bytes) {
    std::istringstream in(bytes);
    return Model<T>::load(in);
}

/// Sparse copy with roughly half the entries zero (so the CSR really is sparse).
template <class T>
shelf::SparseMatrix<T> sparsified(shelf::RowMatrix<T>& X) {
    for (Index i = 0; i < X.rows(); ++i)
        for (Index j = 0; j < X.cols(); ++j)
            if ((i + 3 * j) % 2 == 0) X(i, j) = T(0);
    return X.sparseView();
}

}  // namespace

TEMPLATE_TEST_CASE("sparse and dense input give the same model", "[linear][model]", float, double) {
    auto data = synthetic::logistic<TestType>(3000, 6, 31);
    const shelf::SparseMatrix<TestType> S = sparsified(data.X);
    Params p = params(PredictorType::binary_classifier);
    p.normalize_data = false;  // normalization itself differs by design: sparse data are not centered
    p.num_threads = 1;
    const auto dense = fit(data.X, data.y, p);
    const auto sparse = fit(S, data.y, p);
    REQUIRE(dense.report().selected == sparse.report().selected);
    const double tolerance = std::is_same_v<TestType, float> ? 1e-4 : 1e-10;
    REQUIRE((dense.weights() - sparse.weights()).cwiseAbs().maxCoeff() < TestType(tolerance));
    REQUIRE(std::abs(dense.bias()[0] - sparse.bias()[0]) < TestType(tolerance));
    SECTION("and a model predicts the same on either form") {
        REQUIRE((dense.score(data.X) - dense.score(S)).cwiseAbs().maxCoeff() < TestType(1e-5));
        REQUIRE(dense.predict(data.X) == dense.predict(S));
    }
    SECTION("a validation channel may come in the other form") {
        const auto a = fit(data.X, data.y, p, {S, data.y});
        const auto b = fit(data.X, data.y, p, {data.X, data.y});
        REQUIRE(a.weights() == b.weights());
        REQUIRE(a.report().selected == b.report().selected);
    }
}

TEMPLATE_TEST_CASE("a model survives a save and load round trip", "[linear][model]", float, double) {
    const auto data = synthetic::softmax<TestType>(2000, 4, 3, 32);
    Params p = params(PredictorType::multiclass_classifier);
    p.num_classes = 3;
    const auto model = fit(data.X, data.y, p);
    const std::string bytes = saved(model);
    const auto back = loaded<TestType>(bytes);
    REQUIRE(back == model);
    REQUIRE(back.score(data.X) == model.score(data.X));
    REQUIRE(shelf::to_map(back.params()) == shelf::to_map(model.params()));
    SECTION("a binary classifier keeps its threshold, a regressor its folded normalization") {
        const auto bin = synthetic::logistic<TestType>(2000, 4, 33);
        Params q = params(PredictorType::binary_classifier);
        q.binary_classifier_model_selection_criteria = SelectionCriteria::f_beta;
        const auto b = fit(bin.X, bin.y, q);
        REQUIRE(loaded<TestType>(saved(b)).threshold() == b.threshold());
        const auto reg = synthetic::regression<TestType>(2000, 4, 0.5, 34);
        const auto r = fit(reg.X, reg.y, params(PredictorType::regressor));
        REQUIRE(loaded<TestType>(saved(r)).predict(reg.X) == r.predict(reg.X));
    }
    SECTION("a damaged file, another scalar type or another family is refused") {
        std::string damaged = bytes;
        damaged[damaged.size() / 2] = char(damaged[damaged.size() / 2] ^ 0x40);
        REQUIRE_THROWS_WITH(loaded<TestType>(damaged), Catch::Contains("shelf.model_error.303"));
        REQUIRE_THROWS_WITH(loaded<TestType>(bytes.substr(0, bytes.size() - 9)), Catch::Contains("shelf.model_error.302"));
        using Other = std::conditional_t<std::is_same_v<TestType, float>, double, float>;
        REQUIRE_THROWS_WITH(loaded<Other>(bytes), Catch::Contains("shelf.model_error.306"));
        std::ostringstream other;
        shelf::ModelWriter("kmeans", shelf::scalar_type_of<TestType>()).write(other);
        REQUIRE_THROWS_WITH(loaded<TestType>(other.str()), Catch::Contains("shelf.model_error.304"));
    }
}

TEST_CASE("training is deterministic", "[linear][model]") {
    const auto data = synthetic::logistic<float>(4000, 5, 35);
    Params p = params(PredictorType::binary_classifier);
    p.num_threads = 2;
    const auto a = fit(data.X, data.y, p);
    SECTION("the same seed and thread count give the same model, bit for bit") {
        REQUIRE(fit(data.X, data.y, p) == a);
    }
    SECTION("another seed gives another model") {
        p.seed = 1;
        REQUIRE(fit(data.X, data.y, p) != a);
    }
    SECTION("another thread count gives the same predictions up to rounding") {
        p.num_threads = 1;
        const auto b = fit(data.X, data.y, p);
        REQUIRE((a.score(data.X) - b.score(data.X)).cwiseAbs().maxCoeff() < 1e-3f);
    }
}

TEST_CASE("outputs have the platform's shapes", "[linear][model]") {
    SECTION("a binary classifier: labels 0/1 from the score and the threshold") {
        const auto data = synthetic::logistic<float>(2000, 3, 36);
        const auto model = fit(data.X, data.y, params(PredictorType::binary_classifier));
        const shelf::RowMatrix<float> score = model.score(data.X);
        const shelf::Vector<float> label = model.predict(data.X);
        REQUIRE(score.cols() == 1);
        REQUIRE((score.array() >= 0).all());
        REQUIRE((score.array() <= 1).all());
        for (Index i = 0; i < label.size(); ++i) REQUIRE(label[i] == (score(i, 0) >= model.threshold() ? 1.0f : 0.0f));
        SECTION("with hinge_loss the score is the raw margin") {
            Params p = params(PredictorType::binary_classifier);
            p.loss = Loss::hinge_loss;
            const auto hinge = fit(data.X, data.y, p);
            REQUIRE(hinge.score(data.X) == hinge.raw_score(data.X));
        }
    }
    SECTION("sparse rows with fewer columns than feature_dim are zero-padded") {
        auto data = synthetic::logistic<double>(2000, 6, 37);
        data.X.rightCols(2).setZero();
        const auto model = fit(data.X, data.y, params(PredictorType::binary_classifier));
        const shelf::SparseMatrix<double> narrow = data.X.leftCols(4).sparseView();
        REQUIRE((model.score(narrow) - model.score(data.X)).cwiseAbs().maxCoeff() < 1e-12);
        Params p = params(PredictorType::binary_classifier);
        p.feature_dim = 6;
        REQUIRE(fit(narrow, data.y, p).feature_dim() == 6);
    }
}

TEST_CASE("evaluate reports the platform's metric names", "[linear][model]") {
    const auto names = [](const Metrics& m) {
        std::vector<std::string> out;
        for (const auto& entry : m) out.push_back(entry.first);
        return out;
    };
    SECTION("binary") {
        const auto data = synthetic::logistic<double>(1500, 3, 38);
        const auto model = fit(data.X, data.y, params(PredictorType::binary_classifier));
        const auto m = evaluate(model, data.X, data.y);
        REQUIRE(names(m) == std::vector<std::string>{"objective_loss", "binary_classification_accuracy", "binary_f_beta",
                                                     "precision", "recall", "roc_auc_score"});
        REQUIRE(m[0].second == Approx(shelf::metrics::log_loss(data.y, model.score(data.X))).epsilon(1e-9));
        REQUIRE(m[5].second == Approx(shelf::metrics::roc_auc(data.y, shelf::Vector<double>(model.score(data.X).col(0)))));
    }
    SECTION("multiclass") {
        const auto data = synthetic::softmax<double>(1500, 3, 4, 39);
        Params p = params(PredictorType::multiclass_classifier);
        p.num_classes = 4;
        p.accuracy_top_k = 2;
        const auto model = fit(data.X, data.y, p);
        const auto m = evaluate(model, data.X, data.y);
        REQUIRE(names(m) == std::vector<std::string>{"objective_loss", "multiclass_accuracy", "multiclass_top_k_accuracy",
                                                     "macro_precision", "macro_recall", "macro_f_beta"});
        REQUIRE(m[0].second == Approx(shelf::metrics::log_loss(data.y, model.score(data.X))).epsilon(1e-9));
        REQUIRE(m[2].second == Approx(shelf::metrics::top_k_accuracy(data.y, model.score(data.X), 2)));
    }
    SECTION("regressor") {
        const auto data = synthetic::regression<double>(1500, 3, 1.0, 40);
        const auto model = fit(data.X, data.y, params(PredictorType::regressor));
        const auto m = evaluate(model, data.X, data.y);
        REQUIRE(names(m) == std::vector<std::string>{"objective_loss", "mse", "rmse", "absolute_loss"});
        REQUIRE(m[0].second == Approx(m[1].second));  // squared_loss is the squared error
        REQUIRE(m[2].second == Approx(shelf::metrics::rmse(data.y, model.predict(data.X))));
    }
}
