// Classification metrics: confusion matrix, accuracy, precision, recall,
// specificity, F-beta in every averaging mode, log loss, top-k accuracy.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "shelf/metrics/classification.hpp"

namespace m = shelf::metrics;
using fixture::near;
using fixture::near_float;
using m::Average;
using shelf::Index;
using shelf::Vector;

namespace {

/// Labels for a binary problem with the given cell counts (positive class 1).
struct Labels {
    Vector<double> y_true, y_pred;
};
Labels from_counts(int tp, int fp, int tn, int fn) {
    const int n = tp + fp + tn + fn;
    Labels l{Vector<double>(n), Vector<double>(n)};
    int i = 0;
    const auto put = [&](int count, double t, double p) {
        for (int k = 0; k < count; ++k, ++i) {
            l.y_true[i] = t;
            l.y_pred[i] = p;
        }
    };
    put(tp, 1, 1);
    put(fp, 0, 1);
    put(tn, 0, 0);
    put(fn, 1, 0);
    return l;
}

const char* name_of(Average a) {
    switch (a) {
        case Average::binary: return "binary";
        case Average::macro: return "macro";
        case Average::micro: return "micro";
        case Average::weighted: return "weighted";
    }
    return "?";
}

}  // namespace

TEST_CASE("the worked examples come out as computed by hand", "[metrics][classification]") {
    SECTION("TP=90, FP=4, TN=96, FN=10 has recall 0.9 and precision 90/94") {
        const Labels l = from_counts(90, 4, 96, 10);
        CHECK_THAT(m::recall(l.y_true, l.y_pred), near(0.9));
        CHECK_THAT(m::precision(l.y_true, l.y_pred), near(90.0 / 94.0));
        CHECK_THAT(m::specificity(l.y_true, l.y_pred), near(96.0 / 100.0));
        CHECK_THAT(m::accuracy(l.y_true, l.y_pred), near(186.0 / 200.0));
        CHECK_THAT(m::f1(l.y_true, l.y_pred), near(2 * 90.0 / (2 * 90 + 4 + 10)));
    }
    SECTION("TP=50, FP=5, FN=2, TN=5 has false positive rate 0.5, so specificity 0.5") {
        const Labels l = from_counts(50, 5, 5, 2);
        CHECK_THAT(m::specificity(l.y_true, l.y_pred), near(0.5));
        CHECK_THAT(1 - m::specificity(l.y_true, l.y_pred), near(0.5));
        CHECK_THAT(m::recall(l.y_true, l.y_pred), near(50.0 / 52.0));
    }
    SECTION("the confusion matrix puts actual classes in rows and predicted in columns") {
        const Labels l = from_counts(90, 4, 96, 10);
        const auto cm = m::confusion_matrix(l.y_true, l.y_pred);
        REQUIRE(cm.labels.size() == 2);
        CHECK(cm.labels[0] == 0);
        CHECK(cm.labels[1] == 1);
        CHECK(cm.counts(0, 0) == 96);  // TN
        CHECK(cm.counts(0, 1) == 4);   // FP
        CHECK(cm.counts(1, 0) == 10);  // FN
        CHECK(cm.counts(1, 1) == 90);  // TP
    }
}

TEST_CASE("scores of predicted classes agree with scikit-learn in every averaging mode",
          "[metrics][classification]") {
    for (const fixture::Case& c : fixture::load("classification.txt")) {
        if (!c.has("y_pred")) continue;  // log loss and top-k cases
        DYNAMIC_SECTION("case: " << c.name) {
            const Vector<double> y = c.vec("y_true"), p = c.vec("y_pred");
            const Vector<double> w = c.has("sample_weight") ? c.vec("sample_weight") : Vector<double>();
            const Vector<double>* wp = c.has("sample_weight") ? &w : nullptr;
            const double pos = c.scalar("pos_label");
            CHECK_THAT(m::accuracy(y, p, wp), near(c.scalar("accuracy")));
            for (Average a : {Average::binary, Average::macro, Average::micro, Average::weighted}) {
                const std::string avg = name_of(a);
                if (!c.has("precision." + avg)) continue;  // binary on multiclass data: see the error tests
                INFO("average " << avg);
                CHECK_THAT(m::precision(y, p, a, pos, wp), near(c.scalar("precision." + avg)));
                CHECK_THAT(m::recall(y, p, a, pos, wp), near(c.scalar("recall." + avg)));
                CHECK_THAT(m::f1(y, p, a, pos, wp), near(c.scalar("f1." + avg)));
                CHECK_THAT(m::f_beta(y, p, 0.5, a, pos, wp), near(c.scalar("f_beta.0.5." + avg)));
                CHECK_THAT(m::f_beta(y, p, 2.0, a, pos, wp), near(c.scalar("f_beta.2." + avg)));
                CHECK_THAT(m::specificity(y, p, a, pos, wp), near(c.scalar("specificity." + avg)));

                const Vector<float> yf = y.cast<float>(), pf = p.cast<float>(), wf = w.cast<float>();
                const Vector<float>* wfp = wp ? &wf : nullptr;
                CHECK_THAT(m::f1(yf, pf, a, float(pos), wfp), near_float(c.scalar("f1." + avg)));
                CHECK_THAT(m::specificity(yf, pf, a, float(pos), wfp), near_float(c.scalar("specificity." + avg)));
            }

            const auto scores = m::class_scores(y, p, 1.0, wp);
            fixture::check_all(scores.labels, c.list("labels"));
            fixture::check_all(scores.precision, c.list("per_class.precision"));
            fixture::check_all(scores.recall, c.list("per_class.recall"));
            fixture::check_all(scores.f_beta, c.list("per_class.f1"));
            fixture::check_all(scores.specificity, c.list("per_class.specificity"));
            fixture::check_all(scores.support, c.list("per_class.support"));

            const auto k = static_cast<Index>(c.list("labels").size());
            const auto cm = m::confusion_matrix(y, p, wp);
            fixture::check_all(cm.labels, c.list("labels"));
            const shelf::RowMatrix<double> expected = c.mat("confusion", k);
            REQUIRE(cm.counts.rows() == k);
            REQUIRE(cm.counts.cols() == k);
            for (Index i = 0; i < k; ++i)
                for (Index j = 0; j < k; ++j) CHECK_THAT(cm.counts(i, j), near(expected(i, j)));
            if (c.has("explicit_labels")) {
                const std::vector<double> labels = c.list("explicit_labels");
                const auto ke = static_cast<Index>(labels.size());
                const auto cme = m::confusion_matrix(y, p, labels, wp);
                fixture::check_all(cme.labels, labels);
                const shelf::RowMatrix<double> exp_e = c.mat("explicit_confusion", ke);
                for (Index i = 0; i < ke; ++i)
                    for (Index j = 0; j < ke; ++j) CHECK_THAT(cme.counts(i, j), near(exp_e(i, j)));
            }
        }
    }
}

TEST_CASE("averaging modes mean what scikit-learn means", "[metrics][classification]") {
    const Vector<double> y = (Vector<double>(6) << 0, 0, 1, 1, 2, 2).finished();
    const Vector<double> p = (Vector<double>(6) << 0, 1, 1, 1, 2, 0).finished();
    SECTION("micro-averaged precision, recall and F1 equal accuracy on single-label data") {
        CHECK_THAT(m::precision(y, p, Average::micro), near(m::accuracy(y, p)));
        CHECK_THAT(m::recall(y, p, Average::micro), near(m::accuracy(y, p)));
        CHECK_THAT(m::f1(y, p, Average::micro), near(m::accuracy(y, p)));
    }
    SECTION("macro is the plain mean of the per-class scores") {
        const auto s = m::class_scores(y, p);  // precision 1/2, 2/3, 1; recall 1/2, 1, 1/2
        CHECK_THAT(m::precision(y, p, Average::macro), near((s.precision[0] + s.precision[1] + s.precision[2]) / 3));
        CHECK_THAT(m::precision(y, p, Average::macro), near((0.5 + 2.0 / 3 + 1) / 3));
        CHECK_THAT(m::recall(y, p, Average::macro), near((0.5 + 1 + 0.5) / 3));
        CHECK_THAT(m::f1(y, p, Average::macro), near((s.f_beta[0] + s.f_beta[1] + s.f_beta[2]) / 3));
    }
    SECTION("a class never predicted has precision 0, without a warning or an exception") {
        const Vector<double> never = Vector<double>::Zero(6);
        const auto s = m::class_scores(y, never);
        CHECK(s.precision[1] == 0);
        CHECK(s.precision[2] == 0);
        CHECK(s.f_beta[1] == 0);
    }
    SECTION("beta = 0 scores precision alone and beta = +inf recall alone") {
        const Labels l = from_counts(3, 1, 4, 2);
        CHECK_THAT(m::f_beta(l.y_true, l.y_pred, 0.0), near(m::precision(l.y_true, l.y_pred)));
        CHECK_THAT(m::f_beta(l.y_true, l.y_pred, INFINITY), near(m::recall(l.y_true, l.y_pred)));
    }
    SECTION("pos_label picks the positive class of a binary problem") {
        const Labels l = from_counts(3, 1, 4, 2);
        // With 0 as the positive class, its recall is the specificity of class 1.
        CHECK_THAT(m::recall(l.y_true, l.y_pred, Average::binary, 0.0), near(m::specificity(l.y_true, l.y_pred)));
    }
}

TEST_CASE("thousands of classes with arbitrary labels are scored per class", "[metrics][classification]") {
    // 5000 classes labelled 1000..5999: past the small-label table and the
    // sorted-insertion limit, and not 0..K-1, so labels are looked up by search.
    const Index n = 5000;
    Vector<double> y(n);
    for (Index i = 0; i < n; ++i) y[i] = double(1000 + i);
    Vector<double> p = y;
    p[0] = y[1];  // class 1000 is never predicted, class 1001 twice
    const auto s = m::class_scores(y, p);
    REQUIRE(s.labels.size() == n);
    CHECK(s.labels[0] == 1000);
    CHECK(s.labels[n - 1] == 5999);
    CHECK(s.precision[0] == 0);
    CHECK(s.recall[0] == 0);
    CHECK(s.precision[1] == 0.5);
    CHECK(s.recall[1] == 1);
    CHECK_THAT(m::precision(y, p, Average::macro), near((4998 + 0.5) / 5000));
    CHECK_THAT(m::recall(y, p, Average::macro), near(4999.0 / 5000));
    CHECK_THAT(m::accuracy(y, p), near(4999.0 / 5000));
}

TEST_CASE("log loss agrees with scikit-learn 1.2 including its clipping of 0 and 1", "[metrics][classification]") {
    for (const char* name : {"log loss, binary", "log loss, binary, weighted", "log loss, multiclass",
                             "log loss, multiclass, weighted"}) {
        DYNAMIC_SECTION("case: " << name) {
            const fixture::Case& c = fixture::get("classification.txt", name);
            const Vector<double> y = c.vec("y_true");
            const Vector<double> w = c.has("sample_weight") ? c.vec("sample_weight") : Vector<double>();
            const Vector<double>* wp = c.has("sample_weight") ? &w : nullptr;
            const Index k = c.has("n_classes") ? static_cast<Index>(c.scalar("n_classes")) : 1;
            const shelf::RowMatrix<double> proba = c.mat("proba", k);
            CHECK_THAT(m::log_loss(y, proba, wp), near(c.scalar("log_loss")));
            if (k == 1) {  // P(y = 1) as a plain vector
                const Vector<double> p1 = c.vec("proba");
                CHECK_THAT(m::log_loss(y, p1, wp), near(c.scalar("log_loss")));
            }
        }
    }
    SECTION("a probability column of exactly the right answer costs about machine epsilon") {
        const Vector<double> y = (Vector<double>(2) << 0, 1).finished();
        const Vector<double> p = (Vector<double>(2) << 0, 1).finished();
        CHECK(m::log_loss(y, p) < 1e-15);
        CHECK(m::log_loss(y, p) > 0);
    }
    SECTION("an exactly wrong probability is clipped to -log(epsilon), not infinity") {
        const Vector<double> y = (Vector<double>(1) << 1).finished();
        const Vector<double> p = (Vector<double>(1) << 0).finished();
        CHECK_THAT(m::log_loss(y, p), near(-std::log(std::numeric_limits<double>::epsilon())));
    }
    SECTION("float data is scored like double within float precision") {
        const Vector<double> y = (Vector<double>(4) << 0, 1, 1, 0).finished();
        const Vector<double> p = (Vector<double>(4) << 0.2, 0.7, 0.9, 0.4).finished();
        const Vector<float> yf = y.cast<float>(), pf = p.cast<float>();
        CHECK_THAT(m::log_loss(yf, pf), near_float(m::log_loss(y, p)));
    }
}

TEST_CASE("top-k accuracy agrees with scikit-learn, ties included", "[metrics][classification]") {
    for (const char* name : {"top-k accuracy", "top-k accuracy, weighted"}) {
        DYNAMIC_SECTION("case: " << name) {
            const fixture::Case& c = fixture::get("classification.txt", name);
            const Vector<double> y = c.vec("y_true");
            const Vector<double> w = c.has("sample_weight") ? c.vec("sample_weight") : Vector<double>();
            const Vector<double>* wp = c.has("sample_weight") ? &w : nullptr;
            const auto k = static_cast<Index>(c.scalar("n_classes"));
            const shelf::RowMatrix<double> s = c.mat("y_score", k);
            for (Index top : {1, 2, 3, 5}) {
                INFO("k = " << top);
                CHECK_THAT(m::top_k_accuracy(y, s, top, wp), near(c.scalar("top_" + std::to_string(top))));
                const Vector<float> wf = w.cast<float>();
                CHECK_THAT(m::top_k_accuracy(Vector<float>(y.cast<float>()), shelf::RowMatrix<float>(s.cast<float>()),
                                             top, wp ? &wf : nullptr),
                           near_float(c.scalar("top_" + std::to_string(top))));
            }
        }
    }
}

TEST_CASE("classification metrics reject unusable input", "[metrics][classification][errors]") {
    const Vector<double> y = (Vector<double>(4) << 0, 1, 2, 1).finished();
    const Vector<double> p = (Vector<double>(4) << 0, 2, 2, 1).finished();
    SECTION("a binary metric on three classes says to choose an Average") {
        REQUIRE_THROWS_AS(m::f1(y, p), shelf::data_error);
        REQUIRE_THROWS_WITH(m::f1(y, p), Catch::Contains("shelf.data_error.204") && Catch::Contains("3 classes") &&
                                             Catch::Contains("Average::macro"));
    }
    SECTION("a pos_label that is not one of the two classes is a bad label") {
        const Vector<double> yb = (Vector<double>(3) << 2, 3, 2).finished();
        REQUIRE_THROWS_WITH(m::precision(yb, yb),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("pos_label = 1"));
        CHECK(m::precision(yb, yb, Average::binary, 3.0) == 1.0);
    }
    SECTION("probabilities passed as predicted classes are rejected") {
        const Vector<double> probs = (Vector<double>(4) << 0.1, 0.9, 0.8, 0.3).finished();
        REQUIRE_THROWS_WITH(m::accuracy(y, probs), Catch::Contains("shelf.data_error.204") &&
                                                       Catch::Contains("y_pred[0] is 0.1") &&
                                                       Catch::Contains("whole numbers"));
    }
    SECTION("lengths must match, input must be non-empty and finite") {
        const Vector<double> shorter = Vector<double>::Zero(3), empty(0);
        REQUIRE_THROWS_WITH(m::accuracy(y, shorter),
                            Catch::Contains("shelf.data_error.202") &&
                                Catch::Contains("accuracy: y_true has 4 entries but y_pred has 3"));
        REQUIRE_THROWS_WITH(m::recall(empty, empty, Average::macro), Catch::Contains("shelf.data_error.201"));
        Vector<double> bad = p;
        bad[3] = NAN;
        REQUIRE_THROWS_WITH(m::precision(y, bad, Average::macro),
                            Catch::Contains("shelf.data_error.203") && Catch::Contains("y_pred[3] is nan"));
    }
    SECTION("beta must be >= 0") {
        REQUIRE_THROWS_AS(m::f_beta(y, p, -1.0, Average::macro), shelf::invalid_argument);
        REQUIRE_THROWS_WITH(m::f_beta(y, p, -1.0, Average::macro), Catch::Contains("shelf.invalid_argument.101"));
    }
    SECTION("an explicit label list must be non-empty, distinct, and meet y_true") {
        REQUIRE_THROWS_WITH(m::confusion_matrix(y, p, std::vector<double>{}),
                            Catch::Contains("shelf.invalid_argument.101"));
        REQUIRE_THROWS_WITH(m::confusion_matrix(y, p, std::vector<double>{1, 0, 1}),
                            Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("twice"));
        REQUIRE_THROWS_WITH(m::confusion_matrix(y, p, std::vector<double>{7, 8}),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("none of the classes"));
    }
    SECTION("log loss wants probabilities in [0, 1] and labels that match the columns") {
        const Vector<double> yb = (Vector<double>(2) << 0, 1).finished();
        const Vector<double> raw = (Vector<double>(2) << -0.5, 2.0).finished();
        REQUIRE_THROWS_AS(m::log_loss(yb, raw), shelf::invalid_argument);
        REQUIRE_THROWS_WITH(m::log_loss(yb, raw), Catch::Contains("shelf.invalid_argument.101") &&
                                                      Catch::Contains("proba(0, 0) is -0.5"));
        const Vector<double> p2 = (Vector<double>(4) << 0.5, 0.5, 0.5, 0.5).finished();
        REQUIRE_THROWS_WITH(m::log_loss(y, p2),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("y_true[2] is 2"));
        const shelf::RowMatrix<double> three = shelf::RowMatrix<double>::Constant(3, 3, 1.0 / 3);
        REQUIRE_THROWS_WITH(m::log_loss(y, three), Catch::Contains("shelf.data_error.202") &&
                                                       Catch::Contains("y_true has 4 entries but proba has 3 rows"));
    }
    SECTION("top-k accuracy wants k >= 1 and labels that index a column") {
        const shelf::RowMatrix<double> s = shelf::RowMatrix<double>::Zero(4, 3);
        REQUIRE_THROWS_WITH(m::top_k_accuracy(y, s, 0), Catch::Contains("shelf.invalid_argument.101"));
        const Vector<double> y5 = (Vector<double>(4) << 0, 1, 5, 1).finished();
        REQUIRE_THROWS_WITH(m::top_k_accuracy(y5, s, 1),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("y_true[2] is 5"));
        CHECK(m::top_k_accuracy(y, s, 3) == 1.0);  // k >= K: every true class is in the top k
    }
}
