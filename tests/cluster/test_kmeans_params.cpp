#include <catch2/catch.hpp>

#include <shelf/cluster/params.hpp>

using shelf::kmeans::Params;

TEST_CASE("k-means hyperparameters use the platform's names and defaults", "[kmeans][params]") {
    const Params p;
    REQUIRE(std::string(Params::family) == "kmeans");
    REQUIRE(p.mini_batch_size == 5000);
    REQUIRE(p.epochs == 1);
    REQUIRE(p.init_method == shelf::kmeans::Init::random);
    REQUIRE_FALSE(p.extra_center_factor.has_value());
    REQUIRE(p.local_lloyd_max_iter == 300);
    REQUIRE(p.local_lloyd_tol == 1e-4);
    REQUIRE_FALSE(p.local_lloyd_num_trials.has_value());
    REQUIRE(p.local_lloyd_init_method == shelf::kmeans::Init::kmeans_plus_plus);
    REQUIRE(p.half_life_time_size == 0);
    REQUIRE(p.eval_metrics == std::vector<shelf::kmeans::EvalMetric>{shelf::kmeans::EvalMetric::msd});
    REQUIRE(p.mode == shelf::kmeans::Mode::minibatch);

    SECTION("the platform's string form parses") {
        const auto q = shelf::from_map<Params>({{"k", "10"},
                                                {"feature_dim", "784"},
                                                {"init_method", "kmeans++"},
                                                {"extra_center_factor", "auto"},
                                                {"local_lloyd_num_trials", "3"},
                                                {"local_lloyd_init_method", "random"},
                                                {"eval_metrics", "[msd, ssd]"},
                                                {"mode", "lloyd"}});
        REQUIRE(q.k == 10);
        REQUIRE(q.feature_dim == 784);
        REQUIRE(q.init_method == shelf::kmeans::Init::kmeans_plus_plus);
        REQUIRE(q.local_lloyd_num_trials == 3);
        REQUIRE(q.local_lloyd_init_method == shelf::kmeans::Init::random);
        REQUIRE(q.eval_metrics.size() == 2);
        REQUIRE(q.mode == shelf::kmeans::Mode::lloyd);
    }
    SECTION("k is required and at least 1") {
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({}), Catch::Contains("shelf.invalid_argument.104") &&
                                                              Catch::Contains("k is required"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"k", "0"}}),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("k = 0"));
    }
    SECTION("out-of-range values name the parameter and the range") {
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"k", "2"}, {"local_lloyd_tol", "1.5"}}),
                            Catch::Contains("local_lloyd_tol = 1.5") && Catch::Contains("in [0, 1)"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"k", "2"}, {"mini_batch_size", "0"}}),
                            Catch::Contains("mini_batch_size"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"k", "2"}, {"init_method", "best"}}),
                            Catch::Contains("one of random, kmeans++"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"k", "2"}, {"eval_metrics", "[]"}}),
                            Catch::Contains("eval_metrics is empty"));
    }
    SECTION("to_map round-trips") {
        Params q;
        q.k = 4;
        q.extra_center_factor = 3;
        REQUIRE(shelf::to_map(shelf::from_map<Params>(shelf::to_map(q))) == shelf::to_map(q));
    }
}
