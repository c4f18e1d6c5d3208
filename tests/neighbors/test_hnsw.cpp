#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <shelf/core/random.hpp>
#include <shelf/neighbors/flat.hpp>
#include <shelf/neighbors/hnsw.hpp>
#include <shelf/simd/kernels.hpp>

#include "points.hpp"

namespace {

using shelf::Index;
using shelf::RowMatrix;
namespace knn = shelf::knn;
using neighbors_test::clusters;
using neighbors_test::recall;


/// Calls edit(x) on the field named `name` of whatever visits it.
template <class Edit>
struct FieldEditor {
    std::string name;
    Edit edit;
    template <class X>
    void operator()(const std::string& field, X& x) {
        if (field == name) edit(x);
    }
};

std::string saved(const knn::HnswIndex<float>& index) {
    std::ostringstream out;
    index.save(out);
    return out.str();
}

/// The fixture every test shares: 3,000 points in 32 dimensions, 200 queries.
struct Fixture {
    shelf::Rng rng{11};
    RowMatrix<float> base = clusters<float>(rng, 3000, 32);
    RowMatrix<float> queries = clusters<float>(rng, 200, 32);
};

const Fixture& hnsw_fixture() {
    static const Fixture f;
    return f;
}

}  // namespace

TEST_CASE("the one-to-one kernels equal their scalar references", "[hnsw][kernels]") {
    shelf::Rng rng(3);
    for (Index n : {0, 1, 7, 16, 31, 32, 33, 64, 100, 784}) {
        INFO("n = " << n);
        std::vector<float> a(static_cast<std::size_t>(n) + 1), b(a.size()), scale(a.size());
        std::vector<std::uint8_t> code(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            a[i] = static_cast<float>(rng.normal());
            b[i] = static_cast<float>(rng.normal());
            scale[i] = static_cast<float>(rng.uniform());
            code[i] = static_cast<std::uint8_t>(rng.uniform_index(256));
        }
        const float ip = shelf::simd::inner_product(a.data(), b.data(), n);
        REQUIRE(ip == Approx(shelf::simd::scalar::inner_product(a.data(), b.data(), n)).margin(1e-4));
        REQUIRE(shelf::simd::squared_l2_codes(a.data(), scale.data(), code.data(), n) ==
                Approx(shelf::simd::scalar::squared_l2_codes(a.data(), scale.data(), code.data(), n)).epsilon(1e-5));
        REQUIRE(shelf::simd::inner_product_codes(a.data(), code.data(), n) ==
                Approx(shelf::simd::scalar::inner_product_codes(a.data(), code.data(), n)).epsilon(1e-5).margin(1e-3));
        double exact = 0;
        for (Index i = 0; i < n; ++i) {
            const double d = a[static_cast<std::size_t>(i)] - double(scale[static_cast<std::size_t>(i)]) * code[static_cast<std::size_t>(i)];
            exact += d * d;
        }
        REQUIRE(shelf::simd::squared_l2_codes(a.data(), scale.data(), code.data(), n) == Approx(exact).epsilon(1e-5));
    }
}

TEST_CASE("hnsw search finds the exact neighbours at high ef, and more of them as ef grows", "[hnsw]") {
    const auto& f = hnsw_fixture();
    knn::FlatIndex<float> flat(32, knn::Metric::l2);
    flat.add(f.base);
    const auto exact = flat.search(f.queries, 10);
    knn::HnswIndex<float> index(32, knn::Metric::l2, {});
    index.add(f.base.topRows(1000));
    index.add(f.base.bottomRows(2000));  // two adds: one graph
    REQUIRE(index.size() == 3000);
    double previous = 0;
    for (int ef : {10, 20, 40, 400}) {
        const double r = recall(index.search(f.queries, 10, 1, {}, ef).ids, exact.ids);
        INFO("ef " << ef << ": recall@10 " << r);
        REQUIRE(r >= previous - 0.005);
        previous = r;
    }
    const auto found = index.search(f.queries, 10, 2, {}, 400);
    REQUIRE(recall(found.ids, exact.ids) >= 0.99);
    // Distances: exact squared L2, nearest first.
    for (Index q = 0; q < 20; ++q)
        for (Index j = 0; j < 10; ++j) {
            const double d = (f.base.row(found.ids(q, j)) - f.queries.row(q)).squaredNorm();
            REQUIRE(found.distances(q, j) == Approx(d).epsilon(1e-5));
            if (j > 0) REQUIRE(found.distances(q, j) >= found.distances(q, j - 1));
        }
    SECTION("k above the stored count pads with id -1 and +inf") {
        knn::HnswIndex<float> small(32, knn::Metric::l2);
        small.add(f.base.topRows(4));
        const auto got = small.search(f.queries.topRows(2), 6);
        REQUIRE(got.ids(0, 3) >= 0);
        REQUIRE(got.ids(0, 4) == -1);
        REQUIRE(got.distances(1, 5) == std::numeric_limits<float>::infinity());
        knn::HnswIndex<float> empty(32, knn::Metric::l2);
        REQUIRE(empty.search(f.queries.topRows(1), 3).ids(0, 0) == -1);
    }
}

TEST_CASE("hnsw in double finds what it finds in float", "[hnsw]") {
    const auto& f = hnsw_fixture();
    const RowMatrix<double> base = f.base.cast<double>(), queries = f.queries.cast<double>();
    knn::FlatIndex<double> flat(32, knn::Metric::l2);
    flat.add(base);
    knn::HnswIndex<double> index(32, knn::Metric::l2, {});
    index.add(base);
    REQUIRE(recall(index.search(queries, 10, 1, {}, 400).ids, flat.search(queries, 10).ids) >= 0.99);
}

TEST_CASE("filtered and post-removal searches return only allowed ids, with the recall of the exact search", "[hnsw]") {
    const auto& f = hnsw_fixture();
    std::vector<std::int64_t> ids(3000);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int64_t>(5 * i + 7);  // caller's ids
    knn::FlatIndex<float> flat(32, knn::Metric::l2);
    flat.add(f.base, ids);
    knn::HnswIndex<float> index(32, knn::Metric::l2, {});
    index.add(f.base, ids);

    for (int modulus : {2, 10}) {
        INFO("ids allowed: one in " << modulus);
        const knn::IdFilter allowed = [modulus](std::int64_t id) { return (id / 5) % modulus == 0; };
        const auto got = index.search(f.queries, 10, 2, allowed, 400);
        for (Index q = 0; q < got.ids.rows(); ++q)
            for (Index j = 0; j < 10; ++j) REQUIRE(allowed(got.ids(q, j)));
        REQUIRE(recall(got.ids, flat.search(f.queries, 10, 1, allowed).ids) >= 0.99);
    }

    std::vector<std::int64_t> gone;
    for (std::size_t i = 0; i < ids.size(); i += 3) gone.push_back(ids[i]);
    gone.push_back(3);  // not stored: ignored
    REQUIRE(index.remove(gone) == 1000);
    REQUIRE(index.remove({ids[0]}) == 0);  // already removed
    REQUIRE(flat.remove(gone) == 1000);
    REQUIRE(index.size() == 2000);
    REQUIRE(index.nodes() == 3000);
    const std::set<std::int64_t> removed(gone.begin(), gone.end());
    const auto got = index.search(f.queries, 10, 1, {}, 400);
    for (Index q = 0; q < got.ids.rows(); ++q)
        for (Index j = 0; j < 10; ++j) REQUIRE(removed.count(got.ids(q, j)) == 0);
    const auto exact = flat.search(f.queries, 10);
    REQUIRE(recall(got.ids, exact.ids) >= 0.99);

    SECTION("a removed id may be added again; adds after removals stay searchable") {
        index.add(f.queries.topRows(5), {ids[0], 1, 2, 3, 4});
        REQUIRE(index.size() == 2005);
        const auto self = index.search(f.queries.topRows(5), 1, 1, {}, 100);
        for (Index q = 0; q < 5; ++q) REQUIRE(self.ids(q, 0) == (q == 0 ? ids[0] : q));
        REQUIRE_THROWS_WITH(index.add(f.queries.topRows(1), {ids[1]}),
                            Catch::Contains("id 12 is given twice or is already stored"));
    }
    SECTION("rebuild drops the removed nodes and keeps ids and recall") {
        const auto fresh = index.rebuild(2);
        REQUIRE(fresh.nodes() == 2000);
        REQUIRE(fresh.ids() == index.ids());
        REQUIRE(recall(fresh.search(f.queries, 10, 1, {}, 400).ids, exact.ids) >= 0.99);
        // Default ids continue after the largest ever given.
        auto more = fresh;
        more.add(f.queries.topRows(1));
        REQUIRE(more.ids().back() == 5 * 2999 + 7 + 1);
    }
}

TEST_CASE("hnsw under the inner product and cosine finds the exact search's neighbours", "[hnsw]") {
    const auto& f = hnsw_fixture();
    for (auto metric : {knn::Metric::inner_product, knn::Metric::cosine}) {
        INFO("metric " << static_cast<int>(metric));
        knn::FlatIndex<float> flat(32, metric);
        flat.add(f.base);
        knn::HnswIndex<float> index(32, metric, {});
        index.add(f.base, {}, 2);
        const auto exact = flat.search(f.queries, 10);
        const auto got = index.search(f.queries, 10, 1, {}, 400);
        const double r = recall(got.ids, exact.ids);
        INFO("recall@10 " << r);
        // The inner product is walked as L2 with one more coordinate: on the raw inner products
        // the graph's pruning left answers unreachable (0.92 here, as hnswlib's does).
        REQUIRE(r >= 0.99);
        for (Index q = 0; q < 10; ++q) {
            REQUIRE(got.distances(q, 0) == Approx(exact.distances(q, 0)).epsilon(1e-4));  // similarities
            for (Index j = 1; j < 10; ++j) REQUIRE(got.distances(q, j) <= got.distances(q, j - 1));
        }
    }
    knn::HnswIndex<float> cosine(32, knn::Metric::cosine);
    RowMatrix<float> zero = f.base.topRows(3);
    zero.row(2).setZero();
    REQUIRE_THROWS_WITH(cosine.add(zero), Catch::Contains("shelf.data_error.207") && Catch::Contains("row 2 is a zero vector"));
    REQUIRE(cosine.size() == 0);
    cosine.add(f.base.topRows(10));
    REQUIRE_THROWS_WITH(cosine.search(zero, 1), Catch::Contains("row 2 is a zero vector"));
}

TEST_CASE("sq8_rerank walks the codes and re-ranks with the exact vectors", "[hnsw]") {
    const auto& f = hnsw_fixture();
    for (auto metric : {knn::Metric::l2, knn::Metric::cosine}) {
        INFO("metric " << static_cast<int>(metric));
        knn::FlatIndex<float> flat(32, metric);
        flat.add(f.base);
        const auto exact = flat.search(f.queries, 10);
        knn::HnswOptions options;
        options.storage = knn::Storage::sq8_rerank;
        knn::HnswIndex<float> index(32, metric, options);
        index.add(f.base.topRows(2000));
        index.add(f.base.bottomRows(1000));  // encoded with the first add's ranges
        const auto got = index.search(f.queries, 10, 1, {}, 200);
        const double r = recall(got.ids, exact.ids);
        INFO("recall@10 at ef 200: " << r);
        REQUIRE(r >= 0.95);
        // Re-ranked: the distances are the exact ones.
        for (Index j = 0; j < 10; ++j)
            if (got.ids(0, j) == exact.ids(0, 0)) REQUIRE(got.distances(0, j) == Approx(exact.distances(0, 0)).epsilon(1e-5));
        // Values beyond the first add's range are clamped: the walk no longer tells such vectors
        // apart, but they are stored, and a walk over every node re-ranks them exactly.
        RowMatrix<float> far = f.queries.topRows(2) * 100.0f;
        index.add(far);
        const auto all = index.search(far, 1, 1, {}, 3002);
        REQUIRE(all.ids(0, 0) == 3000);
        REQUIRE(all.ids(1, 0) == 3001);
    }
}

TEST_CASE("sq8 keeps only the codes: the graph and the distances are the decoded vectors", "[hnsw]") {
    const auto& f = hnsw_fixture();
    // The decoded vectors, from a quantizer trained as the index trains its own: on the first add.
    knn::ScalarQuantizer quantizer;
    quantizer.train(RowMatrix<float>(f.base.topRows(2000)));
    RowMatrix<float> decoded(3000, 32);
    std::vector<std::uint8_t> code(32);
    for (Index i = 0; i < 3000; ++i) {
        quantizer.encode(f.base.row(i).data(), code.data(), 32);
        quantizer.decode(code.data(), decoded.row(i).data(), 32);
    }
    for (auto metric : {knn::Metric::l2, knn::Metric::inner_product}) {
        INFO("metric " << static_cast<int>(metric));
        knn::FlatIndex<float> flat(32, metric);
        flat.add(decoded);
        const auto exact = flat.search(f.queries, 10);
        knn::HnswOptions options;
        options.storage = knn::Storage::sq8;
        knn::HnswIndex<float> index(32, metric, options);
        index.add(f.base.topRows(2000));
        index.add(f.base.bottomRows(1000));  // linked among the first add's decoded vectors
        const int ef = 300;
        const auto got = index.search(f.queries, 10, 1, {}, ef);
        const double r = recall(got.ids, exact.ids);
        INFO("recall@10 at ef " << ef << " against the decoded vectors' brute force: " << r);
        REQUIRE(r >= 0.99);
        for (Index q = 0; q < f.queries.rows(); ++q)
            for (Index j = 0; j < 10; ++j) {
                const Index id = got.ids(q, j);
                const float want = metric == knn::Metric::l2 ? (decoded.row(id) - f.queries.row(q)).squaredNorm()
                                                             : decoded.row(id).dot(f.queries.row(q));
                REQUIRE(got.distances(q, j) == Approx(want).epsilon(1e-4).margin(1e-3));
            }
        // Removal and the rebuild keep the codes.
        index.remove({static_cast<std::int64_t>(exact.ids(0, 0))});
        const auto rebuilt = index.rebuild();
        const auto again = rebuilt.search(f.queries.topRows(1), 1, 1, {}, ef);
        REQUIRE(again.ids(0, 0) == exact.ids(0, 1));
        REQUIRE(again.distances(0, 0) == Approx(exact.distances(0, 1)).epsilon(1e-4));
    }
}

TEST_CASE("one thread builds the same graph for a seed; two threads one as good", "[hnsw]") {
    const auto& f = hnsw_fixture();
    knn::FlatIndex<float> flat(32, knn::Metric::l2);
    flat.add(f.base);
    const auto exact = flat.search(f.queries, 10);
    knn::HnswOptions options;
    options.M = 8;
    options.seed = 5;
    knn::HnswIndex<float> a(32, knn::Metric::l2, options), b(32, knn::Metric::l2, options);
    a.add(f.base);
    b.add(f.base);
    REQUIRE(saved(a) == saved(b));
    const auto ra = a.search(f.queries, 10, 1, {}, 50), rb = b.search(f.queries, 10, 3, {}, 50);
    REQUIRE(ra.ids == rb.ids);
    REQUIRE(ra.distances == rb.distances);
    options.seed = 6;
    knn::HnswIndex<float> c(32, knn::Metric::l2, options);
    c.add(f.base);
    REQUIRE(saved(a) != saved(c));

    options.seed = 5;
    knn::HnswIndex<float> parallel(32, knn::Metric::l2, options);
    parallel.add(f.base, {}, 2);
    REQUIRE(parallel.max_level() == a.max_level());  // levels do not depend on the threads
    const double serial = recall(a.search(f.queries, 10, 1, {}, 100).ids, exact.ids);
    const double threaded = recall(parallel.search(f.queries, 10, 1, {}, 100).ids, exact.ids);
    INFO("recall@10 at ef 100: one thread " << serial << ", two " << threaded);
    REQUIRE(std::abs(serial - threaded) <= 0.02);
}

TEST_CASE("a saved hnsw index loads and searches the same; damaged files are refused", "[hnsw]") {
    const auto& f = hnsw_fixture();
    for (auto storage : {knn::Storage::vectors, knn::Storage::sq8, knn::Storage::sq8_rerank}) {
        INFO("storage " << static_cast<int>(storage));
        knn::HnswOptions options;
        options.M = 6;
        options.storage = storage;
        knn::HnswIndex<float> index(32, knn::Metric::inner_product, options);
        index.add(f.base.topRows(600));
        index.remove({1, 2, 3});
        const std::string bytes = saved(index);
        std::istringstream in(bytes);
        const auto back = knn::HnswIndex<float>::load(in);
        REQUIRE(back.size() == 597);
        REQUIRE(back.options().M == 6);
        REQUIRE(back.options().storage == storage);
        REQUIRE(saved(back) == bytes);
        const auto a = index.search(f.queries, 7, 1, {}, 30), b = back.search(f.queries, 7, 1, {}, 30);
        REQUIRE(a.ids == b.ids);
        REQUIRE(a.distances == b.distances);

        std::istringstream truncated(bytes.substr(0, bytes.size() / 2));
        REQUIRE_THROWS_AS(knn::HnswIndex<float>::load(truncated), shelf::model_error);
        for (std::size_t at : {bytes.size() / 3, bytes.size() / 2, bytes.size() - 10}) {
            std::string flipped = bytes;
            flipped[at] = static_cast<char>(flipped[at] ^ 0x21);
            std::istringstream damaged(flipped);
            REQUIRE_THROWS_AS(knn::HnswIndex<float>::load(damaged), shelf::model_error);
        }
        std::istringstream as_double(bytes);
        REQUIRE_THROWS_AS(knn::HnswIndex<double>::load(as_double), shelf::model_error);
    }
    // A flat index file is not an hnsw index file.
    knn::FlatIndex<float> flat(32, knn::Metric::l2);
    flat.add(f.base.topRows(10));
    std::stringstream flat_bytes;
    flat.save(flat_bytes);
    REQUIRE_THROWS_WITH(knn::HnswIndex<float>::load(flat_bytes), Catch::Contains("shelf.model_error.304"));
}

TEST_CASE("restore refuses a graph that is consistent byte-wise but not as a graph", "[hnsw]") {
    // Files written through the fields with one part altered: the checksum is right, the
    // content is not.
    const auto& f = hnsw_fixture();
    knn::HnswIndex<float> index(32, knn::Metric::l2, {4, 20, 0, knn::Storage::vectors});
    index.add(f.base.topRows(300));
    // Reaches the private fields through fields(): a visitor that edits the named field.
    const auto alter = [&](const std::string& name, auto edit) {
        knn::HnswIndex<float> copy = index;
        FieldEditor<decltype(edit)> editor{name, edit};
        knn::HnswIndex<float>::fields(copy, editor, "");
        std::ostringstream out;
        copy.save(out);
        return out.str();
    };
    const auto refused = [](const std::string& bytes, const std::string& message) {
        std::istringstream in(bytes);
        REQUIRE_THROWS_WITH(knn::HnswIndex<float>::load(in),
                            Catch::Contains("shelf.model_error.307") && Catch::Contains(message));
    };
    const auto links = [](auto edit) {
        return [edit](auto& x) {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::vector<std::uint32_t>>) edit(x);
        };
    };
    refused(alter("links0", links([](std::vector<std::uint32_t>& l) { l[1] = 300; })), "which is not on that level");
    refused(alter("links0", links([](std::vector<std::uint32_t>& l) { l[0] = 9; })), "links on level 0; at most 8");
    refused(alter("links0", links([](std::vector<std::uint32_t>& l) { l.pop_back(); })), "level-0");
    refused(alter("upper_links", links([](std::vector<std::uint32_t>& l) { l.push_back(0); })), "upper link slots");
    refused(alter("entry", [](auto& x) {
                if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::int64_t>) x = 400;
            }),
            "entry point 400");
    refused(alter("M", [](auto& x) {
                if constexpr (std::is_same_v<std::decay_t<decltype(x)>, int>) x = 1;
            }),
            "M = 1");
    refused(alter("levels", [](auto& x) {
                if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::vector<std::uint8_t>>) x.pop_back();
            }),
            "levels");
    refused(alter("ids", [](auto& x) {
                if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::vector<std::int64_t>>) x[3] = x[4];
            }),
            "holds an id twice");
}

TEST_CASE("hnsw refuses bad input by name", "[hnsw]") {
    const auto& f = hnsw_fixture();
    REQUIRE_THROWS_WITH(knn::HnswIndex<float>(32, knn::Metric::l2, {1, 200, 0, knn::Storage::vectors}),
                        Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("M = 1"));
    REQUIRE_THROWS_WITH(knn::HnswIndex<float>(32, knn::Metric::l2, {16, 0, 0, knn::Storage::vectors}), Catch::Contains("ef_construction = 0"));
    REQUIRE_THROWS_WITH(knn::HnswIndex<float>(0, knn::Metric::l2), Catch::Contains("dim = 0"));
    knn::HnswIndex<float> index(32, knn::Metric::l2);
    index.add(f.base.topRows(100));
    REQUIRE_THROWS_WITH(index.add(f.base.leftCols(31)), Catch::Contains("has 31 columns, the model expects 32"));
    REQUIRE_THROWS_WITH(index.search(f.queries.leftCols(31), 2), Catch::Contains("has 31 columns, the model expects 32"));
    REQUIRE_THROWS_WITH(index.search(f.queries, 0), Catch::Contains("k = 0"));
    REQUIRE_THROWS_WITH(index.search(f.queries, 3, 1, {}, -1), Catch::Contains("ef_search = -1"));
    RowMatrix<float> bad = f.queries.topRows(4);
    bad(3, 5) = std::numeric_limits<float>::quiet_NaN();
    REQUIRE_THROWS_WITH(index.search(bad, 3), Catch::Contains("shelf.data_error.203") && Catch::Contains("X(3, 5) is nan"));
    REQUIRE_THROWS_WITH(index.add(bad), Catch::Contains("X(3, 5) is nan"));
    REQUIRE_THROWS_WITH(index.add(f.base.topRows(2), {1}), Catch::Contains("1 ids for 2 rows"));
    REQUIRE_THROWS_WITH(index.add(f.base.topRows(1), {-4}), Catch::Contains("id -4 is negative"));
    REQUIRE(index.size() == 100);
}

TEST_CASE("concurrent searches with different ef give the serial results", "[hnsw]") {
    const auto& f = hnsw_fixture();
    knn::HnswIndex<float> index(32, knn::Metric::l2, {});
    index.add(f.base, {}, 2);
    const std::vector<int> efs{10, 40, 120, 400};
    std::vector<knn::Neighbors<float>> serial;
    for (int ef : efs) serial.push_back(index.search(f.queries, 10, 1, {}, ef));
    std::vector<knn::Neighbors<float>> concurrent(efs.size() * 2);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < concurrent.size(); ++t)
        threads.emplace_back([&, t] { concurrent[t] = index.search(f.queries, 10, t % 2 == 0 ? 1 : 2, {}, efs[t % efs.size()]); });
    for (auto& t : threads) t.join();
    for (std::size_t t = 0; t < concurrent.size(); ++t) {
        INFO("thread " << t);
        REQUIRE(concurrent[t].ids == serial[t % efs.size()].ids);
        REQUIRE(concurrent[t].distances == serial[t % efs.size()].distances);
    }
}
