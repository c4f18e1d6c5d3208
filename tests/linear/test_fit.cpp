// Training: learned weights against known ones, the optimizers, L1, losses, auto values.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/QR>

#include <shelf/linear.hpp>
#include <shelf/metrics.hpp>

#include "synthetic.hpp"

using namespace shelf::linear;
using shelf::Index;
using synthetic::params;

namespace {

/// Least squares on raw features, in double: the best any linear regressor can do.
Eigen::VectorXd least_squares(const shelf::RowMatrix<double>& X, const shelf::Vector<double>& y) {
    Eigen::MatrixXd A(X.rows(), X.cols() + 1);
    A << X, Eigen::VectorXd::Ones(X.rows());
    return (A.transpose() * A).ldlt().solve(A.transpose() * y);
}

double rmse(const shelf::Vector<double>& y, const shelf::Vector<double>& p) { return shelf::metrics::rmse(y, p); }

}  // namespace

TEST_CASE("on noisy regression data the learned weights approach the truth", "[linear][fit]") {
    const auto all = synthetic::regression<double>(25000, 8, 0.5, 1);
    const auto train = synthetic::rows(all, 0, 20000), test = synthetic::rows(all, 20000, 5000);
    const Eigen::VectorXd ls = least_squares(train.X, train.y);
    const double best = rmse(test.y, (test.X * ls.head(8)).array() + ls[8]);
    for (const Optimizer optimizer : {Optimizer::sgd, Optimizer::adam, Optimizer::rmsprop}) {
        DYNAMIC_SECTION("with " << shelf::detail::format_value(optimizer)) {
            Params p = params(PredictorType::regressor);
            p.optimizer = optimizer;
            const auto model = fit(train.X, train.y, p);
            const Eigen::VectorXd w = model.weights().col(0);
            INFO("learned " << w.transpose() << " true " << train.w.transpose());
            REQUIRE((w - train.w).norm() / train.w.norm() < 0.01);
            REQUIRE(model.bias()[0] == Approx(train.b).margin(0.03));
            REQUIRE(rmse(test.y, model.predict(test.X)) < 1.01 * best);
        }
    }
}

TEST_CASE("on noisy logistic data the learned weights approach the truth", "[linear][fit]") {
    const auto train = synthetic::logistic<double>(60000, 6, 3);
    Params p = params(PredictorType::binary_classifier);
    p.binary_classifier_model_selection_criteria = SelectionCriteria::loss_function;  // the likelihood's maximum
    const auto model = fit(train.X, train.y, p);
    const Eigen::VectorXd w = model.weights().col(0);
    INFO("learned " << w.transpose() << " true " << train.w.transpose());
    REQUIRE((w - train.w).norm() / train.w.norm() < 0.05);
    REQUIRE(model.bias()[0] == Approx(train.b).margin(0.1));
    SECTION("and the score is the probability of class 1") {
        const shelf::RowMatrix<double> score = model.score(train.X.topRows(100));
        const Eigen::VectorXd z = (train.X.topRows(100) * train.w).array() + train.b;
        for (Index i = 0; i < 100; ++i) REQUIRE(score(i, 0) == Approx(1 / (1 + std::exp(-z[i]))).margin(0.03));
    }
}

TEST_CASE("on separable data the classifier separates, in the true direction", "[linear][fit]") {
    const auto data = synthetic::separable<double>(4000, 5, 0.2, 4);
    for (const Loss loss : {Loss::logistic, Loss::hinge_loss}) {
        DYNAMIC_SECTION("with " << shelf::detail::format_value(loss)) {
            Params p = params(PredictorType::binary_classifier);
            p.loss = loss;
            const auto model = fit(data.X, data.y, p);
            REQUIRE(shelf::metrics::accuracy(data.y, model.predict(data.X)) >= 0.998);
            REQUIRE(synthetic::cosine(model.weights().col(0), data.w) > 0.995);
        }
    }
}

TEST_CASE("a multiclass classifier recovers softmax classes", "[linear][fit]") {
    Eigen::MatrixXd W;
    const auto all = synthetic::softmax<double>(35000, 5, 4, 5, &W);
    const auto train = synthetic::rows(all, 0, 30000), test = synthetic::rows(all, 30000, 5000);
    Params p = params(PredictorType::multiclass_classifier);
    p.num_classes = 4;
    const auto model = fit(train.X, train.y, p);
    REQUIRE(model.outputs() == 4);
    const shelf::RowMatrix<double> score = model.score(test.X);
    REQUIRE((score.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-12);
    // As accurate as the true model (which predicts the most probable class).
    shelf::Vector<double> truth(test.y.size());
    for (Index i = 0; i < test.y.size(); ++i) {
        Index c = 0;
        (test.X.row(i) * W).maxCoeff(&c);
        truth[i] = double(c);
    }
    const double accuracy = shelf::metrics::accuracy(test.y, model.predict(test.X));
    REQUIRE(accuracy > shelf::metrics::accuracy(test.y, truth) - 0.01);
    SECTION("and the learned weights differ between classes as the true ones do") {
        // Softmax weights are defined up to a shift shared by all classes: compare differences.
        for (Index c = 1; c < 4; ++c) {
            const Eigen::VectorXd learned = model.weights().col(c) - model.weights().col(0);
            const Eigen::VectorXd truth_diff = W.col(c) - W.col(0);
            REQUIRE(synthetic::cosine(learned, truth_diff) > 0.99);
        }
    }
}

TEST_CASE("L1 produces exact zeros", "[linear][fit]") {
    // 3 informative features out of 20.
    auto data = synthetic::regression<double>(20000, 20, 0.5, 7);
    data.w.tail(17).setZero();
    shelf::Rng rng(8);
    for (Index i = 0; i < data.X.rows(); ++i) data.y[i] = data.X.row(i).dot(data.w) + data.b + 0.5 * rng.normal();
    Params p = params(PredictorType::regressor);
    SECTION("with l1 the irrelevant weights are exactly zero, the relevant ones are not") {
        p.l1 = 0.02;
        const auto model = fit(data.X, data.y, p);
        const Eigen::VectorXd w = model.weights().col(0);
        INFO(w.transpose());
        REQUIRE((w.tail(17).array() == 0).all());
        REQUIRE((w.head(3).array() != 0).all());
        REQUIRE((w.head(3) - data.w.head(3)).norm() / data.w.head(3).norm() < 0.05);
    }
    SECTION("without it none is") {
        p.l1 = 0.0;
        const auto model = fit(data.X, data.y, p);
        REQUIRE((model.weights().col(0).array() != 0).all());
    }
}

TEST_CASE("each regression loss fits what it estimates", "[linear][fit]") {
    auto data = synthetic::regression<double>(20000, 5, 1.0, 9);
    Params p = params(PredictorType::regressor);
    SECTION("quantile_loss predicts the quantile: the given fraction of labels lies below") {
        for (const double q : {0.1, 0.9}) {
            p.loss = Loss::quantile_loss;
            p.quantile = q;
            const auto model = fit(data.X, data.y, p);
            const double below = ((data.y - model.predict(data.X)).array() < 0).cast<double>().mean();
            REQUIRE(below == Approx(q).margin(0.02));
        }
    }
    SECTION("absolute_loss, huber_loss and the eps-insensitive losses recover the weights of symmetric noise") {
        for (const Loss loss : {Loss::absolute_loss, Loss::huber_loss, Loss::eps_insensitive_squared_loss,
                                Loss::eps_insensitive_absolute_loss}) {
            p.loss = loss;
            const auto model = fit(data.X, data.y, p);
            INFO(shelf::detail::format_value(loss));
            REQUIRE((model.weights().col(0) - data.w).norm() / data.w.norm() < 0.03);
        }
    }
    SECTION("huber_loss resists outliers that pull squared_loss away") {
        shelf::Rng rng(10);
        for (Index i = 0; i < data.y.size(); i += 20) data.y[i] += 200 + 50 * rng.normal();  // 5 % outliers
        p.loss = Loss::huber_loss;
        const double huber = (fit(data.X, data.y, p).weights().col(0) - data.w).norm();
        p.loss = Loss::squared_loss;
        const double squared = (fit(data.X, data.y, p).weights().col(0) - data.w).norm();
        REQUIRE(huber < squared / 3);
    }
    SECTION("loss_insensitivity is in label units: errors below it cost nothing") {
        p.loss = Loss::eps_insensitive_absolute_loss;
        p.loss_insensitivity = 1000;  // every error is inside: nothing to learn, the weights stay small
        p.init_method = InitMethod::normal;
        p.init_sigma = 1e-3;
        p.learning_rate = 0.01;
        p.wd = 0.0;
        p.l1 = 0.0;
        const auto model = fit(data.X, data.y, p);
        REQUIRE(model.weights().cwiseAbs().maxCoeff() < 0.05);
    }
}

TEST_CASE("auto values are resolved, and the model records what it used", "[linear][fit]") {
    const auto data = synthetic::logistic<float>(2500, 4, 11);
    const auto model = fit(data.X, data.y, params(PredictorType::binary_classifier));
    const Params& r = model.params();
    REQUIRE(r.loss == Loss::logistic);
    REQUIRE(r.optimizer == Optimizer::adam);
    REQUIRE(r.num_models == 32);
    REQUIRE(r.momentum == 0.9);
    REQUIRE(r.feature_dim == 4);
    REQUIRE(r.lr_scheduler_step == 3);  // ceil(2500 / 1000): one decrease per epoch
    REQUIRE(*r.lr_scheduler_factor == Approx(std::pow(0.1, 1.0 / 15)));
    REQUIRE(r.lr_scheduler_minimum_lr == 1e-6);
    REQUIRE(r.normalize_label == false);
    const auto& kept = model.report().models[static_cast<std::size_t>(model.report().selected)];
    REQUIRE(r.learning_rate == kept.hyperparameters.learning_rate);
    REQUIRE(r.l1 == kept.hyperparameters.l1);
    REQUIRE(r.wd == kept.hyperparameters.wd);
    REQUIRE(model.report().models.size() == 32);
    SECTION("model 0 is the centre of the sweep, the others are drawn around it") {
        const auto& models = model.report().models;
        REQUIRE(models[0].hyperparameters.l1 == 0);
        REQUIRE(models[0].hyperparameters.wd == 1.0 / 2500);  // a classifier's least: 1/n (scikit-learn's C = 1)
        const double centre = models[0].hyperparameters.learning_rate;
        REQUIRE(centre == Approx(10.0 / (3 * 15)));  // 10 / (mini-batches per epoch x epochs)
        int distinct = 0;
        for (const auto& c : models) {
            REQUIRE(c.hyperparameters.learning_rate >= centre / 10);
            REQUIRE(c.hyperparameters.learning_rate <= centre * 10);
            REQUIRE(c.hyperparameters.wd >= 1.0 / 2500);
            REQUIRE(c.hyperparameters.wd <= 1e-2);
            REQUIRE(c.hyperparameters.l1 <= 1e-3);
            distinct += c.hyperparameters.learning_rate != centre ? 1 : 0;
        }
        REQUIRE(distinct == 31);
    }
    SECTION("a regressor normalizes its label") {
        const auto reg = synthetic::regression<float>(500, 3, 0.1, 12);
        const auto regressor = fit(reg.X, reg.y, params(PredictorType::regressor));
        REQUIRE(regressor.params().normalize_label == true);
        REQUIRE(regressor.report().models[0].hyperparameters.wd == 0);  // regressors have no least wd
        for (const auto& c : regressor.report().models) REQUIRE(c.hyperparameters.wd <= 1e-2);
    }
    SECTION("given values are used by every model") {
        Params p = params(PredictorType::binary_classifier);
        p.num_models = 4;
        p.learning_rate = 0.05;
        p.l1 = 0.001;
        p.wd = 1e-4;
        const auto fixed = fit(data.X, data.y, p);
        REQUIRE(fixed.report().models.size() == 4);
        for (const auto& c : fixed.report().models) {
            REQUIRE(c.hyperparameters.learning_rate == 0.05);
            REQUIRE(c.hyperparameters.l1 == 0.001);
            REQUIRE(c.hyperparameters.wd == 1e-4);
        }
    }
}

TEST_CASE("early stopping ends training once no model improves", "[linear][fit]") {
    const auto all = synthetic::regression<float>(6000, 4, 0.5, 13);  // the loss levels off at the noise
    const auto data = synthetic::rows(all, 0, 5000);
    Params p = params(PredictorType::regressor);
    p.epochs = 200;
    SECTION("patience and tolerance stop every model well before the last epoch") {
        p.early_stopping_tolerance = 0.05;  // the slowest rates still gain about 1 % an epoch
        const auto model = fit(data.X, data.y, p);
        REQUIRE(model.report().epochs_run < 50);
        for (const auto& c : model.report().models) {
            REQUIRE(c.epochs <= model.report().epochs_run);
            REQUIRE(c.best_epoch <= c.epochs);
        }
    }
    SECTION("a progress callback that returns false stops training") {
        std::vector<shelf::Progress> seen;
        const auto model = fit(data.X, data.y, p, {}, [&](const shelf::Progress& progress) {
            seen.push_back(progress);
            return progress.done < 2;
        });
        REQUIRE(model.report().stopped);
        REQUIRE(model.report().epochs_run == 2);
        REQUIRE(seen.size() == 2);
        REQUIRE(seen[0].stage == "epoch");
        REQUIRE(seen[0].total == 200);
        REQUIRE(seen[0].metric_name == "train:objective_loss");
        REQUIRE(seen[1].metric < seen[0].metric);
    }
    SECTION("with a validation channel, on the validation loss") {
        const auto valid = synthetic::rows(all, 5000, 1000);
        p.epochs = 5;
        std::string name;
        const auto model = fit(data.X, data.y, p, {valid.X, valid.y}, [&](const shelf::Progress& progress) {
            name = progress.metric_name;
            return true;
        });
        REQUIRE(name == "validation:objective_loss");
        REQUIRE(model.report().on_validation);
    }
}

TEST_CASE("class weights shift the errors between classes", "[linear][fit]") {
    auto data = synthetic::logistic<double>(20000, 4, 15);
    shelf::Rng rng(16);
    for (Index i = 0; i < data.y.size(); ++i) {  // about 10 % positives, with label noise
        const double z = data.X.row(i).dot(data.w) - 2.5;
        data.y[i] = rng.uniform() < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
    }
    const double positives = data.y.sum(), ratio = (double(data.y.size()) - positives) / positives;
    Params p = params(PredictorType::binary_classifier);
    p.binary_classifier_model_selection_criteria = SelectionCriteria::loss_function;  // threshold 0.5
    const auto plain = fit(data.X, data.y, p);
    SECTION("balanced weighs positives by negatives / positives, and raises their recall") {
        p.positive_example_weight_mult = "balanced";
        const auto balanced = fit(data.X, data.y, p);
        REQUIRE(std::stod(balanced.params().positive_example_weight_mult) == Approx(ratio));
        const auto recall = [&](const auto& m) { return shelf::metrics::recall(data.y, m.predict(data.X)); };
        REQUIRE(recall(balanced) > recall(plain) + 0.2);
    }
    SECTION("auto draws each model's weight between 1 and balanced") {
        p.positive_example_weight_mult = "auto";
        const auto model = fit(data.X, data.y, p);
        const auto& models = model.report().models;
        REQUIRE(models[0].hyperparameters.positive_example_weight_mult == 1.0);
        for (const auto& c : models) {
            REQUIRE(c.hyperparameters.positive_example_weight_mult >= 1.0);
            REQUIRE(c.hyperparameters.positive_example_weight_mult <= ratio * (1 + 1e-12));
        }
    }
    SECTION("balance_multiclass_weights raises the recall of a rare class") {
        // Three overlapping classes, class 2 rare (about 5 %): unweighted, it is seldom predicted.
        shelf::Rng r(17);
        const Index n = 20000;
        shelf::RowMatrix<double> X(n, 2);
        shelf::Vector<double> y(n);
        for (Index i = 0; i < n; ++i) {
            const double u = r.uniform();
            y[i] = u < 0.05 ? 2 : u < 0.5 ? 1 : 0;
            X(i, 0) = r.normal() + (y[i] == 1 ? 1.0 : 0.0);
            X(i, 1) = r.normal() + (y[i] == 2 ? 1.5 : 0.0);
        }
        Params q = params(PredictorType::multiclass_classifier);
        q.num_classes = 3;
        const auto rare_recall = [&](const auto& m) {
            const shelf::Vector<double> predicted = m.predict(X);
            double hit = 0, total = 0;
            for (Index i = 0; i < y.size(); ++i)
                if (y[i] == 2) total += 1, hit += predicted[i] == 2 ? 1 : 0;
            return hit / total;
        };
        const double before = rare_recall(fit(X, y, q));
        q.balance_multiclass_weights = true;
        const double after = rare_recall(fit(X, y, q));
        INFO("rare-class recall " << before << " unweighted, " << after << " balanced");
        REQUIRE(after > before + 0.3);
    }
}

TEST_CASE("labels -1 and +1 are read as 0 and 1", "[linear][fit]") {
    const auto data = synthetic::logistic<float>(3000, 3, 18);
    const shelf::Vector<float> pm = (2 * data.y.array() - 1).matrix();
    const auto a = fit(data.X, data.y, params(PredictorType::binary_classifier));
    const auto b = fit(data.X, pm, params(PredictorType::binary_classifier));
    REQUIRE(b.report().plus_minus_one);
    REQUIRE_FALSE(a.report().plus_minus_one);
    REQUIRE(a.weights() == b.weights());
    REQUIRE(a.threshold() == b.threshold());
    const shelf::Vector<float> predicted = b.predict(data.X);
    REQUIRE(((predicted.array() == 0) || (predicted.array() == 1)).all());
}

TEST_CASE("the scheduler decays the rate, never below lr_scheduler_minimum_lr", "[linear][fit]") {
    const auto data = synthetic::regression<double>(5000, 4, 0.1, 19);
    Params p = params(PredictorType::regressor);
    p.num_models = 1;
    p.learning_rate = 0.05;
    p.l1 = 0.0;
    p.wd = 0.0;
    p.lr_scheduler_step = 1;
    p.lr_scheduler_factor = 1e-3;  // after the first mini-batch the rate is all but gone ...
    p.lr_scheduler_minimum_lr = 1e-7;
    const double stalled = rmse(data.y, fit(data.X, data.y, p).predict(data.X));
    // ... unless the floor keeps it. At 0.02 the 75 steps converge and adam's own noise stays
    // under the label noise (RMSE 0.099–0.100 over seeds 1–6); at 0.05 the noise alone gave
    // 0.13–0.17 depending on the seed.
    p.lr_scheduler_minimum_lr = 0.02;
    const double floored = rmse(data.y, fit(data.X, data.y, p).predict(data.X));
    INFO("rmse " << stalled << " with the rate gone, " << floored << " with the floor");
    REQUIRE(floored < 0.15);
    REQUIRE(stalled > 5 * floored);
}

TEST_CASE("without use_bias the model has no intercept", "[linear][fit]") {
    auto data = synthetic::regression<double>(5000, 4, 0.1, 20);
    Params p = params(PredictorType::regressor);
    p.use_bias = false;
    SECTION("a regressor fits through the origin (the data are scaled, not centered)") {
        const auto model = fit(data.X, data.y, p);
        REQUIRE(model.bias()[0] == 0.0);
        const Eigen::VectorXd through_origin =
            (data.X.transpose() * data.X).ldlt().solve(data.X.transpose() * data.y);
        REQUIRE((model.weights().col(0) - through_origin).norm() / through_origin.norm() < 0.02);
    }
    SECTION("so does a classifier, on dense and on sparse rows") {
        const auto bin = synthetic::logistic<double>(3000, 4, 21);
        Params q = params(PredictorType::binary_classifier);
        q.use_bias = false;
        REQUIRE(fit(bin.X, bin.y, q).bias()[0] == 0.0);
        const shelf::SparseMatrix<double> S = bin.X.sparseView();
        REQUIRE(fit(S, bin.y, q).bias()[0] == 0.0);
    }
}

TEST_CASE("sparse data, scaled without centering, still give weights on raw features", "[linear][fit][sparse]") {
    // Half the entries are zero and the labels follow the sparse rows, so the scaler sees real
    // sparse columns; normalization (data and label) is on, as by default.
    auto all = synthetic::regression<double>(25000, 8, 0.5, 5);
    shelf::Rng rng(6);
    for (Index i = 0; i < all.X.rows(); ++i) {
        for (Index j = 0; j < all.X.cols(); ++j)
            if ((i + 3 * j) % 2 == 0) all.X(i, j) = 0;
        all.y[i] = all.X.row(i).dot(all.w) + all.b + 0.5 * rng.normal();
    }
    const auto train = synthetic::rows(all, 0, 20000), test = synthetic::rows(all, 20000, 5000);
    const shelf::SparseMatrix<double> S = train.X.sparseView();
    const Eigen::VectorXd ls = least_squares(train.X, train.y);
    const double best = rmse(test.y, (test.X * ls.head(8)).array() + ls[8]);
    const auto model = fit(S, train.y, params(PredictorType::regressor));
    const Eigen::VectorXd w = model.weights().col(0);
    INFO("learned " << w.transpose() << " true " << train.w.transpose());
    REQUIRE((w - train.w).norm() / train.w.norm() < 0.02);
    REQUIRE(rmse(test.y, model.predict(test.X)) < 1.01 * best);
}

TEST_CASE("a multiclass classifier learns from sparse data as from dense", "[linear][fit][sparse]") {
    const auto data = synthetic::softmax<double>(6000, 5, 3, 7);
    const shelf::SparseMatrix<double> S = data.X.sparseView();
    Params p = params(PredictorType::multiclass_classifier);
    p.num_classes = 3;
    const auto sparse = fit(S, data.y, p);
    const auto dense = fit(data.X, data.y, p);
    const double a_sparse = shelf::metrics::accuracy(data.y, sparse.predict(S));
    const double a_dense = shelf::metrics::accuracy(data.y, dense.predict(data.X));
    INFO("accuracy sparse " << a_sparse << " dense " << a_dense);
    REQUIRE(a_sparse > 0.8);
    REQUIRE(std::abs(a_sparse - a_dense) < 0.01);
}

TEST_CASE("nearly collinear features converge within the default epochs (the decorrelating preconditioner)",
          "[linear][fit]") {
    // y depends on the small difference of two features correlated at 0.9996: an
    // ill-conditioned problem on which plain adam stopped 30 % above least squares.
    const Index n = 20000, d = 6;
    shelf::Rng rng(7);
    shelf::RowMatrix<double> X(n, d);
    Eigen::VectorXd y(n);
    for (Index i = 0; i < n; ++i) {
        const double z = rng.normal();
        X(i, 0) = z;
        X(i, 1) = z + 0.03 * rng.normal();
        for (Index j = 2; j < d; ++j) X(i, j) = rng.normal();
        y[i] = 3 * X(i, 0) - 3 * X(i, 1) + 0.5 * X(i, 2) - 0.5 * X(i, 3) + 0.2 + 0.1 * rng.normal();
    }
    Eigen::MatrixXd A(n, d + 1);
    A << X, Eigen::VectorXd::Ones(n);
    const Eigen::VectorXd exact = A * A.colPivHouseholderQr().solve(y);
    const double least_squares = rmse(y, exact);
    Params p = params(PredictorType::regressor);
    p.num_models = 1;
    for (const int seed : {0, 1, 2}) {
        p.seed = seed;
        const double fitted = rmse(y, fit(X, y, p).predict(X));
        INFO("seed " << seed << ": rmse " << fitted << ", least squares " << least_squares);
        REQUIRE(fitted < 1.01 * least_squares);
    }
}
