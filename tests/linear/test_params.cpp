// The hyperparameters: the platform's names, defaults and string forms.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>

#include <shelf/linear/params.hpp>

using namespace shelf::linear;
using Map = std::map<std::string, std::string>;

TEST_CASE("the hyperparameters carry the platform's names and defaults", "[linear][params]") {
    const auto m = shelf::to_map(Params{});
    const Map expected{{"predictor_type", "auto"},
                       {"num_classes", "auto"},
                       {"feature_dim", "auto"},
                       {"num_models", "auto"},
                       {"mini_batch_size", "1000"},
                       {"epochs", "15"},
                       {"optimizer", "auto"},
                       {"learning_rate", "auto"},
                       {"beta_1", "0.9"},
                       {"beta_2", "0.999"},
                       {"momentum", "auto"},
                       {"lr_scheduler_step", "auto"},
                       {"lr_scheduler_factor", "auto"},
                       {"lr_scheduler_minimum_lr", "auto"},
                       {"l1", "auto"},
                       {"wd", "auto"},
                       {"use_bias", "true"},
                       {"init_method", "uniform"},
                       {"init_scale", "0.07"},
                       {"init_sigma", "0.01"},
                       {"init_bias", "0"},
                       {"loss", "auto"},
                       {"loss_insensitivity", "0.01"},
                       {"quantile", "0.5"},
                       {"huber_delta", "1"},
                       {"margin", "1"},
                       {"normalize_data", "true"},
                       {"normalize_label", "auto"},
                       {"num_point_for_scaler", "10000"},
                       {"positive_example_weight_mult", "1.0"},
                       {"balance_multiclass_weights", "false"},
                       {"binary_classifier_model_selection_criteria", "accuracy"},
                       {"f_beta", "1"},
                       {"target_recall", "0.8"},
                       {"target_precision", "0.8"},
                       {"early_stopping_patience", "3"},
                       {"early_stopping_tolerance", "0.001"},
                       {"accuracy_top_k", "3"},
                       {"num_threads", "0"},
                       {"seed", "0"}};
    REQUIRE(m == expected);
}

TEST_CASE("hyperparameters parse from the platform's strings", "[linear][params]") {
    SECTION("every choice is spelled as on the platform") {
        const auto p = shelf::from_map<Params>({{"predictor_type", "multiclass_classifier"},
                                                {"num_classes", "5"},
                                                {"loss", "softmax_loss"},
                                                {"optimizer", "rmsprop"},
                                                {"init_method", "normal"},
                                                {"binary_classifier_model_selection_criteria", "recall_at_target_precision"},
                                                {"positive_example_weight_mult", "balanced"},
                                                {"normalize_label", "false"},
                                                {"learning_rate", "0.05"},
                                                {"l1", "auto"}});
        REQUIRE(p.predictor_type == PredictorType::multiclass_classifier);
        REQUIRE(p.num_classes == 5);
        REQUIRE(p.loss == Loss::softmax_loss);
        REQUIRE(p.optimizer == Optimizer::rmsprop);
        REQUIRE(p.init_method == InitMethod::normal);
        REQUIRE(p.binary_classifier_model_selection_criteria == SelectionCriteria::recall_at_target_precision);
        REQUIRE(p.normalize_label == false);
        REQUIRE(p.learning_rate == 0.05);
        REQUIRE_FALSE(p.l1.has_value());
    }
    SECTION("positive_example_weight_mult takes a number, balanced or auto") {
        for (const char* ok : {"2.5", "balanced", "auto", "AUTO", " 1 "})
            REQUIRE_NOTHROW(shelf::from_map<Params>({{"predictor_type", "binary_classifier"},
                                                     {"positive_example_weight_mult", ok}}));
        REQUIRE(shelf::from_map<Params>({{"predictor_type", "binary_classifier"}, {"positive_example_weight_mult", "2.5"}})
                    .fixed_positive_weight() == 2.5);
        for (const char* bad : {"heavy", "0", "-1", "nan", ""})
            REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "binary_classifier"},
                                                         {"positive_example_weight_mult", bad}}),
                                Catch::Contains("shelf.invalid_argument.103") &&
                                    Catch::Contains("positive_example_weight_mult") &&
                                    Catch::Contains("'balanced' or 'auto'"));
    }
    SECTION("predictor_type is required, and num_classes with a multiclass_classifier") {
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({}), Catch::Contains("shelf.invalid_argument.104") &&
                                                             Catch::Contains("predictor_type is required"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "multiclass_classifier"}}),
                            Catch::Contains("shelf.invalid_argument.104") && Catch::Contains("num_classes"));
        REQUIRE_NOTHROW(shelf::from_map<Params>({{"predictor_type", "regressor"}}));
    }
    SECTION("ranges are checked") {
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "multiclass_classifier"}, {"num_classes", "2"}}),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("num_classes = 2"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "regressor"}, {"quantile", "1"}}),
                            Catch::Contains("quantile = 1") && Catch::Contains("in (0, 1)"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "regressor"}, {"mini_batch_size", "0"}}),
                            Catch::Contains("mini_batch_size = 0"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "regressor"}, {"learning_rate", "0"}}),
                            Catch::Contains("learning_rate = 0"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "regressor"}, {"loss", "cross_entropy"}}),
                            Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("one of logistic"));
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "regressor"}, {"seed", "-1"}}),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("seed = -1"));
        REQUIRE(shelf::from_map<Params>({{"predictor_type", "regressor"}, {"seed", "9007199254740993"}}).seed ==
                std::int64_t{9007199254740993});
    }
    SECTION("an unknown name suggests the closest") {
        REQUIRE_THROWS_WITH(shelf::from_map<Params>({{"predictor_type", "regressor"}, {"learning_rat", "0.1"}}),
                            Catch::Contains("shelf.invalid_argument.102") && Catch::Contains("did you mean 'learning_rate'"));
    }
}
