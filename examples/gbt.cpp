// Gradient-boosted trees in a few lines: train a binary classifier with early stopping on a
// validation set, look at its test AUC and feature importance, save it and load it back.
//
//   example_gbt
#include <shelf/trees.hpp>

#include <cmath>
#include <iostream>
#include <sstream>

int main() {
    // A synthetic task: the label depends on x0·x1 and x2; x3 and x4 are noise; 5 % missing.
    const shelf::Index rows = 20000, features = 5;
    shelf::Rng rng(7);
    shelf::RowMatrix<float> X(rows, features);
    shelf::Vector<float> y(rows);
    for (shelf::Index r = 0; r < rows; ++r) {
        for (shelf::Index c = 0; c < features; ++c) X(r, c) = static_cast<float>(rng.normal());
        y[r] = X(r, 0) * X(r, 1) + X(r, 2) + 0.5 * rng.normal() > 0 ? 1.0f : 0.0f;
        for (shelf::Index c = 0; c < features; ++c)
            if (rng.uniform() < 0.05) X(r, c) = NAN;  // missing values learn a default direction
    }
    const shelf::Index train = 12000, valid = 4000, test = rows - train - valid;

    shelf::gbt::Params params;  // XGBoost's hyperparameters, with its defaults
    params.num_round = 500;
    params.objective = "binary:logistic";
    params.eval_metric = {"logloss", "auc"};  // early stopping watches the last one
    params.early_stopping_rounds = 20;
    params.max_depth = 4;
    params.eta = 0.1;

    const shelf::RowMatrix<float> X_train = X.topRows(train), X_valid = X.middleRows(train, valid),
                                  X_test = X.bottomRows(test);
    const shelf::Vector<float> y_train = y.head(train), y_valid = y.segment(train, valid), y_test = y.tail(test);
    const auto model = shelf::gbt::fit(X_train, y_train, params, {X_valid, y_valid});
    std::cout << "kept " << model.num_rounds() << " rounds (best validation auc "
              << model.report().best_score << " at round " << model.report().best_iteration << ")\n";

    for (const auto& [name, value] : shelf::gbt::evaluate(model, X_test, y_test))
        std::cout << "test " << name << ": " << value << "\n";

    const auto gain = model.importance(shelf::gbt::Importance::total_gain);
    for (shelf::Index f = 0; f < features; ++f)
        std::cout << "x" << f << " carries " << 100 * gain[f] / gain.sum() << " % of the gain\n";

    std::stringstream file;
    model.save(file);
    const auto loaded = shelf::gbt::Model<float>::load(file);
    const shelf::RowMatrix<float> p = loaded.predict(X_test);  // probabilities of class 1
    std::cout << "first test row: P(y = 1) = " << p(0, 0) << ", label " << y_test[0] << "\n";
    return loaded == model ? 0 : 1;
}
