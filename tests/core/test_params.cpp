#include <catch2/catch.hpp>

#include <shelf/core/params.hpp>

namespace demo {

enum class Init { random, kmeans_plus_plus };
inline constexpr std::pair<Init, const char*> init_names[] = {{Init::random, "random"},
                                                            {Init::kmeans_plus_plus, "kmeans++"}};
inline const auto& enum_names(Init) { return init_names; }

struct Params {
    static constexpr const char* family = "demo";
    int k = 0;
    double tol = 1e-4;
    bool use_bias = true;
    Init init_method = Init::random;
    std::optional<int> num_trials;  // auto
    std::optional<int> num_round;   // required
    std::vector<double> quantiles{0.1, 0.5, 0.9};
    std::string name = "x";

    template <class V>
    void visit(V&& v) {
        v("k", k, shelf::Spec("number of clusters").at_least(1));
        v("tol", tol, shelf::Spec("tolerance").greater_than(0).less_than(1));
        v("use_bias", use_bias, shelf::Spec("fit a bias"));
        v("init_method", init_method, shelf::Spec("initialisation"));
        v("num_trials", num_trials, shelf::Spec("trials").at_least(1));
        v("num_round", num_round, shelf::Spec("boosting rounds").at_least(1).required());
        v("quantiles", quantiles, shelf::Spec("quantile levels").greater_than(0).less_than(1));
        v("name", name, shelf::Spec("a name"));
    }
    void validate() const { shelf::check_ranges(*this); }
};

}  // namespace demo

using Map = std::map<std::string, std::string>;

TEST_CASE("from_map parses the platform's string form", "[core][params]") {
    SECTION("every supported type parses") {
        auto p = shelf::from_map<demo::Params>({{"k", "10"},
                                                {"tol", "0.5"},
                                                {"use_bias", "False"},
                                                {"init_method", "KMEANS++"},
                                                {"num_trials", "3"},
                                                {"num_round", "7"},
                                                {"quantiles", "[0.2, 0.8]"},
                                                {"name", "hello"}});
        REQUIRE(p.k == 10);
        REQUIRE(p.tol == 0.5);
        REQUIRE_FALSE(p.use_bias);
        REQUIRE(p.init_method == demo::Init::kmeans_plus_plus);
        REQUIRE(p.num_trials == 3);
        REQUIRE(p.num_round == 7);
        REQUIRE(p.quantiles == std::vector<double>{0.2, 0.8});
        REQUIRE(p.name == "hello");
    }
    SECTION("lists also come in JSON form, numbers in every plain spelling") {
        const Map base{{"k", "1"}, {"num_round", "1"}};
        const auto with = [&](const std::string& name, const std::string& value) {
            Map m = base;
            m[name] = value;
            return shelf::from_map<demo::Params>(m);
        };
        const auto p = with("quantiles", "[\"0.25\", \"0.75\"]");
        REQUIRE(p.quantiles == std::vector<double>{0.25, 0.75});
        REQUIRE(with("tol", "+5e-1").tol == 0.5);
        REQUIRE(with("tol", "0.125").tol == 0.125);
        REQUIRE_THROWS_AS(with("tol", "0,5"), shelf::invalid_argument);
        REQUIRE_THROWS_AS(with("tol", "0.5x"), shelf::invalid_argument);
        REQUIRE_THROWS_AS(with("tol", "inf"), shelf::invalid_argument);
    }
    SECTION("'auto' leaves an optional unset") {
        auto p = shelf::from_map<demo::Params>({{"k", "1"}, {"num_trials", "auto"}, {"num_round", "1"}});
        REQUIRE_FALSE(p.num_trials.has_value());
    }
    SECTION("an unknown name is an error that lists the valid names and suggests the closest") {
        REQUIRE_THROWS_AS(shelf::from_map<demo::Params>({{"tool", "1"}}), shelf::invalid_argument);
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"tool", "1"}}),
                            Catch::Contains("shelf.invalid_argument.102") && Catch::Contains("did you mean 'tol'") &&
                                Catch::Contains("valid names: k, tol, use_bias"));
    }
    SECTION("a value that does not parse names the parameter and what was expected") {
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"k", "ten"}}),
                            Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("k = 'ten'") &&
                                Catch::Contains("expected integer >= 1"));
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"init_method", "best"}}),
                            Catch::Contains("one of random, kmeans++"));
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"use_bias", "yes please"}}),
                            Catch::Contains("true or false"));
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"quantiles", "[0.1, x]"}}), Catch::Contains("a list"));
        REQUIRE_THROWS_AS(shelf::from_map<demo::Params>({{"k", "99999999999999"}}), shelf::invalid_argument);
        REQUIRE_THROWS_AS(shelf::from_map<demo::Params>({{"tol", "nan"}}), shelf::invalid_argument);
    }
    SECTION("a value out of range names the range") {
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"k", "0"}, {"num_round", "1"}}),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("k = 0") &&
                                Catch::Contains(">= 1"));
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"k", "2"}, {"num_round", "1"}, {"tol", "1"}}),
                            Catch::Contains("in (0, 1)"));
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"k", "2"}, {"num_round", "1"}, {"quantiles", "0.5,1.5"}}),
                            Catch::Contains("quantiles = 1.5"));
    }
    SECTION("a required parameter left out is named") {
        REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"k", "2"}}),
                            Catch::Contains("shelf.invalid_argument.104") && Catch::Contains("num_round is required"));
    }
}

TEST_CASE("to_map and describe list every parameter", "[core][params]") {
    demo::Params p;
    p.k = 4;
    p.num_round = 9;
    const auto m = shelf::to_map(p);
    REQUIRE(m.at("k") == "4");
    REQUIRE(m.at("num_trials") == "auto");
    REQUIRE(m.at("init_method") == "random");
    REQUIRE(m.at("quantiles") == "[0.10000000000000001, 0.5, 0.90000000000000002]");
    SECTION("to_map round-trips through from_map") {
        auto q = shelf::from_map<demo::Params>(m);
        REQUIRE(q.quantiles == p.quantiles);
        REQUIRE(q.tol == p.tol);
        REQUIRE(shelf::to_map(q) == m);
    }
    SECTION("describe gives type, value, documentation and range in declaration order") {
        const auto info = shelf::describe(p);
        REQUIRE(info.size() == 8);
        REQUIRE(info[0].name == "k");
        REQUIRE(info[0].type == "integer");
        REQUIRE(info[0].expected == "integer >= 1");
        REQUIRE(info[5].required);
        REQUIRE(info[3].expected == "one of random, kmeans++");
    }
}
