#include <catch2/catch.hpp>

#include <shelf/core/params.hpp>
#include <shelf/core/registry.hpp>

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
    REQUIRE(m.at("quantiles") == "[0.1, 0.5, 0.9]");
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

TEST_CASE("A registry finds entries by name and lists the valid ones on a miss", "[core][registry]") {
    struct Entry {
        const char* name;
        int arity;
    };
    static constexpr Entry entries[] = {{"binary:logistic", 1}, {"multi:softprob", 2}, {"reg:squarederror", 1}};
    REQUIRE(shelf::find_named(entries, "multi:softprob", "xgboost: unknown objective").arity == 2);
    REQUIRE(shelf::names_of(entries) == std::vector<std::string>{"binary:logistic", "multi:softprob", "reg:squarederror"});
    REQUIRE_THROWS_WITH(shelf::find_named(entries, "binary:logistc", "xgboost: unknown objective"),
                        Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("did you mean 'binary:logistic'") &&
                            Catch::Contains("valid: binary:logistic, multi:softprob, reg:squarederror"));
    static constexpr std::pair<int, const char*> pairs[] = {{0, "msd"}, {1, "ssd"}};
    REQUIRE(shelf::find_named(pairs, "ssd", "kmeans: unknown metric").first == 1);
}

TEST_CASE("A misspelt choice is refused with a suggestion", "[core][params]") {
    REQUIRE_THROWS_WITH(shelf::from_map<demo::Params>({{"k", "2"}, {"num_round", "1"}, {"init_method", "kmeans+"}}),
                        Catch::Contains("did you mean 'kmeans++'"));
}

namespace demo {
struct Aliased {
    static constexpr const char* family = "aliased";
    int num_threads = 0;
    template <class V>
    void visit(V&& v) { v("num_threads", num_threads, shelf::Spec("threads").at_least(0).alias("nthread")); }
    void validate() const { shelf::check_ranges(*this); }
};
}  // namespace demo
using demo::Aliased;

TEST_CASE("An alias names the same hyperparameter; giving both is refused", "[core][params]") {
    REQUIRE(shelf::from_map<Aliased>({{"nthread", "3"}}).num_threads == 3);
    REQUIRE(shelf::from_map<Aliased>({{"num_threads", "2"}}).num_threads == 2);
    REQUIRE_THROWS_WITH(shelf::from_map<Aliased>({{"nthread", "3"}, {"num_threads", "2"}}),
                        Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("given twice"));
    REQUIRE(shelf::to_map(Aliased{}).count("nthread") == 0);  // stored under the canonical name
}

TEST_CASE("Numbers are written in their shortest exact form", "[core][params]") {
    REQUIRE(shelf::detail::format_value(0.3) == "0.3");
    REQUIRE(shelf::detail::format_value(1e-8) == "1e-08");
    REQUIRE(shelf::detail::format_value(0.1f) == "0.1");
    double back = 0;
    REQUIRE(shelf::detail::parse_value(shelf::detail::format_value(0.1 + 0.2), back));
    REQUIRE(back == 0.1 + 0.2);
}
