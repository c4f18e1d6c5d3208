// Trains shelf models on tests/reference/trees/data.csv and writes, for check_export.py:
//   DIR/<case>.json     the model in XGBoost's JSON format
//   DIR/<case>.margins  its margins on the same rows, one row per line
//   DIR/cases.txt       one case name per line
// Usage: export_for_xgboost DIR
#include <fstream>
#include <iostream>

#include <shelf/trees/xgboost_json.hpp>

#include "fixture.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: export_for_xgboost DIR\n";
        return 2;
    }
    const std::string dir = argv[1];
    const auto& d = fixture::data();
    struct Case {
        const char* name;
        const char* label;
        std::map<std::string, std::string> params;
    };
    const Case cases[] = {
        {"binary", "y_bin", {{"objective", "binary:logistic"}, {"max_depth", "4"}}},
        {"softprob", "y_class", {{"objective", "multi:softprob"}, {"num_class", "3"}}},
        {"lossguide", "y_reg", {{"objective", "reg:squarederror"}, {"grow_policy", "lossguide"}, {"max_leaves", "7"}}},
        {"poisson", "y_count", {{"objective", "count:poisson"}}},
        {"tweedie", "y_count", {{"objective", "reg:tweedie"}, {"tweedie_variance_power", "1.2"}}},
        {"absolute", "y_reg", {{"objective", "reg:absoluteerror"}, {"eta", "0.5"}}},
    };
    std::ofstream list(dir + "/cases.txt");
    for (const Case& c : cases) {
        auto hp = c.params;
        hp["num_round"] = "6";
        const auto model = shelf::gbt::fit(d.X, d[c.label], shelf::from_map<shelf::gbt::Params>(hp));
        std::ofstream(dir + "/" + c.name + ".json") << shelf::gbt::to_xgboost_json(model);
        shelf::gbt::PredictOptions margin;
        margin.output_margin = true;
        const auto m = model.predict(d.X, margin);
        std::ofstream out(dir + "/" + c.name + ".margins");
        out.precision(9);
        for (shelf::Index r = 0; r < m.rows(); ++r) {
            for (shelf::Index k = 0; k < m.cols(); ++k) out << (k ? " " : "") << m(r, k);
            out << "\n";
        }
        list << c.name << "\n";
    }
    return 0;
}
