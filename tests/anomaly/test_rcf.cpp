#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <shelf/anomaly.hpp>
#include <shelf/core/random.hpp>

#include "../common/reference.hpp"

namespace {

using shelf::Index;
using shelf::RowMatrix;
using shelf::Vector;
namespace rcf = shelf::rcf;

template <class T>
RowMatrix<T> gaussian(shelf::Rng& rng, Index n, Index d) {
    RowMatrix<T> X(n, d);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < d; ++j) X(i, j) = static_cast<T>(rng.normal());
    return X;
}

rcf::Params small_params(int trees = 50, int samples = 64) {
    rcf::Params p;
    p.num_trees = trees;
    p.num_samples_per_tree = samples;
    p.seed = 7;
    return p;
}

/// An explicit tree with parent links, for inserting a point the way Guha et al. describe it
/// and reading its CoDisp off the changed tree: the reference for rcf::displacement.
struct ReferenceTree {
    struct Node {
        int left = -1, right = -1, parent = -1;
        double mass = 0;
        std::vector<double> lo, hi;
        bool leaf() const { return left < 0; }
    };
    std::vector<Node> nodes;
    int root = 0;

    template <class T>
    ReferenceTree(const rcf::Forest<T>& f, Index t) {
        const auto first = f.tree_first[static_cast<std::size_t>(t)], last = f.tree_first[static_cast<std::size_t>(t) + 1];
        for (auto i = first; i < last; ++i) {
            Node n;
            const auto at = static_cast<std::size_t>(i);
            n.left = f.dim[at] < 0 ? -1 : f.left[at];
            n.right = f.dim[at] < 0 ? -1 : f.right[at];
            n.mass = f.mass[at];
            for (Index j = 0; j < f.dimension(); ++j) n.lo.push_back(f.lower(i, j)), n.hi.push_back(f.upper(i, j));
            nodes.push_back(n);
        }
        for (int i = 0; i < static_cast<int>(nodes.size()); ++i)
            if (!nodes[static_cast<std::size_t>(i)].leaf())
                nodes[static_cast<std::size_t>(nodes[static_cast<std::size_t>(i)].left)].parent = i,
                nodes[static_cast<std::size_t>(nodes[static_cast<std::size_t>(i)].right)].parent = i;
    }

    /// Inserts x (cuts drawn from rng as rcf::displacement draws them), returns the CoDisp of
    /// x's leaf: the largest |sibling| / |subtree| on the way from the leaf to the root.
    template <class T>
    double insert_and_codisp(const rcf::Forest<T>& f, Index t, const T* x, shelf::Rng& rng) {
        const auto d = static_cast<std::size_t>(f.dimension());
        const auto base = f.tree_first[static_cast<std::size_t>(t)];
        int v = root, leaf = -1;
        while (leaf < 0) {
            Node& n = nodes[static_cast<std::size_t>(v)];
            double inside = 0, outside = 0;  // the box's span, and how far x lies outside it
            for (std::size_t j = 0; j < d; ++j)
                inside += n.hi[j] - n.lo[j],
                    outside += std::max(0.0, n.lo[j] - double(x[j])) + std::max(0.0, double(x[j]) - n.hi[j]);
            if (outside == 0 && n.leaf()) {  // a copy of this leaf's point
                leaf = v;
                for (int a = v; a >= 0; a = nodes[static_cast<std::size_t>(a)].parent) nodes[static_cast<std::size_t>(a)].mass += 1;
                break;
            }
            // A cut uniform over the merged box separates x when it falls outside the node's box.
            const bool separated = n.leaf() || (outside > 0 && rng.uniform() * (inside + outside) < outside);
            if (separated) {  // x's leaf and v become the children of a new node in v's place
                Node x_leaf, branch;
                x_leaf.mass = 1;
                branch.mass = n.mass + 1;
                const int parent = n.parent, new_leaf = static_cast<int>(nodes.size()), new_branch = new_leaf + 1;
                x_leaf.parent = new_branch;
                branch.parent = parent;
                branch.left = new_leaf, branch.right = v;
                nodes[static_cast<std::size_t>(v)].parent = new_branch;
                if (parent < 0) root = new_branch;
                else if (nodes[static_cast<std::size_t>(parent)].left == v) nodes[static_cast<std::size_t>(parent)].left = new_branch;
                else nodes[static_cast<std::size_t>(parent)].right = new_branch;
                for (int a = parent; a >= 0; a = nodes[static_cast<std::size_t>(a)].parent) nodes[static_cast<std::size_t>(a)].mass += 1;
                nodes.push_back(x_leaf), nodes.push_back(branch);
                leaf = new_leaf;
                break;
            }
            const auto at = static_cast<std::size_t>(base + v);
            v = x[f.dim[at]] <= f.cut[at] ? n.left : n.right;
        }
        double codisp = 0;
        for (int c = leaf; nodes[static_cast<std::size_t>(c)].parent >= 0; c = nodes[static_cast<std::size_t>(c)].parent) {
            const Node& p = nodes[static_cast<std::size_t>(nodes[static_cast<std::size_t>(c)].parent)];
            const int sibling = p.left == c ? p.right : p.left;
            codisp = std::max(codisp, nodes[static_cast<std::size_t>(sibling)].mass / nodes[static_cast<std::size_t>(c)].mass);
        }
        return codisp;
    }
};

}  // namespace

TEMPLATE_TEST_CASE("a cut picks a dimension in proportion to its span, then a uniform value", "[rcf]", float, double) {
    // Two points whose spans are 1, 2 and 7: every tree's root cut is a draw of the rule.
    RowMatrix<TestType> X(2, 3);
    X << 0, 0, 0, 1, 2, 7;
    rcf::Params p = small_params(1000, 2);
    const auto model = rcf::fit(X, p);
    const auto& f = model.forest();
    double count[3] = {0, 0, 0}, position[3] = {0, 0, 0};
    const double span[3] = {1, 2, 7};
    for (Index t = 0; t < f.trees(); ++t) {
        const auto root = static_cast<std::size_t>(f.tree_first[static_cast<std::size_t>(t)]);
        const auto q = static_cast<std::size_t>(f.dim[root]);
        count[q] += 1;
        position[q] += static_cast<double>(f.cut[root]) / span[q];
    }
    double chi2 = 0;
    for (int q = 0; q < 3; ++q) {
        const double expected = 1000 * span[q] / 10;
        chi2 += (count[q] - expected) * (count[q] - expected) / expected;
        // The cut's position within the span is uniform: mean 1/2, standard error 1/√(12 count).
        REQUIRE(std::abs(position[q] / count[q] - 0.5) < 4 / std::sqrt(12 * count[q]));
    }
    REQUIRE(chi2 < 13.8);  // χ² with 2 degrees of freedom: p = 0.001
}

TEST_CASE("displacement equals the CoDisp of the point inserted into the tree", "[rcf]") {
    shelf::Rng rng(3);
    RowMatrix<double> X = gaussian<double>(rng, 300, 3);
    for (Index j = 0; j < 3; ++j) X(5, j) = X(4, j);  // a duplicate in the data
    const auto model = rcf::fit(X, small_params(50, 64));
    const auto& f = model.forest();
    RowMatrix<double> Q = gaussian<double>(rng, 40, 3) * 2.5;
    Q.row(0) = X.row(4);  // copies of sampled points (a leaf's mass grows)
    Q.row(1) = X.row(17);
    Q.row(2) << 30, -30, 30;
    for (Index t = 0; t < f.trees(); ++t)
        for (Index i = 0; i < Q.rows(); ++i) {
            shelf::Rng a = shelf::Rng::for_stream(99, static_cast<std::uint64_t>(t * 1000 + i)), b = a;
            ReferenceTree reference(f, t);
            REQUIRE(rcf::displacement(f, t, Q.row(i).data(), a) == reference.insert_and_codisp(f, t, Q.row(i).data(), b));
        }
}

namespace {

/// The trees of tests/reference/rcf/trees.csv (rrcf's cuts) in a Forest, over the points' rows.
rcf::Forest<double> forest_of(const RowMatrix<double>& nodes, const RowMatrix<double>& points, Index tree) {
    rcf::Forest<double> f;
    std::vector<Index> rows;
    for (Index i = 0; i < nodes.rows(); ++i)
        if (nodes(i, 0) == static_cast<double>(tree)) rows.push_back(i);
    const auto n = static_cast<Index>(rows.size());
    f.left.resize(rows.size()), f.right.resize(rows.size()), f.dim.resize(rows.size()), f.cut.resize(rows.size());
    f.mass.assign(rows.size(), 0);
    f.lower.resize(n, points.cols()), f.upper.resize(n, points.cols());
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const auto r = rows[k];
        f.left[k] = static_cast<std::int32_t>(nodes(r, 1)), f.right[k] = static_cast<std::int32_t>(nodes(r, 2));
        f.dim[k] = static_cast<std::int32_t>(nodes(r, 3)), f.cut[k] = nodes(r, 4);
    }
    // Pre-order: children come after their parent, so masses and boxes fill from the last node up.
    for (auto k = n; k-- > 0;) {
        const auto at = static_cast<std::size_t>(k);
        if (f.dim[at] < 0) {
            f.mass[at] = 1;
            f.lower.row(k) = f.upper.row(k) = points.row(static_cast<Index>(nodes(rows[at], 5)));
        } else {
            const Index l = f.left[at], r = f.right[at];
            f.mass[at] = f.mass[static_cast<std::size_t>(l)] + f.mass[static_cast<std::size_t>(r)];
            f.lower.row(k) = f.lower.row(l).cwiseMin(f.lower.row(r));
            f.upper.row(k) = f.upper.row(l).cwiseMax(f.upper.row(r));
        }
    }
    f.tree_first = {0, n};
    f.measure();
    return f;
}

/// Draws that keep x joined to every node it lies outside of, except the k-th, where the cut
/// separates it (k past the last draw: the walk ends at a leaf).
struct ScriptedDraws {
    int k, drawn = 0;
    double uniform() { return drawn++ == k ? 0.0 : std::nextafter(1.0, 0.0); }
};

}  // namespace

TEST_CASE("CoDisp equals rrcf's on rrcf's trees, for copies of the sample and for each place a point can be cut off", "[rcf]") {
    const RowMatrix<double> points = fixture::read_csv("rcf/points.csv");
    const RowMatrix<double> nodes = fixture::read_csv("rcf/trees.csv");
    const RowMatrix<double> expected = fixture::read_csv("rcf/codisp.csv");
    REQUIRE(expected.rows() == 612);
    Index copies = 0, cut_off = 0;
    for (Index t = 0; t < 3; ++t) {
        const rcf::Forest<double> forest = forest_of(nodes, points, t);
        REQUIRE(forest.mass[0] == 64);
        for (Index e = 0; e < expected.rows(); ++e) {
            if (expected(e, 0) != static_cast<double>(t)) continue;
            const Index row = static_cast<Index>(expected(e, 1));
            const int k = static_cast<int>(expected(e, 2));
            ScriptedDraws draws{std::max(k, 0)};
            const rcf::Walk w = rcf::walk(rcf::detail::ForestTree<double>{forest, 0}, std::int64_t{0}, points.row(row).data(),
                                          points.cols(), draws, [](std::int64_t) {});
            INFO("tree " << t << ", point " << row << ", k " << k);
            CHECK(w.copy == (k < 0));
            CHECK(w.codisp == expected(e, 3));
            (k < 0 ? copies : cut_off) += 1;
        }
    }
    CHECK(copies == 3 * 64);
    CHECK(cut_off == 612 - 3 * 64);
}

TEST_CASE("two points: the expected CoDisp of a third has a closed form", "[rcf]") {
    // Sample {0, 1}; x = 3 is cut off at the root (CoDisp 2) with probability 1 − 1/3, else
    // beside a leaf (CoDisp 1): expected 5/3.
    RowMatrix<double> X(2, 1);
    X << 0, 1;
    const auto model = rcf::fit(X, small_params(1000, 2));
    const double x = 3;
    const double mean = rcf::mean_displacement(model.forest(), 7, &x);
    REQUIRE(std::abs(mean - 5.0 / 3) < 4 * std::sqrt(2.0 / 9 / 1000));
}

TEMPLATE_TEST_CASE("a planted outlier scores far above the bulk, whose mean score is about 1", "[rcf]", float, double) {
    shelf::Rng rng(11);
    RowMatrix<TestType> X = gaussian<TestType>(rng, 2000, 3);
    X.row(100) << 8, -8, 8;
    const auto model = rcf::fit(X, small_params(100, 256));
    const Vector<TestType> s = model.score(X);
    std::vector<double> bulk;
    for (Index i = 0; i < s.size(); ++i)
        if (i != 100) bulk.push_back(static_cast<double>(s[i]));
    double mean = 0;
    for (const double v : bulk) mean += v;
    mean /= static_cast<double>(bulk.size());
    REQUIRE(std::abs(mean - 1) < 0.05);  // the scale makes the training rows' mean 1 (the outlier is one of 2000)
    REQUIRE(static_cast<double>(s[100]) > 3 * mean);
    REQUIRE(static_cast<double>(s[100]) > model.threshold());
    REQUIRE(*std::max_element(bulk.begin(), bulk.end()) < static_cast<double>(s[100]));
    REQUIRE(model.predict(X)[100] == 1);

    // evaluate: the outlier labelled 1, the rest 0.
    Vector<TestType> y = Vector<TestType>::Zero(X.rows());
    y[100] = 1;
    const auto metrics = rcf::evaluate<TestType>(model, X, y);
    REQUIRE(metrics.size() == 4);
    REQUIRE(metrics[0].first == "accuracy");
    REQUIRE(metrics[0].second > 0.98);
    REQUIRE(metrics[2].first == "recall");
    REQUIRE(metrics[2].second == 1.0);
}

TEST_CASE("a point scores the same alone, in a batch, on any thread count and after a round trip", "[rcf]") {
    shelf::Rng rng(5);
    const RowMatrix<float> X = gaussian<float>(rng, 500, 4);
    rcf::Params p = small_params();
    p.num_threads = 1;
    const auto one = rcf::fit(X, p);
    p.num_threads = 3;
    const auto three = rcf::fit(X, p);
    REQUIRE(one.forest().cut == three.forest().cut);  // trees come from their own streams
    const RowMatrix<float> Q = gaussian<float>(rng, 30, 4);
    const Vector<float> batch = three.score(Q);
    for (Index i = 0; i < Q.rows(); ++i) REQUIRE(one.score(Q.row(i))[0] == batch[i]);

    std::stringstream file;
    three.save(file);
    const auto loaded = rcf::Model<float>::load(file);
    REQUIRE(loaded == three);
    REQUIRE(loaded.score(Q) == batch);
}

TEST_CASE("random cut forest refuses bad input by name", "[rcf]") {
    RowMatrix<double> X(3, 2);
    X << 1, 2, 3, 4, 5, 6;
    rcf::Params p = small_params();
    p.num_samples_per_tree = 0;
    REQUIRE_THROWS_WITH(rcf::fit(X, p), Catch::Contains("num_samples_per_tree"));
    p.num_samples_per_tree = 2049;
    REQUIRE_THROWS_WITH(rcf::fit(X, p), Catch::Contains("num_samples_per_tree"));
    p = small_params();
    p.num_trees = 10;
    REQUIRE_THROWS_WITH(rcf::fit(X, p), Catch::Contains("num_trees"));
    p = small_params();
    X(1, 1) = std::nan("");
    REQUIRE_THROWS_WITH(rcf::fit(X, p), Catch::Contains("row 1") && Catch::Contains("column 1"));
    X(1, 1) = 4;
    const auto model = rcf::fit(X, p);
    REQUIRE_THROWS_WITH(model.score(RowMatrix<double>::Zero(2, 3)), Catch::Contains("3") && Catch::Contains("2"));
    Vector<double> y(3);
    y << 0, 2, 1;
    REQUIRE_THROWS_WITH(rcf::evaluate<double>(model, X, y), Catch::Contains("row 1") && Catch::Contains("expected 0"));
}
