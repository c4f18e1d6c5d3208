// The linear learner on abalone: a regressor for the number of rings, then a binary
// classifier for "old" abalone (10 rings or more) whose threshold is set to find 90 % of
// the old ones in the validation rows.
//
//   example_linear [data/abalone]     (the directory holding train.csv and test.csv)
#include <iostream>
#include <sstream>
#include <string>

#include <shelf/io/csv.hpp>
#include <shelf/linear.hpp>
#include <shelf/metrics.hpp>

namespace linear = shelf::linear;

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "data/abalone";
    try {
        // The platform's CSV layout: label in column 0, features after it.
        const auto train = shelf::read_csv<float>(dir + "/train.csv");
        const auto test = shelf::read_csv<float>(dir + "/test.csv");

        // 1. Regression: 32 models with their own learning rate, L1 and weight decay are
        //    trained side by side; the one with the lowest training loss is kept.
        linear::Params p;
        p.predictor_type = linear::PredictorType::regressor;
        p.mini_batch_size = 32;  // small data: many small steps
        p.epochs = 50;
        const auto regressor = linear::fit(train.features, train.labels, p);
        std::cout << "regressor (kept model " << regressor.report().selected << " of "
                  << regressor.report().models.size() << ", learning_rate " << *regressor.params().learning_rate
                  << ")\n";
        for (const auto& [name, value] : linear::evaluate(regressor, test.features, test.labels))
            std::cout << "  test:" << name << " = " << value << "\n";

        // 2. Binary classification with a recall target: the decision threshold is tuned on
        //    the validation channel (here the last 700 training rows) to reach recall 0.9.
        const shelf::Vector<float> old_train = (train.labels.array() >= 10).cast<float>();
        const shelf::Vector<float> old_test = (test.labels.array() >= 10).cast<float>();
        const auto n = train.features.rows() - 700;
        linear::Params c;
        c.predictor_type = linear::PredictorType::binary_classifier;
        c.binary_classifier_model_selection_criteria = linear::SelectionCriteria::precision_at_target_recall;
        c.target_recall = 0.9;
        c.mini_batch_size = 100;
        const auto classifier = linear::fit(train.features.topRows(n), old_train.head(n), c,
                                            {train.features.bottomRows(700), old_train.tail(700)});
        std::cout << "classifier (threshold " << classifier.threshold() << " on P(old))\n";
        for (const auto& [name, value] :
             linear::evaluate(classifier, train.features.bottomRows(700), old_train.tail(700)))
            if (name == "precision" || name == "recall") std::cout << "  validation:" << name << " = " << value << "\n";
        for (const auto& [name, value] : linear::evaluate(classifier, test.features, old_test))
            std::cout << "  test:" << name << " = " << value << "\n";

        // 3. A model is a value: save it, load it, predict with it.
        std::stringstream file;
        classifier.save(file);
        const auto loaded = linear::Model<float>::load(file);
        const shelf::Vector<float> label = loaded.predict(test.features.topRows(5));
        const shelf::RowMatrix<float> score = loaded.score(test.features.topRows(5));
        std::cout << "first test rows: predicted_label / score\n";
        for (shelf::Index i = 0; i < label.size(); ++i) std::cout << "  " << label[i] << " / " << score(i, 0) << "\n";
    } catch (const shelf::error& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
