// shelf/linear/model.hpp: a trained linear learner — the model the sweep kept, on raw
// features — with the platform's outputs predicted_label and score.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "data.hpp"
#include "losses.hpp"
#include "params.hpp"
#include "sweep.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/model_fields.hpp"

namespace shelf::linear {

/// One model of the sweep, as training and selection left it.
struct CandidateReport {
    Candidate hyperparameters;
    int best_epoch = 0;  ///< epoch of the kept weights; 0: no epoch improved on the initial weights
    int epochs = 0;      ///< epochs trained before it stopped
    double loss = 0;     ///< its best early-stopping loss (validation, else training)
    double metric = 0;   ///< its selection metric on the selection data

    friend bool operator==(const CandidateReport& a, const CandidateReport& b) {
        return a.hyperparameters.learning_rate == b.hyperparameters.learning_rate &&
               a.hyperparameters.l1 == b.hyperparameters.l1 && a.hyperparameters.wd == b.hyperparameters.wd &&
               a.hyperparameters.positive_example_weight_mult == b.hyperparameters.positive_example_weight_mult &&
               a.best_epoch == b.best_epoch && a.epochs == b.epochs &&
               (a.loss == b.loss || (a.loss != a.loss && b.loss != b.loss)) &&
               (a.metric == b.metric || (a.metric != a.metric && b.metric != b.metric));
    }
};

/// What training did.
struct FitReport {
    std::vector<CandidateReport> models;  ///< every model of the sweep, in order
    int selected = 0;                     ///< the one kept
    int epochs_run = 0;                   ///< epochs until every model had stopped (or `epochs`)
    bool stopped = false;                 ///< the progress callback asked to stop
    bool on_validation = false;           ///< selection (and early stopping) used the validation channel
    bool plus_minus_one = false;          ///< binary labels were given as −1/+1 and read as 0/1

    friend bool operator==(const FitReport& a, const FitReport& b) {
        return a.models == b.models && a.selected == b.selected && a.epochs_run == b.epochs_run &&
               a.stopped == b.stopped && a.on_validation == b.on_validation && a.plus_minus_one == b.plus_minus_one;
    }
};

namespace detail {

/// The platform's score from raw linear outputs, in place: the probability of class 1
/// (logistic), the raw margin (hinge), class probabilities (softmax) or the value.
template <class T>
void to_score(Loss loss, RowMatrix<T>& raw) {
    if (loss == Loss::logistic) {
        raw = raw.array().logistic().matrix();
    } else if (loss == Loss::softmax_loss) {
        for (Index i = 0; i < raw.rows(); ++i) {
            auto row = raw.row(i).array();
            row = (row - row.maxCoeff()).exp();
            row /= row.sum();
        }
    }
}

}  // namespace detail

/// A linear model on raw features: d × outputs weights and a bias per output (one output
/// for regressors and binary classifiers, one per class for multiclass). A value —
/// copyable and compared by content; const methods are safe to call from several threads.
template <class T>
class Model {
    static_assert(std::is_floating_point_v<T>, "shelf::linear::Model<T> needs float or double");

public:
    using Scalar = T;

    /// `params` are the resolved hyperparameters; `threshold` is a binary classifier's
    /// decision threshold on the score (predict 1 when score >= threshold).
    Model(Params params, RowMatrix<T> weights, Vector<T> bias, T threshold, FitReport report = {})
        : params_(std::move(params)), weights_(std::move(weights)), bias_(std::move(bias)), threshold_(threshold),
          report_(std::move(report)) {}

    const Params& params() const noexcept { return params_; }
    PredictorType predictor_type() const { return *params_.predictor_type; }
    Loss loss() const { return *params_.loss; }
    Index feature_dim() const noexcept { return weights_.rows(); }
    /// Columns of score(): num_classes for multiclass, else 1.
    Index outputs() const noexcept { return weights_.cols(); }
    const RowMatrix<T>& weights() const noexcept { return weights_; }
    const Vector<T>& bias() const noexcept { return bias_; }
    T threshold() const noexcept { return threshold_; }
    const FitReport& report() const noexcept { return report_; }

    /// x·w + b per row and output.
    RowMatrix<T> raw_score(const MatrixView<T>& X) const { return raw(dense(X, "linear-learner predict")); }
    /// Sparse rows may have fewer columns than feature_dim: absent features are zero.
    RowMatrix<T> raw_score(const SparseMatrix<T>& X) const { return raw(sparse(X, "linear-learner predict")); }

    /// The platform's `score`: binary, the probability of class 1 (hinge_loss: the raw
    /// margin); multiclass, one probability per class; regressor, the predicted value.
    RowMatrix<T> score(const MatrixView<T>& X) const { return scored(raw_score(X)); }
    RowMatrix<T> score(const SparseMatrix<T>& X) const { return scored(raw_score(X)); }

    /// The platform's `predicted_label` (0/1, or the class with the highest score), or
    /// the predicted value for a regressor.
    Vector<T> predict(const MatrixView<T>& X) const { return label_of(score(X)); }
    Vector<T> predict(const SparseMatrix<T>& X) const { return label_of(score(X)); }

    /// predicted_label from score(X): 0/1 at the threshold, the most probable class, or a
    /// regressor's value.
    Vector<T> label_of(const RowMatrix<T>& score) const {
        if (predictor_type() == PredictorType::regressor) return score.col(0);
        Vector<T> out(score.rows());
        for (Index i = 0; i < score.rows(); ++i) {
            if (predictor_type() == PredictorType::binary_classifier) {
                out[i] = score(i, 0) >= threshold_ ? T(1) : T(0);
            } else {
                Index best = 0;
                score.row(i).maxCoeff(&best);
                out[i] = T(best);
            }
        }
        return out;
    }


    /// What a model file holds (core/model_fields.hpp): the sweep's models as records.
    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        f("weights", m.weights_);
        f("bias", m.bias_);
        f("threshold", m.threshold_);
        f.records("report.models", m.report_.models, [](auto& c, auto& field) {
            field("learning_rate", c.hyperparameters.learning_rate);
            field("l1", c.hyperparameters.l1);
            field("wd", c.hyperparameters.wd);
            field("positive_example_weight_mult", c.hyperparameters.positive_example_weight_mult);
            field("best_epoch", c.best_epoch);
            field("epochs", c.epochs);
            field("loss", c.loss);
            field("metric", c.metric);
        });
        f("report.selected", m.report_.selected);
        f("report.epochs_run", m.report_.epochs_run);
        f("report.stopped", m.report_.stopped);
        f("report.on_validation", m.report_.on_validation);
        f("report.plus_minus_one", m.report_.plus_minus_one);
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a model written by save(); a damaged file or another family's throws model_error.
    static Model load(std::istream& in) {
        Model m;
        load_model(m, in);
        const Params& p = m.params_;
        const Index outputs = p.predictor_type == PredictorType::multiclass_classifier ? *p.num_classes : 1;
        if (!p.feature_dim || !p.loss || m.weights_.rows() != *p.feature_dim || m.weights_.cols() != outputs ||
            m.bias_.size() != outputs)
            throw model_error(errc::malformed, "the linear-learner model's weights are " +
                                                   std::to_string(m.weights_.rows()) + " x " +
                                                   std::to_string(m.weights_.cols()) + " with " +
                                                   std::to_string(m.bias_.size()) +
                                                   " biases, which does not match its hyperparameters");
        return m;
    }

    /// Same hyperparameters, weights, bias, threshold and report, bit for bit.
    friend bool operator==(const Model& a, const Model& b) { return same_model(a, b); }
    friend bool operator!=(const Model& a, const Model& b) { return !(a == b); }

private:
    Model() = default;

    detail::DenseInput<T> dense(const MatrixView<T>& X, const char* context) const {
        require_columns(X.cols(), feature_dim(), context);
        require_finite(X, context, Missing::refused, threads());
        return detail::DenseInput<T>(X);
    }
    /// Sparse rows may have fewer columns than feature_dim, not more.
    detail::SparseInput<T> sparse(const SparseMatrix<T>& X, const char* context) const {
        if (X.cols() > feature_dim()) require_columns(X.cols(), feature_dim(), context);
        require_finite(X, context);
        return detail::SparseInput<T>(X, feature_dim());
    }

    int threads() const { return resolve_threads(params_.num_threads); }

    template <class Input>
    RowMatrix<T> raw(const Input& input) const {
        return detail::linear_scores(input, weights_, detail::RowArray<T>(bias_.transpose()), threads());
    }

    RowMatrix<T> scored(RowMatrix<T> raw) const {
        detail::to_score(loss(), raw);
        return raw;
    }

    Params params_;
    RowMatrix<T> weights_;
    Vector<T> bias_;
    T threshold_;
    FitReport report_;
};

}  // namespace shelf::linear
