// Ranking metrics: ROC and precision-recall curves, ROC AUC, average precision,
// PR AUC, threshold search.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "shelf/core/random.hpp"
#include "shelf/metrics/classification.hpp"
#include "shelf/metrics/ranking.hpp"

namespace m = shelf::metrics;
using fixture::near;
using fixture::near_float;
using shelf::Index;
using shelf::Vector;

namespace {

/// The definition of ROC AUC, O(n²): the (weighted) share of positive-negative
/// pairs ranked correctly, ties counting half. Independent of the sort-based code.
template <class T>
double auc_by_pairs(const Vector<T>& y, const Vector<T>& s, const Vector<T>* w) {
    double good = 0, pairs = 0;
    for (Index i = 0; i < y.size(); ++i) {
        if (y[i] != 1) continue;
        for (Index j = 0; j < y.size(); ++j) {
            if (y[j] == 1) continue;
            const double wij = w ? double((*w)[i]) * double((*w)[j]) : 1.0;
            pairs += wij;
            good += s[i] > s[j] ? wij : s[i] == s[j] ? wij / 2 : 0;
        }
    }
    return good / pairs;
}

/// The definition of average precision, O(n²): the mean over positives of the
/// precision among all samples scored at least as high.
template <class T>
double ap_by_definition(const Vector<T>& y, const Vector<T>& s, const Vector<T>* w) {
    double total = 0, positives = 0;
    for (Index i = 0; i < y.size(); ++i) {
        const double wi = w ? double((*w)[i]) : 1.0;
        if (y[i] != 1 || wi == 0) continue;
        double tp = 0, all = 0;
        for (Index j = 0; j < y.size(); ++j) {
            if (s[j] < s[i]) continue;
            const double wj = w ? double((*w)[j]) : 1.0;
            all += wj;
            tp += y[j] == 1 ? wj : 0;
        }
        total += wi * tp / all;
        positives += wi;
    }
    return total / positives;
}

struct Sample {
    Vector<double> y, s, w;
};

/// Random scores with ties, negatives, and both signs of zero.
Sample random_sample(Index n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    Sample d{Vector<double>(n), Vector<double>(n), Vector<double>(n)};
    for (Index i = 0; i < n; ++i) {
        d.y[i] = u(rng) < 0.3 ? 1 : 0;
        const double raw = u(rng) * 4 - 2 + d.y[i];
        d.s[i] = i % 3 == 0 ? std::round(raw * 4) / 4 : raw;  // a third on a coarse grid: ties
        if (d.s[i] == 0 && i % 2) d.s[i] = -0.0;
        d.w[i] = i % 11 == 0 ? 0 : u(rng) * 3;
    }
    return d;
}

void check_point(const m::OperatingPoint& got, const std::vector<double>& expected) {
    REQUIRE(expected.size() == 4);
    CHECK_THAT(got.threshold, near(expected[0]));
    CHECK_THAT(got.precision, near(expected[1]));
    CHECK_THAT(got.recall, near(expected[2]));
    CHECK_THAT(got.f_beta, near(expected[3]));
}

}  // namespace

TEST_CASE("ROC and precision-recall metrics agree with scikit-learn", "[metrics][ranking]") {
    for (const fixture::Case& c : fixture::load("ranking.txt")) {
        DYNAMIC_SECTION("case: " << c.name) {
            const Vector<double> y = c.vec("y_true"), s = c.vec("y_score");
            const Vector<double> w = c.has("sample_weight") ? c.vec("sample_weight") : Vector<double>();
            const Vector<double>* wp = c.has("sample_weight") ? &w : nullptr;
            const double pos = c.scalar("pos_label");
            const Vector<float> yf = y.cast<float>(), sf = s.cast<float>(), wf = w.cast<float>();
            const Vector<float>* wfp = wp ? &wf : nullptr;

            if (c.has("roc_auc")) {
                CHECK_THAT(m::roc_auc(y, s, pos, wp), near(c.scalar("roc_auc")));
                CHECK_THAT(m::roc_auc(yf, sf, float(pos), wfp), near_float(c.scalar("roc_auc")));
                const m::RocCurve roc = m::roc_curve(y, s, pos, wp);
                fixture::check_all(roc.fpr, c.list("roc.fpr"));
                fixture::check_all(roc.tpr, c.list("roc.tpr"));
                fixture::check_all(roc.thresholds, c.list("roc.thresholds"));
                const m::RocCurve all = m::roc_curve(y, s, pos, wp, false);
                fixture::check_all(all.fpr, c.list("roc_all.fpr"));
                fixture::check_all(all.tpr, c.list("roc_all.tpr"));
                fixture::check_all(all.thresholds, c.list("roc_all.thresholds"));
                CHECK_THAT(m::auc(roc.fpr, roc.tpr), near(c.scalar("roc_auc")));
            } else {
                REQUIRE_THROWS_WITH(m::roc_auc(y, s, pos, wp), Catch::Contains("shelf.data_error.204") &&
                                                                   Catch::Contains("undefined with one class"));
            }

            const m::PrecisionRecallCurve pr = m::precision_recall_curve(y, s, pos, wp);
            fixture::check_all(pr.precision, c.list("pr.precision"));
            fixture::check_all(pr.recall, c.list("pr.recall"));
            fixture::check_all(pr.thresholds, c.list("pr.thresholds"));
            CHECK_THAT(m::average_precision(y, s, pos, wp), near(c.scalar("average_precision")));
            CHECK_THAT(m::pr_auc(y, s, pos, wp), near(c.scalar("pr_auc")));
            CHECK_THAT(m::auc(pr.recall, pr.precision), near(c.scalar("pr_auc")));
            CHECK_THAT(m::average_precision(yf, sf, float(pos), wfp), near_float(c.scalar("average_precision")));
            CHECK_THAT(m::pr_auc(yf, sf, float(pos), wfp), near_float(c.scalar("pr_auc")));

            check_point(m::best_f_beta_threshold(y, s, 1.0, pos, wp), c.list("best_f_beta.1"));
            check_point(m::best_f_beta_threshold(y, s, 2.0, pos, wp), c.list("best_f_beta.2"));
            for (double r : {0.5, 0.8, 1.0}) {
                INFO("min_recall " << r);
                std::ostringstream key;
                key << "precision_at_recall." << r;
                check_point(m::precision_at_recall(y, s, r, pos, wp), c.list(key.str()));
            }
            for (double p : {0.6, 0.9, 1.0}) {
                INFO("min_precision " << p);
                std::ostringstream key;
                key << "recall_at_precision." << p;
                check_point(m::recall_at_precision(y, s, p, pos, wp), c.list(key.str()));
            }
        }
    }
}

TEST_CASE("ROC AUC and average precision match their pairwise definitions", "[metrics][ranking]") {
    // 1500 samples: above the insertion-sort cutoff, so the radix sort is what runs.
    const Sample d = random_sample(1500, 7);
    SECTION("unweighted, double") {
        CHECK_THAT(m::roc_auc(d.y, d.s), near(auc_by_pairs(d.y, d.s, static_cast<const Vector<double>*>(nullptr))));
        CHECK_THAT(m::average_precision(d.y, d.s),
                   near(ap_by_definition(d.y, d.s, static_cast<const Vector<double>*>(nullptr))));
    }
    SECTION("weighted with some zero weights, double") {
        CHECK_THAT(m::roc_auc(d.y, d.s, 1.0, &d.w), near(auc_by_pairs(d.y, d.s, &d.w)));
        CHECK_THAT(m::average_precision(d.y, d.s, 1.0, &d.w), near(ap_by_definition(d.y, d.s, &d.w)));
    }
    SECTION("float scores, sorted as 32-bit keys") {
        const Vector<float> y = d.y.cast<float>(), s = d.s.cast<float>(), w = d.w.cast<float>();
        CHECK_THAT(m::roc_auc(y, s), near(auc_by_pairs(y, s, static_cast<const Vector<float>*>(nullptr))));
        CHECK_THAT(m::roc_auc(y, s, 1.0f, &w), near(auc_by_pairs(y, s, &w)));
        CHECK_THAT(m::average_precision(y, s, 1.0f, &w), near(ap_by_definition(y, s, &w)));
    }
}

TEST_CASE("ROC AUC depends on the ranking only", "[metrics][ranking]") {
    const Sample d = random_sample(800, 11);
    const double auc = m::roc_auc(d.y, d.s);
    SECTION("a strictly increasing transform of the scores leaves it unchanged") {
        Vector<double> t(d.s.size());
        for (Index i = 0; i < t.size(); ++i) t[i] = std::exp(d.s[i]) * 3 + 1;
        CHECK_THAT(m::roc_auc(d.y, t), near(auc));
    }
    SECTION("reversing the scores gives 1 - AUC") { CHECK_THAT(m::roc_auc(d.y, Vector<double>(-d.s)), near(1 - auc)); }
    SECTION("swapping which class is positive gives 1 - AUC") {
        CHECK_THAT(m::roc_auc(d.y, d.s, 0.0), near(1 - auc));
    }
    SECTION("all-equal scores rank nothing: AUC 0.5, AP the prevalence") {
        const Vector<double> same = Vector<double>::Constant(d.y.size(), 0.25);
        CHECK_THAT(m::roc_auc(d.y, same), near(0.5));
        double positives = 0;
        for (Index i = 0; i < d.y.size(); ++i) positives += d.y[i];
        CHECK_THAT(m::average_precision(d.y, same), near(positives / double(d.y.size())));
    }
    SECTION("-0 and +0 are the same score") {
        Vector<double> y(4), s(4);
        y << 1, 0, 1, 0;
        s << 0.0, -0.0, 1, -1;
        CHECK_THAT(m::roc_auc(y, s), near((1 + 0.5 + 1 + 1) / 4));
        CHECK(m::roc_curve(y, s, 1.0, nullptr, false).thresholds.size() == 4);  // +1 start, 1, 0, -1
    }
}

TEST_CASE("threshold search returns thresholds that reproduce what they report", "[metrics][ranking]") {
    const Sample d = random_sample(600, 3);
    const auto check_reproduces = [&](const m::OperatingPoint& op) {
        Vector<double> pred(d.s.size());
        for (Index i = 0; i < pred.size(); ++i) pred[i] = d.s[i] >= op.threshold ? 1 : 0;
        CHECK_THAT(m::precision(d.y, pred), near(op.precision));
        CHECK_THAT(m::recall(d.y, pred), near(op.recall));
        CHECK_THAT(m::f1(d.y, pred), near(op.f_beta));
    };
    SECTION("best F1") {
        const auto op = m::best_f_beta_threshold(d.y, d.s);
        check_reproduces(op);
        CHECK(op.f_beta > 0);
    }
    SECTION("best accuracy: its threshold reproduces it and no threshold does better") {
        const auto [threshold, accuracy] = m::best_accuracy_threshold(d.y, d.s);
        const auto accuracy_at = [&](double t) {
            Vector<double> pred(d.s.size());
            for (Index i = 0; i < pred.size(); ++i) pred[i] = d.s[i] >= t ? 1 : 0;
            return m::accuracy(d.y, pred);
        };
        CHECK_THAT(accuracy_at(threshold), near(accuracy));
        CHECK(accuracy_at(d.s.maxCoeff() + 1) <= accuracy);
        for (Index i = 0; i < d.s.size(); ++i) CHECK(accuracy_at(d.s[i]) <= accuracy + 1e-12);
        CHECK(accuracy > 0.5);
    }
    SECTION("precision at recall >= 0.7 meets the recall target") {
        const auto op = m::precision_at_recall(d.y, d.s, 0.7);
        check_reproduces(op);
        CHECK(op.recall >= 0.7);
    }
    SECTION("recall at precision >= 0.6 meets the precision target") {
        const auto op = m::recall_at_precision(d.y, d.s, 0.6);
        check_reproduces(op);
        CHECK(op.precision >= 0.6);
    }
    SECTION("an unreachable precision means predicting nothing: threshold +inf, recall 0") {
        Vector<double> y(4), s(4);
        y << 0, 1, 0, 1;
        s << 0.9, 0.5, 0.8, 0.1;  // the top score is a negative: precision 1 is never reached
        const auto op = m::recall_at_precision(y, s, 1.0);
        CHECK(op.threshold == std::numeric_limits<double>::infinity());
        CHECK(op.recall == 0);
        CHECK(op.precision == 1);
    }
}

TEMPLATE_TEST_CASE("best accuracy threshold: the bucketed search equals the walk over every threshold",
                   "[metrics][ranking]", float, double) {
    using T = TestType;
    // Weights of 1 take the walk over RankedScores; no weights take detail/accuracy_buckets.hpp.
    shelf::Rng rng(17);
    const auto check = [](const Vector<T>& y, const Vector<T>& s, T pos_label) {
        const Vector<T> ones = Vector<T>::Ones(y.size());
        const auto walked = m::best_accuracy_threshold<T>(y, s, pos_label, &ones);
        const auto bucketed = m::best_accuracy_threshold<T>(y, s, pos_label);
        CHECK(bucketed.first == walked.first);
        CHECK(bucketed.second == walked.second);
    };
    for (const Index n : {Index(2), Index(9), Index(1000), Index(60000)}) {
        for (const int kind : {0, 1, 2, 3, 4}) {
            INFO("n " << n << ", scores of kind " << kind);
            Vector<T> y(n), s(n);
            for (Index i = 0; i < n; ++i) {
                const double z = rng.normal();
                y[i] = rng.uniform() < 1 / (1 + std::exp(-2 * z)) ? T(1) : T(0);
                switch (kind) {
                    case 0: s[i] = T(1 / (1 + std::exp(-z))); break;          // probabilities, few ties
                    case 1: s[i] = T(std::round(z * 4) / 4); break;           // heavy ties, signs, ±0
                    case 2: s[i] = T(1 + 1e-6 * z); break;                    // one bucket holds them all
                    case 3: s[i] = T(z * 1e30); break;                        // huge magnitudes
                    default: s[i] = T(z < 0 ? -0.0 : 0.0); break;             // only −0 and +0: one threshold
                }
            }
            y[0] = T(1);  // both classes
            y[n - 1] = T(0);
            check(y, s, T(1));
            check(y, s, T(0));  // the other class as positive
        }
    }
    SECTION("one class is refused as the walk refuses it") {
        const Vector<T> y = Vector<T>::Ones(5), s = Vector<T>::LinSpaced(5, 0, 1);
        CHECK_THROWS_WITH(m::best_accuracy_threshold<T>(y, s), Catch::Contains("only one class (1)"));
        const Vector<T> ones = Vector<T>::Ones(5);
        CHECK_THROWS_WITH(m::best_accuracy_threshold<T>(y, s, T(1), &ones), Catch::Contains("only one class (1)"));
    }
}

TEST_CASE("ranking metrics reject unusable input", "[metrics][ranking][errors]") {
    const Vector<double> y = (Vector<double>(5) << 0, 1, 1, 0, 1).finished();
    const Vector<double> s = (Vector<double>(5) << 0.1, 0.8, 0.4, 0.4, 0.9).finished();
    SECTION("ROC AUC with one class is undefined, as scikit-learn raises") {
        const Vector<double> ones = Vector<double>::Ones(5);
        REQUIRE_THROWS_AS(m::roc_auc(ones, s), shelf::data_error);
        REQUIRE_THROWS_WITH(m::roc_auc(ones, s), Catch::Contains("shelf.data_error.204") &&
                                                     Catch::Contains("ROC AUC is undefined with one class"));
        REQUIRE_THROWS_WITH(m::roc_curve(Vector<double>(Vector<double>::Zero(5)), s),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("only one class (0)"));
    }
    SECTION("a class whose weights are all zero leaves one class") {
        const Vector<double> w = (Vector<double>(5) << 0, 1, 1, 0, 1).finished();  // every negative weightless
        REQUIRE_THROWS_WITH(m::roc_auc(y, s, 1.0, &w),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("zero weight"));
    }
    SECTION("precision-recall metrics need a positive sample") {
        const Vector<double> zeros = Vector<double>::Zero(5);
        REQUIRE_THROWS_WITH(m::average_precision(zeros, s),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("no positive samples"));
        REQUIRE_THROWS_WITH(m::pr_auc(zeros, s), Catch::Contains("shelf.data_error.204"));
        REQUIRE_THROWS_WITH(m::best_f_beta_threshold(zeros, s), Catch::Contains("shelf.data_error.204"));
    }
    SECTION("lengths must match, naming both") {
        const Vector<double> y10 = Vector<double>::Zero(10), s9 = Vector<double>::Zero(9);
        REQUIRE_THROWS_AS(m::roc_auc(y10, s9), shelf::data_error);
        REQUIRE_THROWS_WITH(m::roc_auc(y10, s9), Catch::Contains("shelf.data_error.202") &&
                                                     Catch::Contains("roc_auc: y_true has 10 entries but y_score has 9"));
    }
    SECTION("empty input is empty data") {
        const Vector<double> e(0);
        REQUIRE_THROWS_WITH(m::roc_auc(e, e), Catch::Contains("shelf.data_error.201"));
    }
    SECTION("a NaN score is named by its index") {
        Vector<double> bad = s;
        bad[2] = NAN;
        REQUIRE_THROWS_WITH(m::roc_auc(y, bad), Catch::Contains("shelf.data_error.203") && Catch::Contains("y_score[2]"));
    }
    SECTION("more than two classes, or a pos_label that is neither, is a bad label") {
        const Vector<double> y3 = (Vector<double>(5) << 0, 1, 2, 0, 1).finished();
        REQUIRE_THROWS_WITH(m::roc_auc(y3, s), Catch::Contains("shelf.data_error.204") &&
                                                   Catch::Contains("more than two classes"));
        REQUIRE_THROWS_WITH(m::roc_auc(y, s, 2.0),
                            Catch::Contains("shelf.data_error.204") && Catch::Contains("pos_label = 2"));
    }
    SECTION("targets and beta are checked") {
        REQUIRE_THROWS_WITH(m::precision_at_recall(y, s, 1.5), Catch::Contains("shelf.invalid_argument.101"));
        REQUIRE_THROWS_WITH(m::recall_at_precision(y, s, -0.1), Catch::Contains("shelf.invalid_argument.101"));
        REQUIRE_THROWS_WITH(m::best_f_beta_threshold(y, s, NAN), Catch::Contains("shelf.invalid_argument.101"));
    }
    SECTION("auc needs a monotonic x") {
        const Vector<double> x = (Vector<double>(3) << 0, 1, 0.5).finished();
        REQUIRE_THROWS_WITH(m::auc(x, x), Catch::Contains("shelf.invalid_argument.105"));
    }
}
