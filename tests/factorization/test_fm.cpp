#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Cholesky>

#include <shelf/core/random.hpp>
#include <shelf/factorization.hpp>
#include <shelf/factorization/coordinate.hpp>
#include <shelf/factorization/gradient.hpp>
#include <shelf/factorization/mcmc.hpp>

namespace {

using shelf::Index;
using shelf::RowMatrix;
using shelf::SparseMatrix;
using shelf::Vector;
namespace fm = shelf::fm;

template <class T>
using Triplet = Eigen::Triplet<T, std::int64_t>;

/// n × d rows with each entry nonzero (normal) with probability `density`.
template <class T>
SparseMatrix<T> random_sparse(shelf::Rng& rng, Index n, Index d, double density) {
    std::vector<Triplet<T>> entries;
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < d; ++j)
            if (rng.uniform() < density) entries.emplace_back(i, j, static_cast<T>(rng.normal()));
    SparseMatrix<T> X(n, d);
    X.setFromTriplets(entries.begin(), entries.end());
    return X;
}

fm::Params params_of(fm::PredictorType type, int k) {
    fm::Params p;
    p.predictor_type = type;
    p.num_factors = k;
    return p;
}

/// A model with normal(0, 0.5) parameters.
template <class T>
fm::Model<T> random_model(shelf::Rng& rng, fm::PredictorType type, Index d, int k) {
    Vector<T> w(d);
    RowMatrix<T> V(d, k);
    for (Index j = 0; j < d; ++j) {
        w[j] = static_cast<T>(rng.normal(0, 0.5));
        for (Index f = 0; f < k; ++f) V(j, f) = static_cast<T>(rng.normal(0, 0.5));
    }
    return fm::Model<T>(params_of(type, k), static_cast<T>(rng.normal()), w, V);
}

/// ŷ by the definition, w0 + Σ w_i x_i + Σ_{i<j} <v_i, v_j> x_i x_j, in double; `scale` gets
/// |w0| + Σ |w_i x_i| + Σ_f (Σ_i |v_if x_i|)², what the rounding of the O(k·nnz) form is
/// proportional to.
template <class T>
double naive(const fm::Model<T>& m, const Eigen::RowVectorXd& x, double* scale = nullptr) {
    const auto w = m.linear_weights().template cast<double>();
    const auto V = m.latent_vectors().template cast<double>();
    double y = double(m.bias()), size = std::abs(double(m.bias()));
    for (Index i = 0; i < x.size(); ++i) {
        y += w[i] * x[i];
        size += std::abs(w[i] * x[i]);
        for (Index j = i + 1; j < x.size(); ++j) y += V.row(i).dot(V.row(j)) * x[i] * x[j];
    }
    for (Index f = 0; f < V.cols(); ++f) size += std::pow((V.col(f).array() * x.transpose().array()).abs().sum(), 2);
    if (scale) *scale = size;
    return y;
}

/// One-hot rows of three fields (users × items × contexts, 20 + 20 + 10 = 50 features) and
/// labels from a known factorization machine with k = 4: `truth` the noiseless ŷ, `y` it plus
/// normal(0, noise) noise.
struct Synthetic {
    SparseMatrix<double> X;
    Vector<double> truth, y;
};

struct Generator {
    static constexpr Index fields[3] = {20, 20, 10};
    static constexpr Index d = 50, k = 4;
    double bias = 0.5;
    Vector<double> w;
    RowMatrix<double> V;

    explicit Generator(shelf::Rng& rng) : w(d), V(d, k) {
        for (Index j = 0; j < d; ++j) {
            w[j] = rng.normal(0, 0.5);
            for (Index f = 0; f < k; ++f) V(j, f) = rng.normal(0, 0.5);
        }
    }

    Synthetic draw(shelf::Rng& rng, Index n, double noise) const {
        Synthetic s{SparseMatrix<double>(n, d), Vector<double>(n), Vector<double>(n)};
        std::vector<Triplet<double>> entries;
        for (Index i = 0; i < n; ++i) {
            Index on[3], first = 0;
            for (int f = 0; f < 3; ++f) {
                on[f] = first + static_cast<Index>(rng.uniform_index(static_cast<std::uint64_t>(fields[f])));
                entries.emplace_back(i, on[f], 1.0);
                first += fields[f];
            }
            double value = bias + w[on[0]] + w[on[1]] + w[on[2]];
            for (int a = 0; a < 3; ++a)
                for (int b = a + 1; b < 3; ++b) value += V.row(on[a]).dot(V.row(on[b]));
            s.truth[i] = value;
            s.y[i] = value + rng.normal(0, noise);
        }
        s.X.setFromTriplets(entries.begin(), entries.end());
        return s;
    }
};

template <class T>
double rmse(const Vector<T>& a, const Vector<double>& b) {
    return std::sqrt((a.template cast<double>() - b).squaredNorm() / double(b.size()));
}

template <class M>
std::string saved(const M& model) {
    std::ostringstream out;
    model.save(out);
    return out.str();
}

template <class T>
fm::Model<T> loaded(const std::string& bytes) {
    std::istringstream in(bytes);
    return fm::Model<T>::load(in);
}

}  // namespace

TEMPLATE_TEST_CASE("the O(k·nnz) prediction equals the pairwise double sum", "[fm]", float, double) {
    using T = TestType;
    shelf::Rng rng(3);
    const Index n = 300, d = 40;
    const SparseMatrix<T> X = random_sparse<T>(rng, n, d, 0.15);
    const RowMatrix<T> dense(X);
    for (int k : {1, 5, 16}) {
        const auto model = random_model<T>(rng, fm::PredictorType::regressor, d, k);
        const Vector<T> sparse_score = model.raw_score(X), dense_score = model.raw_score(dense);
        REQUIRE(sparse_score == dense_score);  // dense rows skip their zeros: the same sums, in the same order
        for (Index i = 0; i < n; ++i) {
            double scale = 0;
            const double want = naive(model, dense.row(i).template cast<double>(), &scale);
            const double nnz = double(dense.row(i).cwiseAbs().template cast<double>().cwiseSign().sum());
            INFO("k = " << k << ", row " << i);
            REQUIRE(std::abs(double(sparse_score[i]) - want) <=
                    4 * (nnz + double(k)) * std::numeric_limits<T>::epsilon() * scale);
        }
        fm::Params threaded = model.params();
        threaded.num_threads = 3;
        const fm::Model<T> copy(threaded, model.bias(), model.linear_weights(), model.latent_vectors());
        REQUIRE(copy.raw_score(X) == sparse_score);
    }

    SECTION("score is the value (regressor) or sigmoid(ŷ) (classifier); predict the value or the label at 0.5") {
        const auto regressor = random_model<T>(rng, fm::PredictorType::regressor, d, 3);
        REQUIRE(regressor.score(X) == regressor.raw_score(X));
        REQUIRE(regressor.predict(X) == regressor.raw_score(X));
        const fm::Model<T> classifier(params_of(fm::PredictorType::binary_classifier, 3), regressor.bias(),
                                      regressor.linear_weights(), regressor.latent_vectors());
        const Vector<T> raw = classifier.raw_score(X), score = classifier.score(X), label = classifier.predict(X);
        for (Index i = 0; i < n; ++i) {
            REQUIRE(double(score[i]) == Approx(1 / (1 + std::exp(-double(raw[i])))).epsilon(1e-6));
            REQUIRE(label[i] == (score[i] >= T(0.5) ? T(1) : T(0)));
        }
        const auto out = fm::outputs(classifier, X);
        REQUIRE(out.size() == 2);
        CHECK(out[0].name == "score");
        CHECK(out[0].values == score.template cast<double>());
        CHECK(out[1].name == "predicted_label");
        CHECK(out[1].integer);
        CHECK(out[1].values == label.template cast<double>());
        const auto regressor_out = fm::outputs(regressor, dense);
        REQUIRE(regressor_out.size() == 1);
        CHECK(regressor_out[0].name == "score");
    }
}

TEST_CASE("a mini-batch's gradient equals central finite differences of its objective", "[fm]") {
    shelf::Rng rng(17);
    const Index n = 30, d = 12;
    const int k = 3;
    const SparseMatrix<double> X = random_sparse<double>(rng, n, d, 0.3);
    const RowMatrix<double> dense(X);
    const std::vector<Index> batch = {7, 2, 19, 11, 25, 3};  // out of row order, as a shuffled epoch has them
    const auto m = static_cast<double>(batch.size());
    std::set<Index> touched;
    for (Index r : batch)
        for (SparseMatrix<double>::InnerIterator it(X, r); it; ++it) touched.insert(it.index());
    REQUIRE(touched.size() < std::size_t(d));  // some features are untouched: they must get no gradient

    for (const bool classifier : {false, true}) {
        Vector<double> y(n);
        for (Index i = 0; i < n; ++i) y[i] = classifier ? double(rng.uniform() < 0.5) : rng.normal();
        fm::detail::Weights<double> w{0.3, Vector<double>(d), RowMatrix<double>(d, k)};
        for (Index j = 0; j < d; ++j) {
            w.linear[j] = rng.normal(0, 0.5);
            for (Index f = 0; f < k; ++f) w.factors(j, f) = rng.normal(0, 0.5);
        }
        fm::detail::GradientSettings settings;
        settings.classifier = classifier;
        settings.bias_wd = 0.05, settings.linear_wd = 0.02, settings.factors_wd = 0.01;

        // The objective: the batch's mean loss plus ½·wd·θ² on the bias and the touched features.
        const auto objective = [&](const fm::detail::Weights<double>& at) {
            const fm::Model<double> model(params_of(fm::PredictorType::regressor, k), at.bias, at.linear, at.factors);
            double loss = 0;
            for (Index r : batch) {
                const double z = naive(model, dense.row(r));
                loss += classifier ? std::log1p(std::exp(z)) - y[r] * z : 0.5 * (z - y[r]) * (z - y[r]);
            }
            double decay = 0.5 * settings.bias_wd * at.bias * at.bias;
            for (Index j : touched)
                decay += 0.5 * settings.linear_wd * at.linear[j] * at.linear[j] +
                         0.5 * settings.factors_wd * at.factors.row(j).squaredNorm();
            return loss / m + decay;
        };
        const auto central = [&](double& coordinate) {
            const double h = 1e-5, saved_value = coordinate;
            coordinate = saved_value + h;
            const double up = objective(w);
            coordinate = saved_value - h;
            const double down = objective(w);
            coordinate = saved_value;
            return (up - down) / (2 * h);
        };

        fm::detail::MiniBatch<double> minibatch(d, k);
        fm::detail::Gradient<double> g;
        const fm::detail::SparseRows<double> rows(X);
        minibatch.gradient(w, rows, y, batch.data(), Index(batch.size()), settings, 1, g);
        INFO((classifier ? "logistic" : "squared") << " loss");
        REQUIRE(std::set<Index>(g.features.begin(), g.features.end()) == touched);
        REQUIRE(g.features.size() == touched.size());
        CHECK(g.bias == Approx(central(w.bias)).epsilon(1e-7).margin(1e-9));
        for (std::size_t t = 0; t < g.features.size(); ++t) {
            const Index j = g.features[t];
            const double* grad = g.of(t, k);
            INFO("feature " << j);
            CHECK(grad[0] == Approx(central(w.linear[j])).epsilon(1e-7).margin(1e-9));
            for (Index f = 0; f < k; ++f) CHECK(grad[1 + f] == Approx(central(w.factors(j, f))).epsilon(1e-7).margin(1e-9));
        }

        // The dense form of the same rows gives the same gradient, bit for bit.
        const RowMatrix<double>& dense_ref = dense;
        const shelf::MatrixView<double> view(dense_ref);
        fm::detail::Gradient<double> from_dense;
        minibatch.gradient(w, fm::detail::DenseRows<double>(view), y, batch.data(), Index(batch.size()), settings, 1,
                           from_dense);
        CHECK(from_dense.values == g.values);
        CHECK(from_dense.bias == g.bias);

        // rescale_grad multiplies, then clip_gradient clips, the loss part; the decay is added after.
        {
            fm::detail::GradientSettings scaled = settings;
            scaled.rescale = 2.5;
            fm::detail::Gradient<double> g2;
            minibatch.gradient(w, rows, y, batch.data(), Index(batch.size()), scaled, 1, g2);
            CHECK(g2.bias - settings.bias_wd * w.bias == Approx(2.5 * (g.bias - settings.bias_wd * w.bias)));
            fm::detail::GradientSettings clipped = settings;
            clipped.clip = 0.01;
            fm::detail::Gradient<double> g3;
            minibatch.gradient(w, rows, y, batch.data(), Index(batch.size()), clipped, 1, g3);
            REQUIRE(g3.features == g.features);
            for (std::size_t t = 0; t < g.features.size(); ++t) {
                const Index j = g.features[t];
                const double loss_part = g.of(t, k)[0] - settings.linear_wd * w.linear[j];
                CHECK(g3.of(t, k)[0] - settings.linear_wd * w.linear[j] ==
                      Approx(std::clamp(loss_part, -0.01, 0.01)).margin(1e-15));
                for (Index f = 0; f < k; ++f) {
                    const double decay = settings.factors_wd * w.factors(j, f);
                    CHECK(g3.of(t, k)[1 + f] - decay == Approx(std::clamp(g.of(t, k)[1 + f] - decay, -0.01, 0.01)).margin(1e-15));
                }
            }
        }
    }
}

TEMPLATE_TEST_CASE("SGD and AdaGrad recover a known factorization machine", "[fm]", float, double) {
    using T = TestType;
    shelf::Rng rng(42);
    const Generator truth(rng);
    const double noise = 0.5;
    const Synthetic train = truth.draw(rng, 5000, noise), test = truth.draw(rng, 2000, noise);
    const SparseMatrix<T> X = train.X.cast<T>(), X_test = test.X.cast<T>();
    const Vector<T> y = train.y.cast<T>();
    // 5000 rows and p = 1 + 47 linear + 4·50 − 6 (a rotation of the factors changes nothing) = 242
    // free parameters: least squares is off the true function by σ·√(p/n) = 0.22σ in RMS.
    // Observed: SGD 0.210σ, AdaGrad 0.211σ (float and double alike). The bound allows 1.5 times
    // the theory's figure; a constant predictor is off by the truth's own spread, 2.2σ, and the
    // platform's defaults (one epoch at small rates) by 2.4σ.
    const double bound = 1.5 * noise * std::sqrt(242.0 / 5000.0);
    fm::Params p = params_of(fm::PredictorType::regressor, 4);
    p.mini_batch_size = 10;
    p.epochs = 20;
    p.factors_init_sigma = 0.1;
    p.seed = 5;

    SECTION("SGD with tuned rates") {
        p.bias_lr = p.linear_lr = p.factors_lr = 0.05;
        p.bias_wd = p.linear_wd = p.factors_wd = 0.001;
        const auto model = fm::fit(X, y, p);
        const double error = rmse(model.score(X_test), test.truth);
        INFO("SGD: RMSE against the true function " << error << " = " << error / noise << " sigma");
        CHECK(error < bound);
        CHECK(model.report().epochs_run == 20);
        CHECK(model.report().best_epoch == 20);
        // The training loss, ½ the mean squared error, ends near ½σ².
        CHECK(model.report().training_loss.back() == Approx(0.5 * noise * noise).epsilon(0.1));
        // Dense rows give the same model as CSR rows, bit for bit.
        const RowMatrix<T> dense(X);
        CHECK(fm::fit(dense, y, p) == model);
    }
    SECTION("AdaGrad, one rate for every group") {
        p.solver = fm::Solver::adagrad;
        p.bias_lr = p.linear_lr = p.factors_lr = 0.1;
        const auto model = fm::fit(X, y, p);
        const double error = rmse(model.score(X_test), test.truth);
        INFO("AdaGrad: RMSE against the true function " << error << " = " << error / noise << " sigma");
        CHECK(error < bound);
    }
    SECTION("the platform's defaults, one epoch, learn little (why the rates are hyperparameters)") {
        const auto model = fm::fit(X, y, params_of(fm::PredictorType::regressor, 4));
        CHECK(rmse(model.score(X_test), test.truth) > 4 * bound);
    }
}

TEMPLATE_TEST_CASE("a binary classifier on separable-ish data reaches high accuracy", "[fm]", float, double) {
    using T = TestType;
    shelf::Rng rng(8);
    const Generator truth(rng);
    const Synthetic train = truth.draw(rng, 5000, 0.1), test = truth.draw(rng, 2000, 0.1);
    const double middle = train.truth.mean();
    const auto labels = [&](const Synthetic& s) { return Vector<T>((s.y.array() > middle).template cast<T>()); };
    fm::Params p = params_of(fm::PredictorType::binary_classifier, 4);
    p.solver = fm::Solver::adagrad;
    p.bias_lr = p.linear_lr = p.factors_lr = 0.1;
    p.mini_batch_size = 10;
    p.epochs = 20;
    p.factors_init_sigma = 0.1;
    const SparseMatrix<T> X_test = test.X.cast<T>();
    const Vector<T> y_test = labels(test);
    const auto model = fm::fit(SparseMatrix<T>(train.X.cast<T>()), labels(train), p, {X_test, y_test});
    const auto metrics = fm::evaluate(model, X_test, y_test);
    REQUIRE(metrics.size() == 3);
    CHECK(metrics[0].first == "binary_classification_accuracy");
    CHECK(metrics[1].first == "binary_classification_cross_entropy");
    CHECK(metrics[2].first == "binary_f_beta");
    INFO("accuracy " << metrics[0].second << ", cross-entropy " << metrics[1].second << ", F1 " << metrics[2].second);
    // The labels' noise (0.1 against the truth's spread of about 1) flips about 5% of them near
    // the boundary; the rest is what the model must get right.
    CHECK(metrics[0].second > 0.9);
    CHECK(metrics[2].second > 0.9);
    CHECK(metrics[1].second < 0.25);
    CHECK(metrics[1].second == model.report().validation_metric[std::size_t(model.report().best_epoch - 1)]);
}

TEMPLATE_TEST_CASE("early stopping keeps the best epoch's parameters", "[fm]", float, double) {
    using T = TestType;
    shelf::Rng rng(21);
    const Generator truth(rng);
    // Few rows and no decay: the model overfits after a few epochs.
    const Synthetic train = truth.draw(rng, 400, 0.5), valid = truth.draw(rng, 400, 0.5);
    fm::Params p = params_of(fm::PredictorType::regressor, 4);
    p.solver = fm::Solver::adagrad;
    p.bias_lr = p.linear_lr = p.factors_lr = 0.3;
    p.bias_wd = p.linear_wd = p.factors_wd = 0;
    p.mini_batch_size = 10;
    p.epochs = 200;
    p.factors_init_sigma = 0.1;
    p.early_stopping_patience = 4;
    const SparseMatrix<T> X = train.X.cast<T>(), X_valid = valid.X.cast<T>();
    const Vector<T> y = train.y.cast<T>(), y_valid = valid.y.cast<T>();
    std::vector<double> heard;
    const auto model = fm::fit(X, y, p, {X_valid, y_valid}, [&](const shelf::Progress& progress) {
        CHECK(progress.stage == "epoch");
        CHECK(progress.total == 200);
        CHECK(progress.metric_name == "validation:rmse");
        heard.push_back(progress.metric);
        return true;
    });
    const fm::FitReport& report = model.report();
    REQUIRE(report.stopped_early);
    REQUIRE_FALSE(report.stopped);
    REQUIRE(report.epochs_run < 200);
    REQUIRE(report.validation_metric.size() == std::size_t(report.epochs_run));
    REQUIRE(report.training_loss.size() == std::size_t(report.epochs_run));
    REQUIRE(heard == report.validation_metric);
    REQUIRE(report.epochs_run - report.best_epoch >= p.early_stopping_patience);
    const double best = *std::min_element(report.validation_metric.begin(), report.validation_metric.end());
    CHECK(report.validation_metric[std::size_t(report.best_epoch - 1)] == best);
    CHECK(fm::evaluate(model, X_valid, y_valid)[0].second == best);
    CHECK(report.validation_metric.back() > best);

    SECTION("a dense validation channel scores the same") {
        const RowMatrix<T> dense_valid(X_valid);
        CHECK(fm::fit(X, y, p, {dense_valid, y_valid}) == model);
    }
    SECTION("the progress callback stops training") {
        int calls = 0;
        const auto stopped = fm::fit(X, y, p, {X_valid, y_valid}, [&](const shelf::Progress&) { return ++calls < 2; });
        CHECK(calls == 2);
        CHECK(stopped.report().stopped);
        CHECK_FALSE(stopped.report().stopped_early);
        CHECK(stopped.report().epochs_run == 2);
    }
}

TEMPLATE_TEST_CASE("initial values follow each group's init method", "[fm]", float, double) {
    using T = TestType;
    shelf::Rng rng(4);
    const SparseMatrix<T> X = random_sparse<T>(rng, 50, 200, 0.05);
    const Vector<T> y = Vector<T>::Zero(50);
    fm::Params p = params_of(fm::PredictorType::regressor, 10);
    p.bias_lr = p.linear_lr = p.factors_lr = 0;  // nothing moves: the model holds its initial values
    p.bias_init_method = fm::InitMethod::constant;
    p.bias_init_value = 0.25;
    p.linear_init_method = fm::InitMethod::uniform;
    p.linear_init_scale = 0.5;
    p.factors_init_sigma = 0.2;
    const auto model = fm::fit(X, y, p);
    CHECK(model.bias() == T(0.25));
    const auto& w = model.linear_weights();
    CHECK(w.cwiseAbs().maxCoeff() <= T(0.5));
    CHECK(double(w.mean()) == Approx(0).margin(3 * 0.5 / std::sqrt(3.0 * 200)));
    const auto& V = model.latent_vectors();
    const double sd = std::sqrt(V.template cast<double>().squaredNorm() / 2000.0);
    CHECK(sd == Approx(0.2).epsilon(0.05));  // 2000 draws: the sample's sd is within 1.6% at one sigma

    p.linear_init_method = fm::InitMethod::constant;
    p.linear_init_value = -1;
    p.factors_init_method = fm::InitMethod::uniform;
    p.factors_init_scale = 0.1;
    const auto other = fm::fit(X, y, p);
    CHECK((other.linear_weights().array() == T(-1)).all());
    CHECK(other.latent_vectors().cwiseAbs().maxCoeff() <= T(0.1));
    CHECK(double(other.latent_vectors().template cast<double>().cwiseAbs().mean()) == Approx(0.05).epsilon(0.05));
}

TEMPLATE_TEST_CASE("a model saves, loads and compares by content; a seed gives one model", "[fm]", float, double) {
    using T = TestType;
    shelf::Rng rng(9);
    const Generator truth(rng);
    const Synthetic train = truth.draw(rng, 1000, 0.5);
    const SparseMatrix<T> X = train.X.cast<T>();
    const Vector<T> y = train.y.cast<T>();
    fm::Params p = params_of(fm::PredictorType::regressor, 4);
    p.epochs = 3;
    p.mini_batch_size = 50;
    p.factors_lr = 0.05;
    p.seed = 12;
    const auto model = fm::fit(X, y, p, {X, y});

    const std::string bytes = saved(model);
    const auto back = loaded<T>(bytes);
    REQUIRE(back == model);
    REQUIRE(saved(back) == bytes);
    REQUIRE(back.latent_vectors() == model.latent_vectors());
    REQUIRE(back.linear_weights() == model.linear_weights());
    REQUIRE(back.bias() == model.bias());
    REQUIRE(back.report().validation_metric == model.report().validation_metric);
    REQUIRE(back.params().feature_dim == std::int64_t(50));
    REQUIRE(back.score(X) == model.score(X));

    // The exported factors make the same model again.
    const fm::Model<T> rebuilt(model.params(), model.bias(), model.linear_weights(), model.latent_vectors(),
                               model.report());
    REQUIRE(rebuilt == model);

    REQUIRE(fm::fit(X, y, p, {X, y}) == model);
    fm::Params other_seed = p;
    other_seed.seed = 13;
    REQUIRE(fm::fit(X, y, other_seed, {X, y}) != model);
}

TEMPLATE_TEST_CASE("a model does not depend on the thread count", "[fm]", float, double) {
    using T = TestType;
    // Large enough that mini-batches and predictions run on several threads (team_size asks
    // for 8 million multiply-adds per thread): 10,000 rows × 16 features × 64 factors.
    shelf::Rng rng(2);
    const Index n = 20000, d = 16;
    RowMatrix<T> X(n, d);
    Vector<T> y(n);
    for (Index i = 0; i < n; ++i) {
        for (Index j = 0; j < d; ++j) X(i, j) = static_cast<T>(rng.normal());
        y[i] = static_cast<T>(X(i, 0) * X(i, 1) + 0.1 * rng.normal());
    }
    fm::Params p = params_of(fm::PredictorType::regressor, 64);
    p.mini_batch_size = 10000;
    p.epochs = 2;
    p.factors_lr = 0.01;
    p.num_threads = 1;
    const auto serial = fm::fit(X, y, p, {X.topRows(3000), y.head(3000)});
    for (int threads : {2, 3}) {
        INFO(threads << " threads");
        p.num_threads = threads;
        const auto threaded = fm::fit(X, y, p, {X.topRows(3000), y.head(3000)});
        REQUIRE(threaded.latent_vectors() == serial.latent_vectors());
        REQUIRE(threaded.linear_weights() == serial.linear_weights());
        REQUIRE(threaded.bias() == serial.bias());
        REQUIRE(threaded.report().validation_metric == serial.report().validation_metric);
        REQUIRE(threaded.score(X) == serial.score(X));
    }
}

TEMPLATE_TEST_CASE("bad input is refused, naming what is wrong", "[fm]", float, double) {
    using T = TestType;
    shelf::Rng rng(6);
    const SparseMatrix<T> X = random_sparse<T>(rng, 40, 10, 0.4);
    const RowMatrix<T> dense(X);
    Vector<T> y(40);
    for (Index i = 0; i < 40; ++i) y[i] = T(i % 2);
    const fm::Params p = params_of(fm::PredictorType::binary_classifier, 3);
    const auto model = fm::fit(X, y, p);

    SECTION("a feature index at or past feature_dim, at predict") {
        SparseMatrix<T> wider(40, 12);
        std::vector<Triplet<T>> entries{{0, 1, T(1)}, {3, 4, T(2)}, {5, 11, T(1)}};
        wider.setFromTriplets(entries.begin(), entries.end());
        REQUIRE_THROWS_WITH(model.score(wider), Catch::Contains("shelf.data_error.202") &&
                                                    Catch::Contains("X(5, 11) is feature 11") &&
                                                    Catch::Contains("feature_dim = 10"));
        // More columns but no entry past feature_dim: fine; fewer columns too.
        entries.pop_back();
        wider.setFromTriplets(entries.begin(), entries.end());
        const SparseMatrix<T> narrower = X.leftCols(6);
        CHECK(model.score(wider).size() == 40);
        CHECK(model.score(narrower).size() == 40);
        SparseMatrix<T> eleven(40, 11);
        const std::vector<Triplet<T>> past{{2, 10, T(1)}};
        eleven.setFromTriplets(past.begin(), past.end());
        CHECK_THROWS_WITH(fm::evaluate(model, eleven, y), Catch::Contains("X(2, 10) is feature 10"));
    }
    SECTION("a wrong column count of dense rows, at predict and at fit") {
        const RowMatrix<T> wide = RowMatrix<T>::Zero(3, 11);
        REQUIRE_THROWS_WITH(model.predict(wide), Catch::Contains("shelf.data_error.202") &&
                                                     Catch::Contains("has 11 columns, the model expects 10") &&
                                                     Catch::Contains("label column"));
        fm::Params given = p;
        given.feature_dim = 12;
        REQUIRE_THROWS_WITH(fm::fit(dense, y, given), Catch::Contains("shelf.data_error.202") &&
                                                          Catch::Contains("10 feature columns but feature_dim = 12"));
        given.feature_dim = 8;
        REQUIRE_THROWS_WITH(fm::fit(X, y, given), Catch::Contains("shelf.data_error.202") &&
                                                      Catch::Contains("feature_dim = 8"));
        given.feature_dim = 14;  // CSR rows may have fewer columns than feature_dim
        CHECK(fm::fit(X, y, given).feature_dim() == 14);
    }
    SECTION("labels other than 0 and 1 for a classifier; non-finite labels") {
        Vector<T> bad = y;
        bad[7] = T(2);
        REQUIRE_THROWS_WITH(fm::fit(X, bad, p), Catch::Contains("shelf.data_error.204") &&
                                                    Catch::Contains("the label in row 7 is 2") &&
                                                    Catch::Contains("expects labels 0 and 1"));
        bad[7] = T(-1);
        REQUIRE_THROWS_WITH(fm::fit(X, bad, p), Catch::Contains("the label in row 7 is -1"));
        REQUIRE_THROWS_WITH(fm::evaluate(model, X, bad), Catch::Contains("the label in row 7 is -1"));
        bad[7] = std::numeric_limits<T>::quiet_NaN();
        REQUIRE_THROWS_WITH(fm::fit(X, bad, params_of(fm::PredictorType::regressor, 2)),
                            Catch::Contains("shelf.data_error.203") && Catch::Contains("the label in row 7 is NaN"));
        REQUIRE_THROWS_WITH(fm::fit(X, Vector<T>(y.head(39)), p),
                            Catch::Contains("shelf.data_error.202") && Catch::Contains("40 rows but 39 labels"));
    }
    SECTION("NaN and infinity in the rows, named by row and column") {
        SparseMatrix<T> bad = X;
        bad.coeffRef(9, 4) = std::numeric_limits<T>::quiet_NaN();
        REQUIRE_THROWS_WITH(fm::fit(bad, y, p), Catch::Contains("shelf.data_error.203") && Catch::Contains("X(9, 4) is nan"));
        REQUIRE_THROWS_WITH(model.score(bad), Catch::Contains("X(9, 4) is nan"));
        RowMatrix<T> bad_dense = dense;
        bad_dense(2, 6) = std::numeric_limits<T>::infinity();
        REQUIRE_THROWS_WITH(fm::fit(bad_dense, y, p), Catch::Contains("X(2, 6) is inf"));
        REQUIRE_THROWS_WITH(model.predict(bad_dense), Catch::Contains("X(2, 6) is inf"));
    }
    SECTION("empty data") {
        REQUIRE_THROWS_WITH(fm::fit(RowMatrix<T>(0, 10), Vector<T>(0), p), Catch::Contains("shelf.data_error.201"));
        REQUIRE_THROWS_WITH(fm::evaluate(model, RowMatrix<T>(0, 10), Vector<T>(0)), Catch::Contains("shelf.data_error.201"));
    }
    SECTION("the validation channel: weights, shape, labels, values") {
        const Vector<T> weight = Vector<T>::Ones(40);
        REQUIRE_THROWS_WITH(fm::fit(X, y, p, {X, y, weight}),
                            Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("weights"));
        REQUIRE_THROWS_WITH(fm::fit(X, y, p, {RowMatrix<T>(dense.leftCols(9)), y}),
                            Catch::Contains("(validation data): X has 9 columns, the model expects 10"));
        Vector<T> bad = y;
        bad[3] = T(0.5);
        REQUIRE_THROWS_WITH(fm::fit(X, y, p, {X, bad}),
                            Catch::Contains("(validation data): the label in row 3 is 0.5"));
        REQUIRE_THROWS_WITH(fm::fit(X, y, p, {X, Vector<T>(y.head(5))}), Catch::Contains("40 rows but 5 labels"));
        RowMatrix<T> nan = dense;
        nan(1, 1) = std::numeric_limits<T>::quiet_NaN();
        REQUIRE_THROWS_WITH(fm::fit(X, y, p, {nan, y}), Catch::Contains("(validation data): X(1, 1) is nan"));
    }
    SECTION("training that diverges says which rates to lower") {
        fm::Params hot = params_of(fm::PredictorType::regressor, 3);
        hot.linear_lr = hot.factors_lr = 1e6;
        hot.mini_batch_size = 4;
        REQUIRE_THROWS_WITH(fm::fit(X, Vector<T>(Vector<T>::Constant(40, T(100))), hot),
                            Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("diverged in epoch 1") &&
                                Catch::Contains("lower the learning rates"));
    }
    SECTION("a model built from parameters of the wrong shape") {
        REQUIRE_THROWS_WITH(fm::Model<T>(params_of(fm::PredictorType::regressor, 3), T(0), Vector<T>::Zero(10),
                                         RowMatrix<T>::Zero(10, 4)),
                            Catch::Contains("shelf.invalid_argument.105") && Catch::Contains("num_factors = 3"));
        fm::Params given = params_of(fm::PredictorType::regressor, 3);
        given.feature_dim = 11;
        REQUIRE_THROWS_WITH(fm::Model<T>(given, T(0), Vector<T>::Zero(10), RowMatrix<T>::Zero(10, 3)),
                            Catch::Contains("feature_dim = 11"));
    }
    SECTION("a model file whose factors disagree with its hyperparameters") {
        shelf::ModelWriter writer(fm::Params::family, shelf::scalar_type_of<T>());
        fm::Params stored = model.params();
        stored.num_factors = 5;
        writer.params(shelf::to_map(stored));
        writer.scalar("bias", model.bias());
        writer.matrix("linear", model.linear_weights());
        writer.matrix("factors", model.latent_vectors());
        writer.matrix("samples.bias", Vector<T>());
        writer.matrix("samples.linear", RowMatrix<T>());
        writer.matrix("samples.factors", RowMatrix<T>());
        writer.scalar("report.epochs_run", 1);
        writer.scalar("report.best_epoch", 1);
        writer.scalar("report.stopped", std::uint8_t{0});
        writer.scalar("report.stopped_early", std::uint8_t{0});
        writer.array("report.training_loss", model.report().training_loss);
        writer.array("report.validation_metric", std::vector<double>());
        std::ostringstream out;
        writer.write(out);
        REQUIRE_THROWS_WITH(loaded<T>(out.str()), Catch::Contains("shelf.model_error.307") &&
                                                      Catch::Contains("latent vectors (10 x 3)") &&
                                                      Catch::Contains("num_factors = 5"));
    }
}

TEST_CASE("bad hyperparameters are refused by name", "[fm]") {
    using Map = std::map<std::string, std::string>;
    const Map good{{"predictor_type", "regressor"}, {"num_factors", "4"}};
    const auto with = [&](const std::string& key, const std::string& value) {
        Map m = good;
        m[key] = value;
        return m;
    };
    const auto parsed = shelf::from_map<fm::Params>(good);
    CHECK(parsed.epochs == 1);
    CHECK(parsed.mini_batch_size == 1000);
    CHECK(parsed.bias_lr == 0.1);
    CHECK(parsed.factors_init_sigma == 0.001);
    CHECK(parsed.solver == fm::Solver::sgd);
    CHECK_FALSE(parsed.clip_gradient);
    CHECK(shelf::from_map<fm::Params>(with("solver", "adagrad")).solver == fm::Solver::adagrad);

    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(Map{{"num_factors", "4"}}),
                      Catch::Contains("shelf.invalid_argument.104") && Catch::Contains("predictor_type is required"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(Map{{"predictor_type", "regressor"}}),
                      Catch::Contains("num_factors is required"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("num_factors", "0")),
                      Catch::Contains("shelf.invalid_argument.101") && Catch::Contains("num_factors = 0"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("predictor_type", "multiclass_classifier")),
                      Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("binary_classifier, regressor"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("solver", "newton")),
                      Catch::Contains("shelf.invalid_argument.103") && Catch::Contains("one of sgd, adagrad, als, mcmc"));
    CHECK(shelf::from_map<fm::Params>(with("group_sizes", "943,1682")).group_sizes == std::vector<std::int64_t>{943, 1682});
    CHECK(parsed.burn_in == 5);
    CHECK(parsed.group_sizes.empty());
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("factors_lr", "-0.1")), Catch::Contains("factors_lr = -0.1"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("clip_gradient", "0")), Catch::Contains("clip_gradient = 0"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("eps", "0")), Catch::Contains("eps = 0"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("mini_batch_size", "0")), Catch::Contains("mini_batch_size = 0"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("factors_init_method", "uniform")),
                      Catch::Contains("shelf.invalid_argument.104") &&
                          Catch::Contains("factors_init_method = uniform needs factors_init_scale"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("bias_init_method", "constant")),
                      Catch::Contains("bias_init_method = constant needs bias_init_value"));
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(with("factor_lr", "0.1")),
                      Catch::Contains("shelf.invalid_argument.102") && Catch::Contains("did you mean 'factors_lr'"));
    // What fit() is handed directly is validated too.
    fm::Params p;
    p.predictor_type = fm::PredictorType::regressor;
    p.num_factors = 2;
    p.epochs = 0;
    CHECK_THROWS_WITH(fm::fit(RowMatrix<double>::Ones(4, 2), Vector<double>::Ones(4), p), Catch::Contains("epochs = 0"));
}

// ---- ALS and MCMC --------------------------------------------------------------------------

TEST_CASE("ALS with the factors held at zero is ridge regression, solved in closed form", "[fm][als]") {
    // Latent vectors that start at 0 stay there (their h is 0), so the objective is
    // ½‖y − w0 − Xw‖² + ½ bias_wd w0² + ½ linear_wd ‖w‖², whose minimiser solves
    // (AᵀA + Λ) θ = Aᵀy with A = [1 X], Λ = diag(bias_wd, linear_wd, ...).
    shelf::Rng rng(31);
    const Index n = 200, d = 12;
    const SparseMatrix<double> X = random_sparse<double>(rng, n, d, 0.5);
    Vector<double> y(n);
    for (Index i = 0; i < n; ++i) y[i] = 1.5 + X.row(i).sum() * 0.3 + rng.normal();
    fm::Params p = params_of(fm::PredictorType::regressor, 3);
    p.solver = fm::Solver::als;
    p.factors_init_method = fm::InitMethod::constant;
    p.factors_init_value = 0;
    p.bias_wd = 0.5;
    p.linear_wd = 4;
    p.epochs = 400;
    const auto model = fm::fit(X, y, p);

    Eigen::MatrixXd A(n, d + 1);
    A.col(0).setOnes();
    A.rightCols(d) = Eigen::MatrixXd(X);
    Eigen::MatrixXd system = A.transpose() * A;
    system.diagonal() += Eigen::VectorXd::Constant(d + 1, p.linear_wd);
    system(0, 0) += p.bias_wd - p.linear_wd;
    const Eigen::VectorXd theta = system.ldlt().solve(A.transpose() * y);
    CHECK(std::abs(model.bias() - theta[0]) < 1e-8);
    CHECK((model.linear_weights() - theta.tail(d)).cwiseAbs().maxCoeff() < 1e-8);
    CHECK(model.latent_vectors().isZero(0));
    CHECK(model.samples().count() == 0);
    // The training loss is ½ the mean squared residual of the solution.
    CHECK(model.report().training_loss.back() == Approx((A * theta - y).squaredNorm() / (2.0 * n)).epsilon(1e-10));
}

TEST_CASE("MCMC's draw of w0 follows its Normal conditional", "[fm][mcmc]") {
    // With every other parameter held, w0 | rest ~ Normal((λμ + α Σ_i (y_i − r_i)) / P, 1/P),
    // P = λ + α n, r_i = ŷ_i − w0. Each draw removes the old w0 first, so the draws are
    // independent: their mean and variance must match within 5 standard errors.
    shelf::Rng rng(12);
    const Index n = 40, d = 8;
    const int k = 2;
    const SparseMatrix<double> X = random_sparse<double>(rng, n, d, 0.4);
    const auto model = random_model<double>(rng, fm::PredictorType::regressor, d, k);
    Vector<double> y(n);
    for (Index i = 0; i < n; ++i) y[i] = rng.normal(0, 2);
    const fm::Model<double> no_bias(model.params(), 0.0, model.linear_weights(), model.latent_vectors());
    const Vector<double> rest = no_bias.raw_score(X);

    for (const auto& [prior_mean, prior_precision] : {std::pair{0.0, 0.0}, std::pair{1.0, 30.0}}) {
        fm::detail::Weights<double> w{3.0, model.linear_weights(), model.latent_vectors()};
        fm::detail::Coordinates<double> state(w, fm::detail::SparseRows<double>(X), y, std::vector<Index>(d, 0));
        fm::detail::Priors priors;
        priors.alpha = 4;
        priors.bias_mean = prior_mean;
        priors.bias_precision = prior_precision;
        const double P = prior_precision + priors.alpha * double(n);
        const double mean = (prior_precision * prior_mean + priors.alpha * (y - rest).sum()) / P, variance = 1 / P;
        shelf::Rng draws_rng(5);
        const int draws = 20000;
        double sum = 0, squares = 0;
        for (int t = 0; t < draws; ++t) {
            state.update_bias(priors, fm::detail::Draw{draws_rng});
            const double b = state.weights().bias;
            sum += b;
            squares += b * b;
        }
        const double sample_mean = sum / draws, sample_variance = (squares - draws * sample_mean * sample_mean) / (draws - 1);
        INFO("prior " << prior_mean << ", precision " << prior_precision << ": mean " << sample_mean << " against "
                      << mean << ", variance " << sample_variance << " against " << variance);
        CHECK(std::abs(sample_mean - mean) < 5 * std::sqrt(variance / draws));
        CHECK(std::abs(sample_variance - variance) < 5 * variance * std::sqrt(2.0 / (draws - 1)));
        // The cached residuals moved with w0: they are the model's, recomputed.
        const fm::Model<double> now(model.params(), state.weights().bias, model.linear_weights(), model.latent_vectors());
        CHECK(state.squared_error() == Approx((now.raw_score(X) - y).squaredNorm()).epsilon(1e-12));
    }
}

TEMPLATE_TEST_CASE("MCMC recovers a known factorization machine", "[fm][mcmc]", float, double) {
    using T = TestType;
    shelf::Rng rng(42);
    const Generator truth(rng);
    const double noise = 0.5;
    const Synthetic train = truth.draw(rng, 5000, noise), test = truth.draw(rng, 2000, noise);
    const SparseMatrix<T> X = train.X.cast<T>(), X_test = test.X.cast<T>();
    const Vector<T> y = train.y.cast<T>();
    // The bound of the SGD test: 1.5 × least squares' σ·√(p/n). Observed (float and double):
    // MCMC 0.206σ, ALS 0.208σ.
    const double bound = 1.5 * noise * std::sqrt(242.0 / 5000.0);
    fm::Params p = params_of(fm::PredictorType::regressor, 4);
    p.solver = fm::Solver::mcmc;
    p.epochs = 100;
    p.burn_in = 20;
    p.factors_init_sigma = 0.1;
    p.group_sizes = {20, 20};  // users, items; the contexts are the rest
    const auto model = fm::fit(X, y, p, {X_test, Vector<T>(test.y.cast<T>())});
    const double error = rmse(model.score(X_test), test.truth);
    INFO("MCMC: RMSE against the true function " << error << " = " << error / noise << " sigma");
    CHECK(error < bound);
    CHECK(model.samples().count() == 80);
    CHECK(model.report().epochs_run == 100);
    // The last iteration's validation rmse is that of the model's prediction (the average of the
    // 80 samples' predictions), to rounding.
    CHECK(model.report().validation_metric.back() ==
          Approx(rmse(model.score(X_test), test.y)).epsilon(std::is_same_v<T, float> ? 1e-5 : 1e-12));
    // The noise: ½ the mean squared training residual is near ½σ².
    CHECK(model.report().training_loss.back() == Approx(0.5 * noise * noise).epsilon(0.15));
    // The average of the samples' predictions, one by one, is the model's.
    const Index d = model.feature_dim(), k = model.num_factors();
    Vector<double> average = Vector<double>::Zero(X_test.rows());
    const auto& samples = model.samples();
    for (Index s = 0; s < samples.count(); ++s) {
        const fm::Model<T> one(model.params(), samples.bias[s], Vector<T>(samples.linear.row(s).transpose()),
                               RowMatrix<T>(samples.factors.middleCols(s * k, k)));
        average += one.raw_score(X_test).template cast<double>();
    }
    average /= double(samples.count());
    CHECK((model.raw_score(X_test).template cast<double>() - average).cwiseAbs().maxCoeff() <
          (std::is_same_v<T, float> ? 1e-4 : 1e-11));
    CHECK(d == 50);

    SECTION("ALS, with decays for the summed loss, recovers it too") {
        fm::Params als = p;
        als.solver = fm::Solver::als;
        als.epochs = 30;
        als.bias_wd = 0;
        als.linear_wd = als.factors_wd = 5;
        const auto fitted = fm::fit(X, y, als);
        const double als_error = rmse(fitted.score(X_test), test.truth);
        INFO("ALS: RMSE against the true function " << als_error << " = " << als_error / noise << " sigma");
        CHECK(als_error < bound);
    }
}

TEMPLATE_TEST_CASE("an MCMC model is one per seed, on any thread count, and saves and loads", "[fm][mcmc]", float,
                   double) {
    using T = TestType;
    shelf::Rng rng(9);
    const Generator truth(rng);
    const Synthetic train = truth.draw(rng, 1000, 0.5);
    const SparseMatrix<T> X = train.X.cast<T>();
    const Vector<T> y = train.y.cast<T>();
    fm::Params p = params_of(fm::PredictorType::regressor, 3);
    p.solver = fm::Solver::mcmc;
    p.epochs = 12;
    p.burn_in = 4;
    p.seed = 3;
    p.num_threads = 1;
    const auto model = fm::fit(X, y, p);
    REQUIRE(model.samples().count() == 8);
    REQUIRE(model.samples().factors.rows() == 50);
    REQUIRE(model.samples().factors.cols() == 24);

    const std::string bytes = saved(model);
    const auto back = loaded<T>(bytes);
    REQUIRE(back == model);
    REQUIRE(saved(back) == bytes);
    REQUIRE(back.score(X) == model.score(X));
    REQUIRE(back.samples().factors == model.samples().factors);

    p.num_threads = 3;  // a hyperparameter the model stores: compare what it learned
    const auto threaded = fm::fit(X, y, p);
    REQUIRE(threaded.samples().bias == model.samples().bias);
    REQUIRE(threaded.samples().linear == model.samples().linear);
    REQUIRE(threaded.samples().factors == model.samples().factors);
    REQUIRE(threaded.report().training_loss == model.report().training_loss);
    REQUIRE(threaded.score(X) == model.score(X));
    p.num_threads = 1;
    REQUIRE(fm::fit(X, y, p) == model);
    REQUIRE(fm::fit(RowMatrix<T>(X), y, p) == model);  // dense rows: the same entries, the same draws
    fm::Params other = p;
    other.seed = 4;
    REQUIRE(fm::fit(X, y, other) != model);
    // The last state is the last sample, for export.
    REQUIRE(model.latent_vectors() == model.samples().factors.rightCols(3));
    REQUIRE(model.bias() == model.samples().bias[7]);

    SECTION("stopped during burn-in, the model is the last state alone") {
        const auto stopped = fm::fit(X, y, p, {}, [](const shelf::Progress& progress) { return progress.done < 3; });
        CHECK(stopped.report().stopped);
        CHECK(stopped.report().epochs_run == 3);
        CHECK(stopped.samples().count() == 0);
        CHECK(loaded<T>(saved(stopped)) == stopped);
        const fm::Model<T> plain(stopped.params(), stopped.bias(), stopped.linear_weights(), stopped.latent_vectors(),
                                 stopped.report());
        CHECK(plain.score(X) == stopped.score(X));
    }
    SECTION("a model file whose samples disagree with its hyperparameters") {
        shelf::ModelWriter writer(fm::Params::family, shelf::scalar_type_of<T>());
        writer.params(shelf::to_map(model.params()));
        writer.scalar("bias", model.bias());
        writer.matrix("linear", model.linear_weights());
        writer.matrix("factors", model.latent_vectors());
        writer.matrix("samples.bias", model.samples().bias);
        writer.matrix("samples.linear", model.samples().linear);
        writer.matrix("samples.factors", RowMatrix<T>(model.samples().factors.leftCols(21)));
        writer.scalar("report.epochs_run", model.report().epochs_run);
        writer.scalar("report.best_epoch", model.report().best_epoch);
        writer.scalar("report.stopped", std::uint8_t{0});
        writer.scalar("report.stopped_early", std::uint8_t{0});
        writer.array("report.training_loss", model.report().training_loss);
        writer.array("report.validation_metric", std::vector<double>());
        std::ostringstream out;
        writer.write(out);
        REQUIRE_THROWS_WITH(loaded<T>(out.str()), Catch::Contains("shelf.model_error.307") &&
                                                      Catch::Contains("samples (8 biases") &&
                                                      Catch::Contains("latent vectors 50 x 21"));
    }
}

TEST_CASE("ALS and MCMC refuse what they cannot fit, by name", "[fm][mcmc][als]") {
    shelf::Rng rng(6);
    const SparseMatrix<double> X = random_sparse<double>(rng, 40, 10, 0.4);
    Vector<double> y(40);
    for (Index i = 0; i < 40; ++i) y[i] = double(i % 2);
    fm::Params classifier = params_of(fm::PredictorType::binary_classifier, 2);
    classifier.solver = fm::Solver::als;
    REQUIRE_THROWS_WITH(fm::fit(X, y, classifier), Catch::Contains("shelf.invalid_argument.105") &&
                                                       Catch::Contains("solver = als fits a regressor only"));
    fm::Params p = params_of(fm::PredictorType::regressor, 2);
    p.solver = fm::Solver::mcmc;
    p.epochs = 5;
    REQUIRE_THROWS_WITH(fm::fit(X, y, p), Catch::Contains("shelf.invalid_argument.105") &&
                                              Catch::Contains("burn_in = 5, so epochs (= 5") &&
                                              Catch::Contains("must exceed it"));
    p.epochs = 10;
    p.group_sizes = {4, 0};
    REQUIRE_THROWS_WITH(fm::fit(X, y, p), Catch::Contains("shelf.invalid_argument.101") &&
                                              Catch::Contains("group_sizes = [4, 0] holds 0"));
    p.group_sizes = {4, 7};
    REQUIRE_THROWS_WITH(fm::fit(X, y, p), Catch::Contains("shelf.invalid_argument.105") &&
                                              Catch::Contains("group_sizes = [4, 7] sum past feature_dim = 10"));
    p.group_sizes = {4, 6};  // every feature in a group: fine
    CHECK(fm::fit(X, y, p).samples().count() == 5);
    CHECK_THROWS_WITH(shelf::from_map<fm::Params>(std::map<std::string, std::string>{
                          {"predictor_type", "binary_classifier"}, {"num_factors", "2"}, {"solver", "als"}}),
                      Catch::Contains("fits a regressor only"));
}

TEST_CASE("one_hot lays records out as one-hot rows with their groups", "[fm][one_hot]") {
    // 3 users, 4 items, a side field of 2 levels, implicit feedback: 3 + 4 + 2 + 4 = 13 features.
    const fm::OneHotLayout layout{3, 4, {2}, true};
    CHECK(layout.group_sizes() == std::vector<std::int64_t>{3, 4, 2, 4});
    CHECK(layout.feature_dim() == 13);
    const std::vector<Index> user{0, 2, 0, 0}, item{1, 3, 2, 1};
    RowMatrix<Index> side(4, 1);
    side << 1, 0, 0, 1;
    const auto rated = fm::rated_items(3, user, item);
    REQUIRE(rated == std::vector<std::vector<Index>>{{1, 2}, {}, {3}});  // sorted, distinct; user 1 none
    const SparseMatrix<double> X = fm::one_hot<double>(layout, user, item, side, rated);
    RowMatrix<double> want = RowMatrix<double>::Zero(4, 13);
    const double half = 1 / std::sqrt(2.0);
    want.row(0) << 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, half, half, 0;
    want.row(1) << 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1;
    want.row(2) << 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, half, half, 0;
    want.row(3) << 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, half, half, 0;
    CHECK(RowMatrix<double>(X) == want);
    CHECK(X.isCompressed());

    SECTION("without side fields or implicit feedback, users then items") {
        const SparseMatrix<float> plain = fm::one_hot<float>(fm::OneHotLayout{3, 4, {}, false}, user, item);
        CHECK(plain.cols() == 7);
        CHECK(plain.nonZeros() == 8);
        CHECK(plain.coeff(1, 2) == 1.0f);
        CHECK(plain.coeff(1, 3 + 3) == 1.0f);
    }
    SECTION("the groups feed MCMC's priors") {
        Vector<double> y(4);
        y << 1, 2, 3, 4;
        fm::Params p = params_of(fm::PredictorType::regressor, 2);
        p.solver = fm::Solver::mcmc;
        p.epochs = 8;
        p.group_sizes = layout.group_sizes();
        CHECK(fm::fit(X, y, p).samples().count() == 3);
    }
    SECTION("an index outside its block is named by record and field") {
        REQUIRE_THROWS_WITH(fm::one_hot<double>(layout, user, std::vector<Index>{1, 4, 2, 1}, side, rated),
                            Catch::Contains("shelf.data_error.202") && Catch::Contains("record 1 has item 4") &&
                                Catch::Contains("expected 0 .. 3"));
        RowMatrix<Index> bad = side;
        bad(3, 0) = 2;
        REQUIRE_THROWS_WITH(fm::one_hot<double>(layout, user, item, bad, rated),
                            Catch::Contains("record 3 has side level 2"));
        REQUIRE_THROWS_WITH(fm::rated_items(3, std::vector<Index>{0, 3}, std::vector<Index>{0, 0}),
                            Catch::Contains("record 1 has user 3; users are 0 .. 2"));
        REQUIRE_THROWS_WITH(fm::one_hot<double>(layout, user, item, side, {}),
                            Catch::Contains("implicit feedback needs the rated items of each of the 3 users"));
        REQUIRE_THROWS_WITH(fm::one_hot<double>(layout, user, item), Catch::Contains("side fields 0 x 0"));
    }
}

TEST_CASE("the probit classifier's latent targets follow the truncated Normal", "[fm][mcmc]") {
    // E[z | z > 0] = μ + φ(μ)/Φ(μ) and E[z | z < 0] = μ − φ(μ)/Φ(−μ) for z ~ Normal(μ, 1); the
    // draws' variance is below 1, so 5 standard errors are 5/√n.
    const auto phi = [](double x) { return std::exp(-x * x / 2) / std::sqrt(2 * M_PI); };
    const auto Phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
    shelf::Rng rng(77);
    const int n = 40000;
    for (const auto& [mean, positive] : {std::pair{1.0, true}, std::pair{-3.0, true}, std::pair{2.0, false},
                                         std::pair{-0.2, false}}) {
        const double want = positive ? mean + phi(mean) / Phi(mean) : mean - phi(mean) / Phi(-mean);
        double sum = 0;
        bool sided = true;
        for (int t = 0; t < n; ++t) {
            const double z = fm::detail::truncated_normal(mean, positive, rng);
            sided = sided && (positive ? z > 0 : z < 0);
            sum += z;
        }
        INFO("mean " << mean << (positive ? ", z > 0: " : ", z < 0: ") << sum / n << " against " << want);
        CHECK(sided);
        CHECK(std::abs(sum / n - want) < 5 / std::sqrt(double(n)));
    }
}

TEMPLATE_TEST_CASE("MCMC as a probit classifier reaches high accuracy", "[fm][mcmc]", float, double) {
    using T = TestType;
    shelf::Rng rng(8);
    const Generator truth(rng);
    const Synthetic train = truth.draw(rng, 5000, 0.1), test = truth.draw(rng, 2000, 0.1);
    const double middle = train.truth.mean();
    const auto labels = [&](const Synthetic& s) { return Vector<T>((s.y.array() > middle).template cast<T>()); };
    fm::Params p = params_of(fm::PredictorType::binary_classifier, 4);
    p.solver = fm::Solver::mcmc;
    p.epochs = 60;
    p.burn_in = 10;
    p.factors_init_sigma = 0.1;
    p.group_sizes = {20, 20};
    const SparseMatrix<T> X_test = test.X.cast<T>();
    const Vector<T> y_test = labels(test);
    const auto model = fm::fit(SparseMatrix<T>(train.X.cast<T>()), labels(train), p, {X_test, y_test});
    const auto metrics = fm::evaluate(model, X_test, y_test);
    INFO("accuracy " << metrics[0].second << ", cross-entropy " << metrics[1].second << ", F1 " << metrics[2].second);
    // The thresholds of the SGD classifier's test on the same data.
    CHECK(metrics[0].second > 0.9);
    CHECK(metrics[2].second > 0.9);
    CHECK(metrics[1].second < 0.25);
    // The last iteration's validation cross-entropy is the model's: the samples' mean of Φ(ŷ).
    CHECK(model.report().validation_metric.back() ==
          Approx(metrics[1].second).epsilon(std::is_same_v<T, float> ? 1e-5 : 1e-12));
    const Vector<T> score = model.score(X_test);
    CHECK((score.array() >= T(0)).all());
    CHECK((score.array() <= T(1)).all());
    CHECK(model.predict(X_test) == model.label_of(score));
    // A probability per sample, averaged: not Φ of the averaged ŷ, though close to it.
    const Vector<T> raw = model.raw_score(X_test);
    double gap = 0;
    for (Index i = 0; i < raw.size(); ++i)
        gap = std::max(gap, std::abs(double(score[i]) - 0.5 * std::erfc(-double(raw[i]) / std::sqrt(2.0))));
    CHECK(gap > 0);
    CHECK(gap < 0.2);
    const auto back = loaded<T>(saved(model));
    CHECK(back == model);
    CHECK(back.score(X_test) == score);
}
