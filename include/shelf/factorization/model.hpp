// shelf/factorization/model.hpp: a trained factorization machine — w0, w and V — with the
// platform's outputs score and predicted_label, and the learned factors for export.
#pragma once

#include <algorithm>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "params.hpp"
#include "predict.hpp"
#include "rows.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/simd/math.hpp"

namespace shelf::fm {

/// What training did.
struct FitReport {
    int epochs_run = 0;
    int best_epoch = 0;            ///< the epoch whose parameters the model holds (0: the initial ones)
    bool stopped = false;          ///< the progress callback asked to stop
    bool stopped_early = false;    ///< early stopping on the validation channel ended training
    std::vector<double> training_loss;      ///< per epoch: the mean loss of its mini-batches, each before its step
    std::vector<double> validation_metric;  ///< per epoch: rmse or cross-entropy; empty without validation
};

/// MCMC's kept samples, in sampling order: sample s is bias[s], linear.row(s) and columns
/// s·num_factors .. (s + 1)·num_factors of factors. A feature's latent vectors of every sample are
/// contiguous, so that prediction reads them in one run. Empty for the other solvers.
template <class T>
struct Samples {
    Vector<T> bias;
    RowMatrix<T> linear;   ///< samples × feature_dim
    RowMatrix<T> factors;  ///< feature_dim × (samples · num_factors)

    Index count() const noexcept { return bias.size(); }
};

/// A factorization machine. A value — copyable and compared by content; const methods are safe
/// to call from several threads.
template <class T>
class Model {
    static_assert(std::is_floating_point_v<T>, "shelf::fm::Model<T> needs float or double");

public:
    using Scalar = T;

    /// A model from its parameters: fit()'s, or factors learned elsewhere. `params` needs
    /// predictor_type and num_factors; feature_dim, when set, must be linear's size. With
    /// `samples` (MCMC's), predictions average theirs and bias, linear and factors are the last
    /// state, for export. Throws invalid_argument when a shape disagrees with them.
    Model(Params params, T bias, Vector<T> linear, RowMatrix<T> factors, FitReport report = {}, Samples<T> samples = {})
        : params_(std::move(params)), report_(std::move(report)), samples_(std::move(samples)) {
        params_.validate();
        if (!params_.feature_dim) params_.feature_dim = linear.size();
        weights_ = {bias, std::move(linear), std::move(factors)};
        if (const std::string problem = shape_problem(); !problem.empty())
            throw invalid_argument(errc::inconsistent, std::string(Params::family) + ": " + problem);
        average();
    }

    const Params& params() const noexcept { return params_; }
    const FitReport& report() const noexcept { return report_; }
    PredictorType predictor_type() const { return *params_.predictor_type; }
    Index feature_dim() const noexcept { return weights_.linear.size(); }
    Index num_factors() const noexcept { return weights_.num_factors(); }
    /// w0.
    T bias() const noexcept { return weights_.bias; }
    /// w: one weight per feature.
    const Vector<T>& linear_weights() const noexcept { return weights_.linear; }
    /// V: row i is feature i's latent vector (feature_dim × num_factors).
    const RowMatrix<T>& latent_vectors() const noexcept { return weights_.factors; }
    /// MCMC's kept samples, whose predictions the model averages; empty for the other solvers.
    const Samples<T>& samples() const noexcept { return samples_; }

    /// ŷ of each row: the regressor's value, the classifier's log-odds (an MCMC classifier's:
    /// the samples' mean ŷ, on the probit scale). Dense rows need feature_dim columns; CSR rows
    /// may have any column count, every entry below feature_dim.
    Vector<T> raw_score(const MatrixView<T>& X) const { return raw(X, detail::DenseRows<T>(X)); }
    Vector<T> raw_score(const SparseMatrix<T>& X) const { return raw(X, detail::SparseRows<T>(X)); }

    /// The platform's `score`: a regressor's value, a classifier's probability of label 1 (an
    /// MCMC classifier's: the samples' mean of Φ(ŷ), probit).
    Vector<T> score(const MatrixView<T>& X) const { return score_of(X, detail::DenseRows<T>(X)); }
    Vector<T> score(const SparseMatrix<T>& X) const { return score_of(X, detail::SparseRows<T>(X)); }

    /// The platform's `predicted_label` (a classifier's 0/1), or a regressor's value.
    Vector<T> predict(const MatrixView<T>& X) const { return label_of(score(X)); }
    Vector<T> predict(const SparseMatrix<T>& X) const { return label_of(score(X)); }

    /// predicted_label from score(X): 1 where the probability is at least 0.5; a regressor's value.
    Vector<T> label_of(const Vector<T>& score) const {
        if (predictor_type() == PredictorType::regressor) return score;
        return (score.array() >= T(0.5)).template cast<T>();
    }

    /// What a model file holds (core/model_fields.hpp).
    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        f("bias", m.weights_.bias);
        f("linear", m.weights_.linear);
        f("factors", m.weights_.factors);
        f("samples.bias", m.samples_.bias);
        f("samples.linear", m.samples_.linear);
        f("samples.factors", m.samples_.factors);
        f("report.epochs_run", m.report_.epochs_run);
        f("report.best_epoch", m.report_.best_epoch);
        f("report.stopped", m.report_.stopped);
        f("report.stopped_early", m.report_.stopped_early);
        f("report.training_loss", m.report_.training_loss);
        f("report.validation_metric", m.report_.validation_metric);
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a model written by save(); a damaged file or another family's throws model_error.
    static Model load(std::istream& in) {
        Model m;
        load_model(m, in);
        if (const std::string problem = m.shape_problem(); !problem.empty())
            throw model_error(errc::malformed, std::string("the ") + Params::family + " model's " + problem);
        m.average();
        return m;
    }

    /// Same hyperparameters, parameters and report, bit for bit.
    friend bool operator==(const Model& a, const Model& b) { return same_model(a, b); }
    friend bool operator!=(const Model& a, const Model& b) { return !(a == b); }

private:
    Model() = default;

    /// What disagrees with the hyperparameters, or "" when the shapes are whole.
    std::string shape_problem() const {
        const Index d = static_cast<Index>(params_.feature_dim.value_or(0)), k = params_.num_factors.value_or(0);
        const auto shape = [](Index rows, Index cols) { return std::to_string(rows) + " x " + std::to_string(cols); };
        if (weights_.linear.size() != d || weights_.factors.rows() != d || weights_.factors.cols() != k)
            return "linear weights (" + std::to_string(weights_.linear.size()) + ") and latent vectors (" +
                   shape(weights_.factors.rows(), weights_.factors.cols()) + ") do not match feature_dim = " +
                   std::to_string(d) + " and num_factors = " + std::to_string(k);
        const Index s = samples_.count();
        if (samples_.linear.rows() != s || samples_.factors.cols() != s * k ||
            (s > 0 && (samples_.linear.cols() != d || samples_.factors.rows() != d)))
            return "samples (" + std::to_string(s) + " biases, linear weights " +
                   shape(samples_.linear.rows(), samples_.linear.cols()) + ", latent vectors " +
                   shape(samples_.factors.rows(), samples_.factors.cols()) + ") do not match feature_dim = " +
                   std::to_string(d) + " and num_factors = " + std::to_string(k);
        const auto epochs = static_cast<std::size_t>(report_.epochs_run);
        if (report_.epochs_run < 0 || report_.best_epoch < 0 || report_.best_epoch > report_.epochs_run ||
            report_.training_loss.size() != epochs ||
            (!report_.validation_metric.empty() && report_.validation_metric.size() != epochs))
            return "training report (" + std::to_string(report_.epochs_run) + " epochs, best " +
                   std::to_string(report_.best_epoch) + ", " + std::to_string(report_.training_loss.size()) +
                   " training losses, " + std::to_string(report_.validation_metric.size()) +
                   " validation values) is inconsistent";
        return "";
    }

    template <class X, class Rows>
    Vector<T> raw(const X& data, const Rows& rows) const {
        const int threads = resolve_threads(params_.num_threads);
        detail::require_features(data, feature_dim(), std::string(Params::family) + " predict", threads);
        const Index s = samples_.count();
        if (s == 0) return detail::raw_scores(weights_, rows, threads);
        return detail::raw_scores(detail::WeightsView<T>{mean_bias_, mean_linear_.data(), samples_.factors.data(),
                                                         samples_.factors.cols(), T(0.5) / T(s), samples_.factors.cols()},
                                  rows, threads);
    }

    /// An MCMC classifier is a probit model: P(y = 1) = Φ(ŷ), averaged over the samples (libFM's),
    /// so each sample is scored on its own.
    bool probit() const {
        return predictor_type() == PredictorType::binary_classifier && params_.solver == Solver::mcmc;
    }

    template <class X, class Rows>
    Vector<T> score_of(const X& data, const Rows& rows) const {
        if (!probit()) return scored(raw(data, rows));
        const int threads = resolve_threads(params_.num_threads);
        detail::require_features(data, feature_dim(), std::string(Params::family) + " predict", threads);
        const Index count = samples_.count(), k = num_factors(), wide = samples_.factors.cols();
        Vector<double> sum = Vector<double>::Zero(rows.rows());
        const auto add = [&](const detail::WeightsView<T>& w) {
            const Vector<T> raw = detail::raw_scores(w, rows, threads);
            for (Index i = 0; i < raw.size(); ++i) sum[i] += detail::normal_cdf(double(raw[i]));
        };
        if (count == 0) add(weights_.view());
        for (Index s = 0; s < count; ++s)
            add({samples_.bias[s], samples_.linear.data() + s * feature_dim(), samples_.factors.data() + s * k, k, T(0.5),
                 wide});
        return (sum / double(std::max<Index>(count, 1))).template cast<T>();
    }

    /// The samples' mean w0 and w, which with their factors side by side make the average of
    /// their predictions one model (predict.hpp).
    void average() {
        if (samples_.count() == 0) return;
        mean_bias_ = T(samples_.bias.template cast<double>().mean());
        mean_linear_ = samples_.linear.template cast<double>().colwise().mean().transpose().template cast<T>();
    }

    Vector<T> scored(Vector<T> raw) const {
        if (predictor_type() == PredictorType::binary_classifier)
            simd::sigmoid(raw.data(), static_cast<std::size_t>(raw.size()), raw.data());
        return raw;
    }

    Params params_;
    detail::Weights<T> weights_;
    FitReport report_;
    Samples<T> samples_;
    T mean_bias_ = 0;
    Vector<T> mean_linear_;
};

}  // namespace shelf::fm
