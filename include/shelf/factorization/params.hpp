// shelf/factorization/params.hpp: the factorization machines' hyperparameters, with the platform's
// names and defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shelf/core/params.hpp"

namespace shelf::fm {

/// The kind of target.
enum class PredictorType {
    binary_classifier,  ///< labels 0/1, logistic loss; score = sigmoid(ŷ)
    regressor,          ///< any finite label, squared loss; score = ŷ
};
inline constexpr std::pair<PredictorType, const char*> predictor_type_names[] = {
    {PredictorType::binary_classifier, "binary_classifier"}, {PredictorType::regressor, "regressor"}};
inline const auto& enum_names(PredictorType) { return predictor_type_names; }

/// How the parameters are learned.
enum class Solver {
    sgd,      ///< mini-batch SGD with a rate and an L2 decay per parameter group (the platform's)
    adagrad,  ///< the same gradients, each coordinate's step divided by the root of its summed squares
    als,      ///< coordinate descent: each parameter set to its least-squares optimum in turn (regressor)
    mcmc,     ///< Bayesian FM by Gibbs sampling with hyperpriors, predictions averaged over samples (probit classifier)
};
inline constexpr std::pair<Solver, const char*> solver_names[] = {
    {Solver::sgd, "sgd"}, {Solver::adagrad, "adagrad"}, {Solver::als, "als"}, {Solver::mcmc, "mcmc"}};
inline const auto& enum_names(Solver) { return solver_names; }

/// How a parameter group starts.
enum class InitMethod {
    normal,    ///< normal(0, *_init_sigma)
    uniform,   ///< uniform in ±*_init_scale
    constant,  ///< every value *_init_value
};
inline constexpr std::pair<InitMethod, const char*> init_method_names[] = {
    {InitMethod::normal, "normal"}, {InitMethod::uniform, "uniform"}, {InitMethod::constant, "constant"}};
inline const auto& enum_names(InitMethod) { return init_method_names; }

/// Factorization machine hyperparameters. `auto` values (unset optionals) are resolved by fit()
/// and the resolved values are what the model stores.
struct Params {
    static constexpr const char* family = "factorization-machines";

    std::optional<PredictorType> predictor_type;  ///< required
    std::optional<int> num_factors;               ///< k, the length of each feature's latent vector (required)
    std::optional<std::int64_t> feature_dim;      ///< auto = the data's column count
    int epochs = 1;
    int mini_batch_size = 1000;
    Solver solver = Solver::sgd;  ///< shelf extension
    int burn_in = 5;              ///< mcmc: the first samples, not kept (myFM's default)
    std::vector<std::int64_t> group_sizes;  ///< mcmc: consecutive feature groups sharing a prior; the rest one more
    double bias_lr = 0.1;
    double linear_lr = 0.001;
    double factors_lr = 0.0001;
    double bias_wd = 0.01;
    double linear_wd = 0.001;
    double factors_wd = 0.00001;
    InitMethod bias_init_method = InitMethod::normal;
    InitMethod linear_init_method = InitMethod::normal;
    InitMethod factors_init_method = InitMethod::normal;
    double bias_init_sigma = 0.01;
    double linear_init_sigma = 0.01;
    double factors_init_sigma = 0.001;
    std::optional<double> bias_init_scale;  ///< required with uniform, as each group's *_init_scale
    std::optional<double> linear_init_scale;
    std::optional<double> factors_init_scale;
    std::optional<double> bias_init_value;  ///< required with constant, as each group's *_init_value
    std::optional<double> linear_init_value;
    std::optional<double> factors_init_value;
    std::optional<double> clip_gradient;  ///< unset: no clipping
    double eps = 1e-8;
    double rescale_grad = 1.0;
    int early_stopping_patience = 3;      ///< shelf extension, as the linear learner's
    double early_stopping_tolerance = 0.001;
    int num_threads = 0;
    std::int64_t seed = 0;

    template <class V>
    void visit(V&& v) {
        v("predictor_type", predictor_type,
          Spec("binary_classifier (labels 0/1, logistic loss) or regressor (squared loss)").required());
        v("num_factors", num_factors, Spec("dimension of each feature's latent vector").at_least(1).required());
        v("feature_dim", feature_dim, Spec("number of features; auto = the data's column count").at_least(1));
        v("epochs", epochs, Spec("passes over the training data (als: sweeps; mcmc: sampling iterations)").at_least(1));
        v("mini_batch_size", mini_batch_size, Spec("rows per gradient step").at_least(1));
        v("solver", solver,
          Spec("sgd (a rate and L2 decay per parameter group), adagrad (per-coordinate steps; rates near 0.1 "
               "suit every group), als (coordinate descent, regressor) or mcmc (Gibbs sampling; probit classifier)"));
        v("burn_in", burn_in, Spec("mcmc: the first sampling iterations (epochs), whose samples are not kept").at_least(0));
        v("group_sizes", group_sizes,
          Spec("mcmc: sizes of consecutive feature groups (users, items, ...) with a prior each; features past "
               "them form one more group; empty = one group"));
        v("bias_lr", bias_lr, Spec("learning rate of the bias").at_least(0));
        v("linear_lr", linear_lr, Spec("learning rate of the linear weights").at_least(0));
        v("factors_lr", factors_lr, Spec("learning rate of the latent vectors").at_least(0));
        v("bias_wd", bias_wd, Spec("L2 decay of the bias").at_least(0));
        v("linear_wd", linear_wd, Spec("L2 decay of the linear weights a mini-batch touches").at_least(0));
        v("factors_wd", factors_wd, Spec("L2 decay of the latent vectors a mini-batch touches").at_least(0));
        v("bias_init_method", bias_init_method, Spec("normal, uniform or constant"));
        v("linear_init_method", linear_init_method, Spec("normal, uniform or constant"));
        v("factors_init_method", factors_init_method, Spec("normal, uniform or constant"));
        v("bias_init_sigma", bias_init_sigma, Spec("standard deviation of a normal initial bias").at_least(0));
        v("linear_init_sigma", linear_init_sigma, Spec("standard deviation of normal initial linear weights").at_least(0));
        v("factors_init_sigma", factors_init_sigma, Spec("standard deviation of normal initial latent vectors").at_least(0));
        v("bias_init_scale", bias_init_scale, Spec("half-width of a uniform initial bias (required with uniform)").at_least(0));
        v("linear_init_scale", linear_init_scale,
          Spec("half-width of uniform initial linear weights (required with uniform)").at_least(0));
        v("factors_init_scale", factors_init_scale,
          Spec("half-width of uniform initial latent vectors (required with uniform)").at_least(0));
        v("bias_init_value", bias_init_value, Spec("a constant initial bias (required with constant)"));
        v("linear_init_value", linear_init_value, Spec("the constant initial linear weight (required with constant)"));
        v("factors_init_value", factors_init_value,
          Spec("the constant initial latent vector entry (required with constant)"));
        v("clip_gradient", clip_gradient,
          Spec("clip each gradient coordinate to +-this before the decay is added; auto = no clipping").greater_than(0));
        v("eps", eps, Spec("added to adagrad's denominator").greater_than(0));
        v("rescale_grad", rescale_grad, Spec("the mean loss's gradient is multiplied by this").greater_than(0));
        v("early_stopping_patience", early_stopping_patience,
          Spec("epochs without improvement on the validation channel before training stops").at_least(1));
        v("early_stopping_tolerance", early_stopping_tolerance,
          Spec("relative improvement of the validation metric below which an epoch does not count as one").at_least(0));
        v("num_threads", num_threads, Spec("threads; 0 = all cores").at_least(0));
        v("seed", seed, Spec("seed of the initial values and of the epochs' row order").at_least(0));
    }

    /// Range checks, each init method's own value, then what the solver needs.
    void validate() const {
        check_ranges(*this);
        require_init("bias", bias_init_method, bias_init_scale, bias_init_value);
        require_init("linear", linear_init_method, linear_init_scale, linear_init_value);
        require_init("factors", factors_init_method, factors_init_scale, factors_init_value);
        if (solver == Solver::als && predictor_type == PredictorType::binary_classifier)
            throw invalid_argument(errc::inconsistent, std::string(family) + ": solver = als fits a regressor "
                                                           "only; use sgd, adagrad or mcmc for "
                                                           "predictor_type = binary_classifier");
        if (solver == Solver::mcmc && epochs <= burn_in)
            throw invalid_argument(errc::inconsistent, std::string(family) + ": solver = mcmc keeps the samples "
                                                           "after burn_in = " + std::to_string(burn_in) +
                                                           ", so epochs (= " + std::to_string(epochs) +
                                                           ", the sampling iterations) must exceed it; "
                                                           "100 to 200 are usual");
        for (const std::int64_t size : group_sizes)
            if (size < 1)
                throw invalid_argument(errc::out_of_range, std::string(family) + ": group_sizes = " +
                                                               shelf::detail::format_value(group_sizes) +
                                                               " holds " + std::to_string(size) + "; each size must be >= 1");
    }

private:
    static void require_init(const std::string& group, InitMethod method, const std::optional<double>& scale,
                             const std::optional<double>& value) {
        const char* missing = method == InitMethod::uniform && !scale    ? "_init_scale"
                              : method == InitMethod::constant && !value ? "_init_value"
                                                                         : nullptr;
        if (missing)
            throw invalid_argument(errc::missing_parameter,
                                   std::string(family) + ": " + group + "_init_method = " +
                                       shelf::detail::format_value(method) + " needs " + group + missing);
    }
};

}  // namespace shelf::fm
