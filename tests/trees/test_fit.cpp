// fit(): determinism, sampling, early stopping, progress, prediction options, importance,
// and the errors bad data and bad hyperparameters raise.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fixture.hpp"

using shelf::RowMatrix;
using shelf::Vector;

namespace {

shelf::gbt::Params binary(int rounds) {
    shelf::gbt::Params p;
    p.num_round = rounds;
    p.objective = "binary:logistic";
    return p;
}

double auc(const RowMatrix<float>& p, const Vector<float>& y) {
    const auto m = shelf::gbt::parse_metric("auc", false);
    return shelf::gbt::evaluate_metric(m, p.data(), y.data(), static_cast<const float*>(nullptr), y.size(), 1);
}

}  // namespace

TEST_CASE("the same data, hyperparameters and seed give the same model at any thread count", "[trees][fit]") {
    // 70,000 rows: the root's histogram is summed in two row groups, and partitions run in blocks.
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(70000, 8, 0.05, 5, X, y);
    auto p = binary(4);
    p.subsample = 0.8;
    p.colsample_bynode = 0.75;
    p.seed = 42;
    p.num_threads = 1;
    const auto one = shelf::gbt::fit(X, y, p);
    for (const int threads : {2, 3, 4}) {
        p.num_threads = threads;
        const auto other = shelf::gbt::fit(X, y, p);
        CHECK(other.trees() == one.trees());  // bit for bit: thresholds, leaves, gains, covers
        CHECK(other.base_score() == one.base_score());
    }
    SECTION("another seed samples other rows and features") {
        p.seed = 43;
        CHECK(shelf::gbt::fit(X, y, p).trees() != one.trees());
    }
}

TEST_CASE("a multiclass model is the same whether threads share each tree or grow whole ones", "[trees][fit]") {
    // Four classes: 2 and 4 threads each grow whole trees of a round, 3 threads share each tree.
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(6000, 6, 0.05, 7, X, y);
    const Vector<float> cls = (X.col(0).array() > 0.5f).select(2.0f, (X.col(1).array() > 0).cast<float>()) +
                              (X.col(2).array() > 0.8f).cast<float>();
    const RowMatrix<float> Xv = X.topRows(500);
    const Vector<float> yv = cls.head(500);
    auto p = binary(4);
    p.objective = "multi:softprob";
    p.num_class = 4;
    p.subsample = 0.8;
    p.colsample_bynode = 0.75;
    p.num_threads = 1;
    const auto one = shelf::gbt::fit(X, cls, p, {Xv, yv});
    for (const int threads : {2, 3, 4}) {
        p.num_threads = threads;
        const auto other = shelf::gbt::fit(X, cls, p, {Xv, yv});
        CHECK(other.trees() == one.trees());
        CHECK(other.report().validation == one.report().validation);
    }
}

TEST_CASE("row and column sampling", "[trees][fit]") {
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(3000, 10, 0.0, 9, X, y);
    auto p = binary(6);
    SECTION("colsample_bytree keeps ⌊0.5 · 10⌋ features per tree") {
        p.colsample_bytree = 0.5;
        const auto m = shelf::gbt::fit(X, y, p);
        for (const auto& t : m.trees()) {
            std::set<int> used;
            for (int n = 0; n < t.size(); ++n)
                if (!t.is_leaf(n)) used.insert(t.feature[static_cast<std::size_t>(n)]);
            CHECK(used.size() <= 5);
        }
    }
    SECTION("colsample_bylevel at 1 / 10 splits every node of a level on the level's one feature") {
        p.colsample_bylevel = 0.1;
        int checked = 0;
        const auto m = shelf::gbt::fit(X, y, p);
        for (const auto& t : m.trees()) {
            if (t.is_leaf(0) || t.is_leaf(1) || t.is_leaf(2)) continue;
            CHECK(t.feature[1] == t.feature[2]);  // the root's children, at depth 1
            ++checked;
        }
        CHECK(checked > 0);
    }
    SECTION("colsample_bynode draws again at every node") {
        p.colsample_bynode = 0.1;
        std::set<int> at_depth_one;
        const auto m = shelf::gbt::fit(X, y, p);
        for (const auto& t : m.trees())
            for (const int n : {1, 2})
                if (!t.is_leaf(0) && !t.is_leaf(n)) at_depth_one.insert(t.feature[static_cast<std::size_t>(n)]);
        CHECK(at_depth_one.size() > 1);
    }
    SECTION("subsample grows each tree on a fraction of the rows") {
        p.subsample = 0.5;
        const auto m = shelf::gbt::fit(X, y, p);
        const double cover = static_cast<double>(m.trees()[0].sum_hessian[0]);
        const double all = static_cast<double>(shelf::gbt::fit(X, y, binary(1)).trees()[0].sum_hessian[0]);
        CHECK(cover == Approx(all / 2).epsilon(0.1));
        CHECK(auc(m.predict(X), y) > 0.85);
    }
}

TEST_CASE("validation data, early stopping and the progress callback", "[trees][fit]") {
    RowMatrix<float> X, Xv;
    Vector<float> y, yv;
    fixture::synthetic(2000, 6, 0.0, 1, X, y);
    fixture::synthetic(2000, 6, 0.0, 2, Xv, yv);
    auto p = binary(200);
    p.max_depth = 8;
    p.eta = 0.5;
    p.eval_metric = {"auc", "logloss"};
    SECTION("metrics are recorded every round and the best round is kept") {
        p.early_stopping_rounds = 5;
        const auto m = shelf::gbt::fit(X, y, p, {Xv, yv});
        const auto& r = m.report();
        REQUIRE(r.stopped_early);
        CHECK(r.validation.cols() == 2);
        CHECK(r.validation.rows() == r.best_iteration + 1 + 5);
        CHECK(m.num_rounds() == r.best_iteration + 1);
        CHECK(r.best_score == r.validation.col(1).minCoeff());  // logloss, the last metric, decides
        CHECK(r.validation(r.best_iteration, 1) == r.best_score);
        const auto values = shelf::gbt::evaluate(m, Xv, yv);
        REQUIRE(values.size() == 2);
        CHECK(values[0].first == "auc");
        CHECK(values[1].second == Approx(r.best_score).epsilon(1e-6));
    }
    SECTION("auc is maximised") {
        p.eval_metric = {"auc"};
        p.early_stopping_rounds = 5;
        const auto m = shelf::gbt::fit(X, y, p, {Xv, yv});
        CHECK(m.report().best_score == m.report().validation.col(0).maxCoeff());
    }
    SECTION("the callback sees every round and can stop training") {
        std::vector<long long> seen;
        const auto m = shelf::gbt::fit(X, y, p, {Xv, yv}, [&](const shelf::Progress& s) {
            seen.push_back(s.done);
            CHECK(s.metric_name == "validation-logloss");  // named by channel, as XGBoost prints it
            CHECK(s.total == 200);
            return s.done < 3;
        });
        CHECK(seen == std::vector<long long>{1, 2, 3});
        CHECK(m.num_rounds() == 3);
        CHECK(m.report().stopped);
        CHECK_FALSE(m.report().stopped_early);
    }
    SECTION("without validation data the callback gets the training metric") {
        double last = 0;
        shelf::gbt::fit(X, y, binary(3), {}, [&](const shelf::Progress& s) {
            last = s.value();
            return true;
        });
        CHECK(last > 0);
        CHECK(last < 0.6);
    }
    SECTION("without validation data a multiclass callback gets the training metric of the model so far") {
        // Training margins are kept class by class; the metric must still pair each row's classes.
        const Vector<float> cls = (X.col(0).array() > 0.5f).select(2.0f, (X.col(1).array() > 0).cast<float>());
        auto q = binary(3);
        q.objective = "multi:softprob";
        q.num_class = 3;
        double last = 0;
        const auto m = shelf::gbt::fit(X, cls, q, {}, [&](const shelf::Progress& s) {
            last = s.value();
            return true;
        });
        const auto values = shelf::gbt::evaluate(m, X, cls);
        REQUIRE(values.back().first == "mlogloss");
        CHECK(last == Approx(values.back().second).epsilon(1e-6));
    }
    SECTION("validation data must have the training data's features: an absent one is a column of NaN") {
        const RowMatrix<float> narrow = Xv.leftCols(4);
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, binary(2), {narrow, yv}),
                            Catch::Contains("shelf.data_error.202") && Catch::Contains("validation data") &&
                                Catch::Contains("has 4 columns") && Catch::Contains("expects 6"));
        RowMatrix<float> padded = Xv;
        padded.rightCols(2).setConstant(NAN);
        CHECK_NOTHROW(shelf::gbt::fit(X, y, binary(2), {padded, yv}));
    }
    SECTION("sparse validation data is refused (the training data is dense)") {
        const shelf::SparseMatrix<float> sparse = Xv.sparseView();
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, binary(2), shelf::Validation<float>(sparse, yv)),
                            Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("sparse"));
    }
    SECTION("validation weights are used by the metrics") {
        auto q = binary(3);
        q.eval_metric = {"logloss"};
        const Vector<float> w = (yv.array() > 0.5f).select(Vector<float>::Constant(yv.size(), 3.0f), 1.0f);
        const auto plain = shelf::gbt::fit(X, y, q, {Xv, yv});
        const auto weighted = shelf::gbt::fit(X, y, q, {Xv, yv, w});
        CHECK(weighted.trees() == plain.trees());
        CHECK(weighted.report().validation(2, 0) != plain.report().validation(2, 0));
        CHECK(weighted.report().validation(2, 0) == Approx(shelf::gbt::evaluate(plain, Xv, yv, w).front().second));
    }
}

TEST_CASE("prediction options", "[trees][fit]") {
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(1500, 5, 0.1, 3, X, y);
    const auto m = shelf::gbt::fit(X, y, binary(10));
    SECTION("iteration_range uses the first rounds as a model trained for fewer rounds") {
        shelf::gbt::PredictOptions o;
        o.iteration_end = 4;
        CHECK(m.predict(X, o) == shelf::gbt::fit(X, y, binary(4)).predict(X));
    }
    SECTION("output_margin is the logit of the probability") {
        shelf::gbt::PredictOptions o;
        o.output_margin = true;
        const auto margin = m.predict(X, o);
        const auto prob = m.predict(X);
        for (shelf::Index r = 0; r < 5; ++r) CHECK(prob(r, 0) == Approx(1 / (1 + std::exp(-margin(r, 0)))));
    }
    SECTION("a range outside the model's rounds is an error") {
        shelf::gbt::PredictOptions o;
        o.iteration_begin = 5;
        o.iteration_end = 3;
        REQUIRE_THROWS_WITH(m.predict(X, o), Catch::Contains("shelf.invalid_argument.101"));
        o.iteration_begin = 0;
        o.iteration_end = 11;
        REQUIRE_THROWS_AS(m.predict(X, o), shelf::invalid_argument);
    }
    SECTION("prediction is the same at any thread count") {
        shelf::gbt::PredictOptions o;
        o.num_threads = 1;
        const auto a = m.predict(X, o);
        o.num_threads = 3;
        CHECK(m.predict(X, o) == a);
    }
    SECTION("each row ends at the leaf its own walk down each tree reaches") {
        // A rare class makes lopsided trees: most rows leave them early, and the batch walk
        // then steps only the rows still inside (predict.hpp); the sum must not change. Trees
        // up to depth 6 also take the padded walk where AVX-512 is there, deeper ones never.
        const int max_depth = GENERATE(6, 9);
        // Class 1 in alternate stripes of feature 0 (deep trees), class 2 rare.
        Vector<float> cls(X.rows());
        for (shelf::Index r = 0; r < X.rows(); ++r)
            cls(r) = X(r, 1) > 1.2f      ? 2.0f
                     : std::isnan(X(r, 0)) ? 0.0f
                                           : static_cast<float>(static_cast<long>(std::floor(4 * X(r, 0) + 100)) % 2);
        auto p = binary(4);
        p.objective = "multi:softprob";
        p.num_class = 3;
        p.max_depth = max_depth;
        p.min_child_weight = 0;
        const auto model = shelf::gbt::fit(X, cls, p);
        shelf::gbt::PredictOptions o;
        o.output_margin = true;
        RowMatrix<float> narrow = X;  // the last feature missing
        narrow.col(4).setConstant(NAN);
        const auto margin = model.predict(narrow, o);
        const auto& trees = model.trees();
        int shallow = 0, deepest = 0;
        for (const auto& tree : trees) {
            shallow += tree.shallowest_leaf() < tree.depth();
            deepest = std::max(deepest, tree.depth());
        }
        REQUIRE(shallow > 0);
        REQUIRE((max_depth == 6 ? deepest == 6 : deepest > 6));
        Eigen::ArrayXXd walked = Eigen::ArrayXXd::Zero(X.rows(), 3);
        for (std::size_t t = 0; t < trees.size(); ++t)
            for (shelf::Index r = 0; r < X.rows(); ++r)
                walked(r, static_cast<Eigen::Index>(t % 3)) +=
                    trees[t].value[static_cast<std::size_t>(trees[t].leaf_of(narrow.row(r).data(), narrow.cols()))];
        // The margins are the walks' sums plus one base margin per class.
        const Eigen::ArrayXXd base = margin.cast<double>().array() - walked;
        REQUIRE((base.rowwise() - base.row(0)).abs().maxCoeff() < 1e-5);
    }
    SECTION("multi-class objectives predict probabilities (softprob) or the class (softmax)") {
        Vector<float> cls = (X.col(0).array().isNaN()).select(0.0f, (X.col(0).array() > 0).cast<float>() * 2);
        auto p = binary(3);
        p.objective = "multi:softprob";
        p.num_class = 3;
        const auto prob = shelf::gbt::fit(X, cls, p).predict(X);
        REQUIRE(prob.cols() == 3);
        CHECK(prob.row(0).sum() == Approx(1.0));
        p.objective = "multi:softmax";
        const auto label = shelf::gbt::fit(X, cls, p).predict(X);
        REQUIRE(label.cols() == 1);
        Eigen::Index best = 0;
        prob.row(7).maxCoeff(&best);
        CHECK(label(7, 0) == static_cast<float>(best));
    }
}

TEST_CASE("feature importance", "[trees][fit]") {
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(2000, 6, 0.0, 4, X, y);
    const auto m = shelf::gbt::fit(X, y, binary(5));
    using shelf::gbt::Importance;
    const auto weight = m.importance(Importance::weight);
    const auto total = m.importance(Importance::total_gain);
    int splits = 0;
    for (const auto& t : m.trees())
        for (int n = 0; n < t.size(); ++n) splits += t.is_leaf(n) ? 0 : 1;
    CHECK(weight.sum() == splits);
    CHECK(m.importance(Importance::gain)[0] == Approx(total[0] / weight[0]));
    CHECK(m.importance(Importance::cover)[1] == Approx(m.importance(Importance::total_cover)[1] / weight[1]));
    // y depends on x0·x1 and x2: they carry most of the gain
    CHECK(total[0] + total[1] + total[2] > 0.8 * total.sum());
}

TEST_CASE("float and double models both train", "[trees][fit]") {
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(1000, 4, 0.05, 8, X, y);
    const RowMatrix<double> Xd = X.cast<double>();
    const auto md = shelf::gbt::fit(Xd, y.cast<double>(), binary(5));
    const auto mf = shelf::gbt::fit(X, y, binary(5));
    CHECK((md.predict(Xd).cast<float>() - mf.predict(X)).cwiseAbs().maxCoeff() < 1e-3);
}

TEST_CASE("base_score", "[trees][fit]") {
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(301, 3, 0.0, 6, X, y);
    Vector<float> target = X.col(0) * 3;
    SECTION("unset, it is 0.5, except for reg:absoluteerror, which starts from the labels' median") {
        auto p = binary(1);
        CHECK(*shelf::gbt::fit(X, y, p).params().base_score == 0.5);
        p.objective = "reg:absoluteerror";
        std::vector<float> sorted(target.data(), target.data() + target.size());
        std::nth_element(sorted.begin(), sorted.begin() + 150, sorted.end());
        CHECK(*shelf::gbt::fit(X, target, p).params().base_score == Approx(sorted[150]));
    }
    SECTION("given, it is the starting prediction of every row") {
        auto p = binary(1);
        p.objective = "reg:squarederror";
        p.base_score = 7.0;
        p.eta = 0.0;
        CHECK(shelf::gbt::fit(X, target, p).predict(X)(0, 0) == Approx(7.0));
    }
}

TEST_CASE("bad data is refused with the row, column or count that is wrong", "[trees][fit][errors]") {
    RowMatrix<float> X;
    Vector<float> y;
    fixture::synthetic(50, 3, 0.0, 7, X, y);
    const auto p = binary(2);
    SECTION("a NaN label") {
        y[4] = NAN;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, p), Catch::Contains("shelf.data_error.203") && Catch::Contains("row 4"));
    }
    SECTION("a label that is not 0 or 1 for a binary objective") {
        y[9] = 0.5f;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, p), Catch::Contains("shelf.data_error.204") &&
                                                         Catch::Contains("row 9") && Catch::Contains("0 or 1"));
    }
    SECTION("a class outside [0, num_class)") {
        auto q = p;
        q.objective = "multi:softprob";
        q.num_class = 2;
        y[3] = 2;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, q), Catch::Contains("shelf.data_error.204") && Catch::Contains("[0, 2)"));
        y[3] = -1;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, q), Catch::Contains("row 3"));
    }
    SECTION("a negative count for count:poisson") {
        auto q = p;
        q.objective = "count:poisson";
        y[0] = -1;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, q), Catch::Contains("shelf.data_error.204") && Catch::Contains(">= 0"));
    }
    SECTION("an empty training set") {
        const RowMatrix<float> none(0, 3);
        REQUIRE_THROWS_WITH(shelf::gbt::fit(none, Vector<float>(), p), Catch::Contains("shelf.data_error.201"));
    }
    SECTION("labels or weights that do not match the rows") {
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y.head(49).eval(), p), Catch::Contains("shelf.data_error.202"));
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, p, {}, {}, Vector<float>::Ones(3)),
                            Catch::Contains("shelf.data_error.202") && Catch::Contains("3 weights"));
    }
    SECTION("a negative weight") {
        Vector<float> w = Vector<float>::Ones(50);
        w[2] = -1;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, p, {}, {}, w), Catch::Contains("weight of row 2"));
    }
    SECTION("an infinite feature value (missing values are NaN)") {
        X(6, 1) = INFINITY;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, p),
                            Catch::Contains("shelf.data_error.203") &&
                                Catch::Contains("xgboost fit: X(6, 1) is inf (row 6, column 1, from 0); missing values "
                                                "must be NaN"));
        RowMatrix<float> Xv = X;
        X(6, 1) = 0;
        Xv(4, 2) = -INFINITY;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, p, {Xv, y}),
                            Catch::Contains("xgboost fit: the validation data: X(4, 2) is inf"));
    }
    SECTION("a test set with more features than the model") {
        const auto m = shelf::gbt::fit(X, y, p);
        const RowMatrix<float> wide = RowMatrix<float>::Zero(2, 4);
        REQUIRE_THROWS_WITH(m.predict(wide), Catch::Contains("shelf.data_error.202") &&
                                                 Catch::Contains("xgboost predict: X has 4 columns, the model expects 3") &&
                                                 Catch::Contains("label column"));
        SECTION("and so is one with fewer (an absent feature is a column of NaN)") {
            const RowMatrix<float> narrow = X.leftCols(2);
            REQUIRE_THROWS_WITH(m.predict(narrow), Catch::Contains("shelf.data_error.202") &&
                                                       Catch::Contains("X has 2 columns, the model expects 3"));
            REQUIRE_THROWS_WITH(shelf::gbt::evaluate(m, narrow, y),
                                Catch::Contains("xgboost evaluate: X has 2 columns, the model expects 3"));
            RowMatrix<float> padded = X;
            padded.col(2).setConstant(NAN);
            CHECK_NOTHROW(m.predict(padded));
            CHECK_NOTHROW(shelf::gbt::evaluate(m, padded, y));
        }
        SECTION("and an infinite value at prediction is refused") {
            RowMatrix<float> bad = X.topRows(3);
            bad(2, 0) = -INFINITY;
            REQUIRE_THROWS_WITH(m.predict(bad), Catch::Contains("shelf.data_error.203") &&
                                                    Catch::Contains("xgboost predict: X(2, 0) is inf (row 2, column 0, from 0)"));
            SECTION("naming the first one in row order, whatever the thread count, on large inputs too") {
                RowMatrix<float> many = RowMatrix<float>::Zero(200000, 3);
                many(150001, 2) = INFINITY;
                many(150002, 0) = -INFINITY;
                many(170000, 1) = INFINITY;
                shelf::gbt::PredictOptions o;
                for (const int threads : {1, 3}) {
                    o.num_threads = threads;
                    REQUIRE_THROWS_WITH(m.predict(many, o), Catch::Contains("X(150001, 2) is inf"));
                }
                REQUIRE_THROWS_WITH(shelf::gbt::evaluate(m, many, Vector<float>::Zero(200000)),
                                    Catch::Contains("xgboost evaluate: X(150001, 2) is inf"));
            }
        }
    }
    SECTION("validation labels are checked like training labels") {
        Vector<float> yv = y;
        yv[1] = 3;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, p, {X, yv}), Catch::Contains("validation data") && Catch::Contains("row 1"));
    }
}

TEST_CASE("bad hyperparameters are refused before any work", "[trees][fit][errors]") {
    const auto params_from_map = [](const std::map<std::string, std::string>& values) {
        return shelf::from_map<shelf::gbt::Params>(values);
    };
    SECTION("num_round is required, as on the platform") {
        REQUIRE_THROWS_WITH(params_from_map({{"eta", "0.1"}}),
                            Catch::Contains("shelf.invalid_argument.104") && Catch::Contains("num_round"));
    }
    SECTION("XGBoost's aliases name the same parameters") {
        const auto p = params_from_map({{"num_round", "3"}, {"learning_rate", "0.05"}, {"reg_lambda", "2"},
                                        {"reg_alpha", "0.5"}, {"min_split_loss", "1"}});
        CHECK(p.eta == 0.05);
        CHECK(p.lambda == 2);
        CHECK(p.alpha == 0.5);
        CHECK(p.gamma == 1);
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"eta", "0.1"}, {"learning_rate", "0.2"}}),
                            Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("given twice"));
        const auto q = params_from_map({{"num_round", "3"}, {"nthread", "2"}, {"random_state", "11"}});
        CHECK(q.num_threads == 2);
        CHECK(q.seed == 11);
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"nthread", "2"}, {"num_threads", "2"}}),
                            Catch::Contains("given twice"));
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"seed", "-1"}}), Catch::Contains("shelf.invalid_argument.101"));
    }
    SECTION("multi-class objectives need num_class") {
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"objective", "multi:softmax"}}),
                            Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("num_class >= 2"));
    }
    SECTION("only the histogram method exists") {
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"tree_method", "exact"}}),
                            Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("one of auto, hist"));
    }
    SECTION("unlimited depth needs lossguide") {
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"max_depth", "0"}}), Catch::Contains("lossguide"));
        CHECK_NOTHROW(params_from_map({{"num_round", "3"}, {"max_depth", "0"}, {"grow_policy", "lossguide"}}));
    }
    SECTION("ranges and metrics") {
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"subsample", "0"}}),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("(0, 1]"));
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"eval_metric", "[auc, f1]"}}),
                            Catch::Contains("unknown eval_metric 'f1'"));
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"objective", "binary:logistic"}, {"base_score", "1.5"}}),
                            Catch::Contains("(0, 1)"));
        REQUIRE_THROWS_WITH(params_from_map({{"num_round", "3"}, {"etaa", "1"}}),
                            Catch::Contains("shelf.invalid_argument.102") && Catch::Contains("did you mean 'eta'"));
    }
    SECTION("early stopping needs validation data") {
        RowMatrix<float> X;
        Vector<float> y;
        fixture::synthetic(50, 3, 0.0, 7, X, y);
        auto p = binary(3);
        p.early_stopping_rounds = 2;
        REQUIRE_THROWS_WITH(shelf::gbt::fit(X, y, p), Catch::Contains("shelf.invalid_argument.105"));
    }
}
