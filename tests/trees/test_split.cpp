// Single trees solved by hand: with base_score 0 and squared error, row i's gradient is −y_i
// and its hessian 1, so a node's leaf weight is −T_α(G)/(H + λ) and a split's gain is
// T_α(G_L)²/(H_L + λ) + T_α(G_R)²/(H_R + λ) − T_α(G)²/(H + λ).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cmath>
#include <vector>

#include "fixture.hpp"

using shelf::RowMatrix;
using shelf::Vector;

namespace {

shelf::gbt::Params stump() {
    shelf::gbt::Params p;
    p.num_round = 1;
    p.base_score = 0.0;
    p.eta = 1.0;
    p.lambda = 0.0;
    p.min_child_weight = 0.0;
    p.max_depth = 1;
    p.num_threads = 1;
    return p;
}

RowMatrix<float> column(std::vector<float> x) {
    RowMatrix<float> X(static_cast<shelf::Index>(x.size()), 1);
    for (std::size_t i = 0; i < x.size(); ++i) X(static_cast<shelf::Index>(i), 0) = x[i];
    return X;
}

Vector<float> vec(std::vector<float> v) { return Eigen::Map<Vector<float>>(v.data(), static_cast<shelf::Index>(v.size())); }

float predict_one(const shelf::gbt::Model<float>& m, float x) {
    RowMatrix<float> row(1, 1);
    row(0, 0) = x;
    return m.predict(row)(0, 0);
}

}  // namespace

TEST_CASE("a stump splits where the second-order gain is largest", "[trees][split]") {
    // y = 1, 1, 3, 3 at x = 1..4: G = −8, H = 4. Splitting after x = 2 gains
    // 2²/2 + 6²/2 − 8²/4 = 4; after x = 1 or x = 3 only 4/3.
    const RowMatrix<float> X = column({1, 2, 3, 4});
    const Vector<float> y = vec({1, 1, 3, 3});
    auto p = stump();
    const auto model = shelf::gbt::fit(X, y, p);
    const auto& t = model.trees()[0];
    REQUIRE(t.size() == 3);
    CHECK(t.feature[0] == 0);
    CHECK(t.value[0] == 3.0f);  // go left when x < 3
    CHECK(t.loss_change[0] == Approx(4.0));
    CHECK(t.sum_hessian[0] == 4.0f);
    CHECK(t.sum_hessian[1] == 2.0f);
    CHECK(t.value[1] == Approx(1.0));
    CHECK(t.value[2] == Approx(3.0));
    CHECK(predict_one(model, 2.5f) == Approx(1.0));
    CHECK(predict_one(model, 3.0f) == Approx(3.0));

    SECTION("lambda shrinks the leaves to −G/(H + λ) and the gain with them") {
        p.lambda = 1.0;
        const auto m = shelf::gbt::fit(X, y, p);
        CHECK(m.trees()[0].value[1] == Approx(2.0 / 3.0));
        CHECK(m.trees()[0].value[2] == Approx(2.0));
        CHECK(m.trees()[0].loss_change[0] == Approx(4.0 / 3 + 36.0 / 3 - 64.0 / 5));
    }
    SECTION("alpha soft-thresholds the gradient sums") {
        p.alpha = 1.0;
        const auto m = shelf::gbt::fit(X, y, p);
        CHECK(m.trees()[0].value[0] == 3.0f);
        CHECK(m.trees()[0].value[1] == Approx(0.5));  // −(−2 + 1)/2
        CHECK(m.trees()[0].value[2] == Approx(2.5));  // −(−6 + 1)/2
        CHECK(m.trees()[0].loss_change[0] == Approx(1.0 / 2 + 25.0 / 2 - 49.0 / 4));
    }
    SECTION("eta scales the leaves, not the split") {
        p.eta = 0.1;
        const auto m = shelf::gbt::fit(X, y, p);
        CHECK(m.trees()[0].value[1] == Approx(0.1));
        CHECK(m.trees()[0].base_weight[0] == Approx(2.0));  // the root's Newton weight, before eta
    }
    SECTION("gamma above the best gain keeps the root a leaf at the mean") {
        p.gamma = 4.5;
        const auto m = shelf::gbt::fit(X, y, p);
        REQUIRE(m.trees()[0].size() == 1);
        CHECK(predict_one(m, 1.0f) == Approx(2.0));
    }
    SECTION("min_child_weight above every feasible child's hessian forbids the split") {
        p.min_child_weight = 2.5;
        CHECK(shelf::gbt::fit(X, y, p).trees()[0].size() == 1);
        p.min_child_weight = 2.0;
        CHECK(shelf::gbt::fit(X, y, p).trees()[0].size() == 3);
    }
    SECTION("with two identical features the lower index wins the tie") {
        RowMatrix<float> X2(4, 2);
        X2.col(0) = X.col(0);
        X2.col(1) = X.col(0);
        CHECK(shelf::gbt::fit(X2, y, p).trees()[0].feature[0] == 0);
    }
}

TEST_CASE("max_delta_step clips leaf weights and scores splits with the clipped weights", "[trees][split]") {
    // y = −3, −1, 1, 3: G = 3, 1, −1, −3. The split in the middle has unclipped weights ∓2
    // (gain 16); clipped to ∓0.5 each side scores −(2Gw + Hw²) = 3.5 (gain 7).
    const RowMatrix<float> X = column({1, 2, 3, 4});
    const Vector<float> y = vec({-3, -1, 1, 3});
    auto p = stump();
    CHECK(shelf::gbt::fit(X, y, p).trees()[0].loss_change[0] == Approx(16.0));
    p.max_delta_step = 0.5;
    const auto m = shelf::gbt::fit(X, y, p);
    CHECK(m.trees()[0].loss_change[0] == Approx(7.0));
    CHECK(m.trees()[0].value[1] == Approx(-0.5));
    CHECK(m.trees()[0].value[2] == Approx(0.5));
}

TEST_CASE("missing values go where they help the split most", "[trees][split][missing]") {
    // x = 1, 2, 3, 4, NaN, NaN with y = 1, 1, 3, 3, 1, 1: G = −10, H = 6.
    // Missing right: 2²/2 + 8²/4 − 100/6 = 4/3; missing left: 4²/4 + 6²/2 − 100/6 = 16/3.
    const RowMatrix<float> X = column({1, 2, 3, 4, NAN, NAN});
    auto p = stump();
    const auto model = shelf::gbt::fit(X, vec({1, 1, 3, 3, 1, 1}), p);
    const auto& t = model.trees()[0];
    CHECK(t.default_left[0] == 1);
    CHECK(t.value[0] == 3.0f);
    CHECK(t.loss_change[0] == Approx(16.0 / 3));
    CHECK(predict_one(model, NAN) == Approx(1.0));
    CHECK(predict_one(model, 4.0f) == Approx(3.0));
    SECTION("a feature given as NaN is missing") {
        const RowMatrix<float> none = RowMatrix<float>::Constant(2, 1, NAN);
        const auto out = model.predict(none);
        CHECK(out(0, 0) == Approx(1.0));
        CHECK(out(1, 0) == Approx(1.0));
    }
    SECTION("with the missing rows' labels flipped, missing values go right") {
        const auto flipped = shelf::gbt::fit(X, vec({1, 1, 3, 3, 3, 3}), p);
        CHECK(flipped.trees()[0].default_left[0] == 0);
        CHECK(predict_one(flipped, NAN) == Approx(3.0));
    }
    SECTION("a feature without missing values in training sends them right, as XGBoost") {
        const auto dense = shelf::gbt::fit(column({1, 2, 3, 4}), vec({1, 1, 3, 3}), p);
        CHECK(dense.trees()[0].default_left[0] == 0);
        CHECK(predict_one(dense, NAN) == Approx(3.0));
    }
    SECTION("missing rows alone can form the right child") {
        // All present values alike, the missing rows different: the split is 'present | missing'.
        const auto m = shelf::gbt::fit(column({1, 2, 3, NAN}), vec({1, 1, 1, 5}), p);
        CHECK(m.trees()[0].default_left[0] == 0);
        CHECK(predict_one(m, NAN) == Approx(5.0));
        CHECK(predict_one(m, 2.5f) == Approx(1.0));
    }
}

TEST_CASE("trees grow level by level or best leaf first", "[trees][split]") {
    // y jumps at x = 4 (by 10) and at x = 6 (by 2): the big jump is split first.
    const RowMatrix<float> X = column({1, 2, 3, 4, 5, 6, 7, 8});
    const Vector<float> y = vec({0, 0, 0, 10, 10, 12, 12, 12});
    auto p = stump();
    p.max_depth = 3;
    SECTION("depthwise: max_depth bounds the depth") {
        p.max_depth = 2;
        const auto m = shelf::gbt::fit(X, y, p);
        CHECK(m.trees()[0].depth() == 2);
        CHECK(m.trees()[0].value[0] == 4.0f);
    }
    SECTION("lossguide: max_leaves bounds the leaves, and the best split comes first") {
        p.grow_policy = shelf::gbt::GrowPolicy::lossguide;
        p.max_depth = 0;
        p.max_leaves = 3;
        const auto m = shelf::gbt::fit(X, y, p);
        const auto& t = m.trees()[0];
        int leaves = 0;
        for (int n = 0; n < t.size(); ++n) leaves += t.is_leaf(n) ? 1 : 0;
        CHECK(leaves == 3);
        CHECK(t.value[0] == 4.0f);
        CHECK(t.value[2] == 6.0f);  // the second split refines the right side (x ≥ 4)
        CHECK(predict_one(m, 7.5f) == Approx(12.0));
        CHECK(predict_one(m, 2.0f) == Approx(0.0));
    }
}

TEST_CASE("root histograms built for several outputs at once equal those built one by one", "[trees][histogram]") {
    // 100,000 rows: three row groups, whose partial sums must be added in the same order; 11
    // outputs: a full chunk of eight and a short one. Codes skip bins and use the missing slot.
    using namespace shelf::gbt::detail;
    const std::size_t n = 100000, d = 6, outputs = 11;
    const std::vector<std::uint32_t> bins{3, 1, 17, 255, 40, 9};
    HistLayout layout;
    layout.offset.push_back(0);
    for (const std::uint32_t b : bins) layout.offset.push_back(layout.offset.back() + b + 1);
    shelf::Rng rng(7);
    std::vector<std::uint8_t> codes(n * d);
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t f = 0; f < d; ++f)
            codes[r * d + f] = static_cast<std::uint8_t>(rng.uniform() * (bins[f] + 1) * 0.999);
    std::vector<shelf::gbt::GradientPair<float>> gpair(n * outputs);
    for (auto& g : gpair) g = {static_cast<float>(rng.uniform() - 0.5), static_cast<float>(rng.uniform())};
    std::vector<std::uint32_t> rows(n);
    for (std::size_t r = 0; r < n; ++r) rows[r] = static_cast<std::uint32_t>(r);
    const int threads = GENERATE(1, 3);

    HistogramBuilder builder;
    std::vector<HistBin> together(outputs * layout.size());
    builder.build_outputs(rows.data(), n, codes.data(), d, layout, gpair.data(), n, outputs, together.data(), threads);
    for (std::size_t k = 0; k < outputs; ++k) {
        std::vector<HistBin> alone(layout.size());
        builder.build(std::vector<HistRequest>{{rows.data(), n, alone.data()}}, codes.data(), d, layout,
                      gpair.data() + k * n, threads);
        std::size_t same = 0;
        for (std::size_t i = 0; i < layout.size(); ++i)
            same += together[k * layout.size() + i].grad == alone[i].grad &&
                    together[k * layout.size() + i].hess == alone[i].hess;
        INFO("output " << k);
        CHECK(same == layout.size());
    }
}

namespace {

// The scan as XGBoost writes it, one bin at a time, as the reference for the chunked SIMD scan.
template <class T>
shelf::gbt::detail::SplitCandidate<T> scan_bin_by_bin(const shelf::gbt::detail::HistBin* hist,
                                                      const shelf::gbt::detail::Cuts<T>& cuts,
                                                      const shelf::gbt::detail::GradStats& parent, T parent_score,
                                                      const shelf::gbt::detail::SplitParams<T>& p) {
    using namespace shelf::gbt::detail;
    SplitCandidate<T> best;
    const auto bins = static_cast<std::int32_t>(cuts.bins(0));
    const auto consider = [&](const GradStats& l, const GradStats& r, std::int32_t bin, T threshold, bool missing_left) {
        if (l.hess < static_cast<double>(p.min_child_weight) || r.hess < static_cast<double>(p.min_child_weight)) return;
        const T gain = static_cast<T>(node_score(p, l) + node_score(p, r)) - parent_score;
        if (best.improved_by(gain, 0)) best = {gain, 0, bin, threshold, missing_left, l, r};
    };
    GradStats below;
    for (std::int32_t b = 0; b < bins; ++b) {
        below.add(hist[b]);
        consider(below, parent - below, b, cuts.cuts(0)[b], false);
    }
    if (hist[bins].grad == 0.0 && hist[bins].hess == 0.0) return best;
    GradStats above;
    for (std::int32_t b = bins - 1; b >= 0; --b) {
        above.add(hist[b]);
        consider(parent - above, above, b - 1, b == 0 ? cuts.min_values[0] : cuts.cuts(0)[b - 1], true);
    }
    return best;
}

}  // namespace

TEST_CASE("the chunked split scan finds the bin-by-bin scan's split, ties included", "[trees][split]") {
    // Bin counts below, at and across the 64-bin chunks; a third of the bins empty, so runs of
    // equal gains test that the first bin of a tie wins in both directions.
    using namespace shelf::gbt::detail;
    const std::int32_t bins = GENERATE(1, 7, 64, 65, 200, 256);
    const bool missing = GENERATE(false, true);
    SplitParams<float> p;
    const int setting = GENERATE(0, 1, 2, 3);
    if (setting == 1) p.alpha = 0.7f;
    if (setting == 2) p.max_delta_step = 0.3f;
    if (setting == 3) p.min_child_weight = 20.0f, p.lambda = 0.0f;
    Cuts<float> cuts;
    for (std::int32_t b = 0; b < bins; ++b) cuts.values.push_back(static_cast<float>(b) + 0.5f);
    cuts.ptr.push_back(static_cast<std::uint32_t>(bins));
    cuts.min_values.push_back(-1.0f);
    shelf::Rng rng(static_cast<std::uint64_t>(bins * 8 + setting * 2 + (missing ? 1 : 0)));
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<HistBin> hist(static_cast<std::size_t>(bins) + 1);
        GradStats parent;
        for (std::size_t b = 0; b < hist.size(); ++b) {
            if (rng.uniform() < 1.0 / 3 || (b == hist.size() - 1 && !missing)) continue;
            hist[b] = {rng.uniform(-5.0, 5.0), rng.uniform(0.0, 3.0)};
            parent.add(hist[b]);
        }
        const float parent_score = node_score(p, parent);
        SplitCandidate<float> chunked;
        scan_feature(hist.data(), cuts, 0, parent, parent_score, p, chunked);
        const auto reference = scan_bin_by_bin(hist.data(), cuts, parent, parent_score, p);
        INFO("bins " << bins << ", missing " << missing << ", setting " << setting << ", trial " << trial);
        CHECK(chunked.loss_change == reference.loss_change);
        CHECK(chunked.bin == reference.bin);
        CHECK(chunked.threshold == reference.threshold);
        CHECK(chunked.default_left == reference.default_left);
        CHECK(chunked.left.grad == reference.left.grad);
        CHECK(chunked.left.hess == reference.left.hess);
        CHECK(chunked.right.grad == reference.right.grad);
        CHECK(chunked.right.hess == reference.right.hess);
    }
}
