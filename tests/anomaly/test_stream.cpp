#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <shelf/anomaly.hpp>
#include <shelf/core/random.hpp>

namespace {

using shelf::Index;
using shelf::RowMatrix;
namespace rcf = shelf::rcf;

rcf::Params stream_params(int trees = 50, int samples = 64) {
    rcf::Params p;
    p.streaming = true;
    p.num_trees = trees;
    p.num_samples_per_tree = samples;
    p.seed = 11;
    return p;
}

/// A noisy sine of `n` points, one column.
RowMatrix<double> sine(Index n, std::uint64_t seed = 3) {
    shelf::Rng rng(seed);
    RowMatrix<double> X(n, 1);
    for (Index i = 0; i < n; ++i) X(i, 0) = std::sin(0.2 * static_cast<double>(i)) + 0.05 * rng.normal();
    return X;
}

template <class T>
std::string saved(const T& model) {
    std::ostringstream out;
    model.save(out);
    return out.str();
}

/// One tree's sample held by a stream of its own: the tree, its points and what leaves hold.
struct OneTree {
    rcf::PointStore<double> points{2, 1};
    rcf::StreamTree<double> tree{32, 2};
    std::vector<std::int32_t> held, released;

    std::int32_t add(double a, double b, double priority, shelf::Rng& rng) {
        const double row[2] = {a, b};
        const std::int32_t id = points.add(row);
        tree.insert(points, id, priority, rng, held);
        for (const auto h : held) points.hold(h);
        held.clear();
        return id;
    }
    std::string flat() const {
        typename rcf::StreamTree<double>::Flat f;
        tree.append_to(f);
        std::sort(f.heap_priority.begin(), f.heap_priority.end());  // the sample as a set
        std::sort(f.heap_leaf.begin(), f.heap_leaf.end());
        std::ostringstream out;
        auto put = [&](const auto& v) {
            for (const auto& x : v) out << x << ' ';
            out << '|';
        };
        put(f.left), put(f.right), put(f.parent), put(f.dim), put(f.cut), put(f.mass), put(f.lower), put(f.upper);
        put(f.leaf_point), put(f.leaf_mass), put(f.leaf_parent), put(f.free_internal), put(f.free_leaves);
        put(f.heap_priority), put(f.heap_leaf), put(f.root);
        return out.str();
    }
};

}  // namespace

TEST_CASE("inserting a point and deleting it restores the tree exactly", "[rcf][stream]") {
    shelf::Rng rng(5);
    OneTree t;
    for (int i = 0; i < 20; ++i) t.add(rng.normal(), rng.normal(), rng.uniform(), rng);
    t.add(0.5, 0.5, 0.25, rng);  // a copy of this point comes and goes below too
    for (const auto& x : std::vector<std::pair<double, double>>{{9, -9}, {0.1, 0.2}, {0.5, 0.5}, {-3, 0.4}}) {
        const std::string before = t.flat();
        t.add(x.first, x.second, 2.0, rng);  // the highest priority: the next to go
        REQUIRE(t.flat() != before);
        t.tree.evict(t.points, t.released);
        for (const auto r : t.released) t.points.release(r);
        t.released.clear();
        REQUIRE(t.flat() == before);
    }
}

TEST_CASE("streaming scores: a spike stands out, graded; attribution adds up to the score", "[rcf][stream]") {
    RowMatrix<double> X = sine(1500);
    X(1200, 0) += 3;
    rcf::Params p = stream_params(50, 64);
    p.shingle_size = 4;
    rcf::Stream<double> s(p, 1);
    const rcf::StreamScores out = s.update(X, /*attribution=*/true);
    REQUIRE(out.score.head(3).isZero());  // the first shingle fills
    Index top = 0;
    out.score.maxCoeff(&top);
    REQUIRE(top >= 1200);
    REQUIRE(top < 1204);  // the spike is in the shingles ending at rows 1200 … 1203
    REQUIRE(out.grade.segment(1200, 4).maxCoeff() > 0);  // graded at the onset
    REQUIRE(out.grade.head(64 + 3).isZero());  // no grade during the warm-up
    // Typical points are rarely graded.
    REQUIRE((out.grade.array() > 0).count() < 40);
    for (Index i = 3; i < X.rows(); ++i) REQUIRE(out.attribution.row(i).sum() == Approx(out.score[i]).epsilon(1e-12));
    // The spike's row is the newest value of the shingle ending at 1200: its coordinate, high.
    Index dim = 0;
    out.attribution.row(1200).maxCoeff(&dim);
    REQUIRE(dim == 3);
}

TEST_CASE("a shingled stream scores as the same stream of hand-made shingles", "[rcf][stream]") {
    const Index n = 700, shingle = 5;
    const RowMatrix<double> X = sine(n);
    RowMatrix<double> shingles(n - shingle + 1, shingle);
    for (Index i = 0; i < shingles.rows(); ++i)
        for (Index j = 0; j < shingle; ++j) shingles(i, j) = X(i + j, 0);
    rcf::Params p = stream_params(50, 32);
    p.shingle_size = static_cast<int>(shingle);
    rcf::Stream<double> inside(p, 1);
    p.shingle_size = 1;
    rcf::Stream<double> outside(p, shingle);
    const auto a = inside.update(X), b = outside.update(shingles);
    REQUIRE(a.score.tail(shingles.rows()) == b.score);
    REQUIRE(a.grade.tail(shingles.rows()) == b.grade);
}

TEST_CASE("a stream saved mid-way and loaded scores exactly as one that never stopped", "[rcf][stream]") {
    const RowMatrix<double> X = sine(1400);
    rcf::Params p = stream_params(50, 48);
    p.shingle_size = 3;
    rcf::Stream<double> whole(p, 1), first(p, 1);
    const auto all = whole.update(X);
    const auto head = first.update(X.topRows(611));
    std::istringstream file(saved(first));
    rcf::Stream<double> resumed = rcf::Stream<double>::load(file);
    REQUIRE(resumed == first);
    const auto tail = resumed.update(X.bottomRows(X.rows() - 611));
    REQUIRE(head.score == all.score.head(611));
    REQUIRE(tail.score == all.score.tail(X.rows() - 611));
    REQUIRE(tail.grade == all.grade.tail(X.rows() - 611));
    // The point buffers may be compacted at different rows; the forests are the same.
    const RowMatrix<double> more = sine(300, 8);
    REQUIRE(resumed.update(more).score == whole.update(more).score);
}

TEST_CASE("stream scores do not depend on the thread count or the rows per call", "[rcf][stream]") {
    const RowMatrix<double> X = sine(900);
    rcf::Params p = stream_params(50, 32);
    p.shingle_size = 2;
    p.num_threads = 1;
    rcf::Stream<double> one(p, 1);
    p.num_threads = 2;
    rcf::Stream<double> two(p, 1), by_row(p, 1);
    const auto a = one.update(X), b = two.update(X);
    REQUIRE(a.score == b.score);
    for (Index i = 0; i < 300; ++i) REQUIRE(by_row.update(X.middleRows(i, 1)).score[0] == a.score[i]);
}

TEST_CASE("a stream keeping every point scores like a forest trained on them", "[rcf][stream]") {
    // Trees built top-down from a sample and trees grown by inserting it have the same
    // distribution (Guha et al., theorem 3): the mean CoDisp of the same queries agrees.
    shelf::Rng rng(4);
    RowMatrix<double> X(128, 2);
    for (Index i = 0; i < X.rows(); ++i) X(i, 0) = rng.normal(), X(i, 1) = rng.normal();
    rcf::Params p = stream_params(600, 128);
    p.time_decay = 0.0;
    rcf::Stream<double> stream(p, 2);
    stream.update(X);
    rcf::Params q = p;
    q.streaming = false, q.time_decay.reset();
    const auto model = rcf::fit(X, q);
    for (const auto& x : std::vector<std::vector<double>>{{3, 3}, {0.2, -0.1}, {-2.5, 0.5}, {1, 1}}) {
        const double streamed = stream.score(x.data());
        const double trained = rcf::mean_displacement(model.forest(), 5, x.data());
        REQUIRE(streamed == Approx(trained).epsilon(0.08));
    }
}

TEST_CASE("the point store keeps only what live points need", "[rcf][stream]") {
    const RowMatrix<float> X = sine(30000).cast<float>();
    rcf::Params p = stream_params(50, 32);
    p.shingle_size = 8;
    rcf::Stream<float> s(p, 1);
    s.update(X);
    // 50 trees × 32 points of 8 values, shared where shingles overlap: far below the 30,000 seen.
    REQUIRE(s.point_memory() < 50 * 32 * 8 * sizeof(float) * 3);
    REQUIRE(s.tree_memory() > 0);
}

TEST_CASE("the streaming forest refuses bad input by name", "[rcf][stream]") {
    rcf::Params p = stream_params();
    rcf::Stream<double> s(p, 2);
    RowMatrix<double> X = RowMatrix<double>::Zero(5, 2);
    X(3, 1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(s.update(X), Catch::Contains("row 3") && Catch::Contains("column 1"));
    REQUIRE_THROWS_WITH(s.update(RowMatrix<double>::Zero(4, 3)), Catch::Contains("3") && Catch::Contains("2"));
    rcf::Params bad = stream_params();
    bad.num_samples_per_tree = 4096;
    REQUIRE_THROWS_WITH(rcf::Stream<double>(bad, 1), Catch::Contains("num_samples_per_tree"));
    rcf::Params batch;
    batch.shingle_size = 4;
    REQUIRE_THROWS_WITH(rcf::fit(X.topRows(2), batch), Catch::Contains("streaming=true"));
    // A damaged file is refused, not read.
    s.update(RowMatrix<double>::Ones(40, 2));
    std::string file = saved(s);
    file[file.size() / 2] = static_cast<char>(file[file.size() / 2] ^ 0x20);
    std::istringstream in(file);
    REQUIRE_THROWS_AS(rcf::Stream<double>::load(in), shelf::model_error);
}

TEST_CASE("the thresholder grades an event's onset by its deviation from recent scores", "[rcf][stream]") {
    rcf::Thresholder t;
    t.configure(3.0, 1000.0, 50);
    shelf::Rng rng(2);
    std::vector<double> scores;
    for (int i = 0; i < 400; ++i) scores.push_back(1 + 0.1 * rng.normal());
    int graded = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) graded += t.grade(scores[i]) > 0;
    REQUIRE(graded <= 2);  // N(0, 1) beyond 3 deviations, and a new high of the last 100 rows
    // The running mean and deviation of what was learnt: a score z deviations up grades 1 − 3 / z.
    double mean = 0, square = 0;
    for (const double s : scores) mean += s;
    mean /= 400;
    for (const double s : scores) square += (s - mean) * (s - mean);
    const double sd = std::sqrt(square / 400);  // the first 400 weights are equal: 1 / seen
    REQUIRE(t.threshold() == Approx(mean + 3 * sd).epsilon(1e-9));
    REQUIRE(t.grade(mean + 6 * sd) == Approx(0.5).epsilon(1e-9));
    // The same event goes on: not graded again unless it deviates further.
    REQUIRE(t.grade(mean + 5 * sd) == 0);
    REQUIRE(t.grade(mean + 20 * sd) > 0.8);
    // Warm-up: nothing is graded before 50 scores.
    rcf::Thresholder fresh;
    fresh.configure(3.0, 1000.0, 50);
    for (int i = 0; i < 49; ++i) fresh.grade(1 + 0.1 * rng.normal());
    REQUIRE(fresh.grade(100.0) == 0);
}

TEST_CASE("many series at once score as each stream alone", "[rcf][stream]") {
    rcf::Params p = stream_params(50, 16);
    p.shingle_size = 3;
    std::vector<rcf::Stream<double>> together, alone;
    std::vector<RowMatrix<double>> series;
    for (int i = 0; i < 6; ++i) {
        series.push_back(sine(120 + 10 * i, static_cast<std::uint64_t>(i)));
        together.emplace_back(p, 1), alone.emplace_back(p, 1);
    }
    const std::vector<shelf::MatrixView<double>> rows(series.begin(), series.end());
    const auto out = rcf::update_each(together, rows, /*attribution=*/false, /*threads=*/2);
    for (std::size_t i = 0; i < series.size(); ++i) REQUIRE(out[i].score == alone[i].update(series[i]).score);
    REQUIRE_THROWS_WITH(rcf::update_each(together, {rows[0]}), Catch::Contains("6 streams but rows for 1"));
}
