// shelf/linear/trainer.hpp: the epoch loop that trains every model of the sweep side by side.
//
// The K models' weights (on normalized features) are the columns of one d × M matrix
// W (M = K·classes). Each mini-batch is read once per thread and multiplied with the
// thread's block of columns: scores S = X·W with one GEMM, turned in place into loss
// derivatives G, then the gradient Xᵀ·G with a second GEMM (sparse rows: a walk over
// their nonzeros), and each row of the block gets its optimizer step and L1
// soft-threshold. Threads own disjoint models, so they never wait for one another
// within an epoch (a busy machine cannot stall them at every mini-batch), and a model's
// arithmetic is the same whatever the thread count. After each epoch every model is
// scored on the validation channel (without one, by the mean loss of the mini-batches
// it was trained on, each seen before its update); a model keeps the weights of its
// best epoch and stops after early_stopping_patience epochs without a relative
// improvement above early_stopping_tolerance. Stopped models leave the matrix, so the
// remaining ones train faster.
//
// With a preconditioner P (see decorrelation() in scaler.hpp) a model without L1 keeps
// its optimizer on V, with weights W = P·V: the gradient for V is P·(gradient for W),
// the loss and its L2 penalty still on W. Models with L1 step on W itself, where the
// soft-threshold makes exact zeros.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Core>

#include "data.hpp"
#include "objective.hpp"
#include "optimizer.hpp"
#include "params.hpp"
#include "sweep.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"

namespace shelf::linear::detail {

/// Everything the epoch loop needs, with `auto` resolved.
template <class T>
struct TrainSetup {
    Loss loss = Loss::squared_loss;
    LossSettings settings;
    Index classes = 1;  ///< outputs per model
    std::vector<Candidate> candidates;
    OptimizerSettings optimizer;
    Index batch = 1000;
    int epochs = 15;
    int patience = 3;
    double tolerance = 0.001;
    long long lr_step = 1;
    double lr_factor = 1, lr_minimum = 0;
    bool use_bias = true;
    InitMethod init = InitMethod::uniform;
    double init_scale = 0.07, init_sigma = 0.01, init_bias = 0;
    bool weight_positives = false;  ///< binary: positives weigh each candidate's positive_example_weight_mult
    Vector<T> class_weights;        ///< multiclass: per-class weights, empty for none
    int threads = 1;
    std::uint64_t seed = 0;
    RowMatrix<T> precondition;  ///< d × d, symmetric; empty for none
};

/// Each model's best weights, on normalized features.
template <class T>
struct TrainResult {
    RowMatrix<T> weights;  ///< d × K·classes
    RowArray<T> bias;      ///< K·classes
    std::vector<int> best_epoch, epochs;
    std::vector<double> best_loss;
    int epochs_run = 0;
    bool stopped = false;
};

template <class T, class Input>
class Trainer {
public:
    /// Both inputs must already read normalized rows; `valid` may be null.
    Trainer(const Input& train, const Vector<T>& y, const Input* valid, const Vector<T>* y_valid,
            const TrainSetup<T>& setup)
        : train_(train), y_(y), valid_(valid), y_valid_(y_valid), s_(setup), d_(train.cols()),
          buffers_(static_cast<std::size_t>(setup.threads)),
          optimizer_(setup.optimizer, train.cols(), static_cast<Index>(setup.candidates.size()) * setup.classes) {
        const auto K = static_cast<Index>(s_.candidates.size());
        const Index M = K * s_.classes;
        Rng rng = Rng::for_stream(s_.seed, 2);
        W_.resize(d_, M);
        for (Index j = 0; j < d_; ++j)
            for (Index c = 0; c < M; ++c)
                W_(j, c) = T(s_.init == InitMethod::uniform ? rng.uniform(-s_.init_scale, s_.init_scale)
                                                            : rng.normal(0.0, s_.init_sigma));
        b_ = RowArray<T>::Constant(M, s_.use_bias ? T(s_.init_bias) : T(0));
        if (preconditioned()) V_ = W_;
        lr_.resize(M), l1_.resize(M), wd_.resize(M), positive_.resize(M);
        for (Index c = 0; c < M; ++c) {
            const Candidate& cand = s_.candidates[static_cast<std::size_t>(c / s_.classes)];
            lr_[c] = T(cand.learning_rate);
            l1_[c] = T(cand.l1);
            wd_[c] = T(cand.wd);
            positive_[c] = T(cand.positive_example_weight_mult);
        }
        models_.resize(static_cast<std::size_t>(K));
        std::iota(models_.begin(), models_.end(), 0);
        if (preconditioned()) weights_from_v(0, M, l1_);
        result_.weights = W_;
        result_.bias = b_;
        result_.best_epoch.assign(static_cast<std::size_t>(K), 0);
        result_.epochs.assign(static_cast<std::size_t>(K), 0);
        result_.best_loss.assign(static_cast<std::size_t>(K), std::numeric_limits<double>::infinity());
        bad_epochs_.assign(static_cast<std::size_t>(K), 0);
    }

    TrainResult<T> run(const ProgressCallback& progress) {
        const Index n = train_.rows();
        std::vector<Index> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), Index(0));
        Rng rng = Rng::for_stream(s_.seed, 3);
        for (int epoch = 1; epoch <= s_.epochs && !models_.empty(); ++epoch) {
            rng.shuffle(order.begin(), order.end());
            const RowArray<double> train_loss = train_epoch(order);
            const RowArray<double> loss = valid_ ? validation_loss() : RowArray<double>(train_loss / double(n));
            result_.epochs_run = epoch;
            const bool go_on = report(progress, {"epoch", epoch, s_.epochs, finite_min(loss),
                                                 valid_ ? "validation:objective_loss" : "train:objective_loss"});
            end_epoch(epoch, loss);
            if (!go_on) {
                result_.stopped = true;
                break;
            }
        }
        return std::move(result_);
    }

private:
    struct ThreadBuffers {
        typename Input::Chunk chunk;
        RowMatrix<T> scores;  ///< then the loss derivatives
        Vector<T> labels;
        RowMatrix<T> gradient;
        RowArray<T> gradient_bias, lr;
        RowMatrix<T> scratch;  ///< the optimizer's per-coordinate steps
        RowArray<T> base_lr, l1, wd, positive;  ///< the thread's columns of the per-model settings
        RowMatrix<T> step;                       ///< preconditioned: the gradient for V
    };

    Index width() const { return W_.cols(); }
    bool preconditioned() const { return s_.precondition.size() > 0; }

    /// W = P·V in columns c0 .. c0 + cols, except those with L1, where W is V itself.
    void weights_from_v(Index c0, Index cols, const RowArray<T>& l1) {
        W_.middleCols(c0, cols).noalias() = s_.precondition * V_.middleCols(c0, cols);
        for (Index c = 0; c < cols; ++c)
            if (l1[c] != T(0)) W_.col(c0 + c) = V_.col(c0 + c);
    }
    Index models() const { return static_cast<Index>(models_.size()); }

    /// One pass over the rows in `order`, models split between threads. Returns each
    /// model's summed loss over the mini-batches, each taken before its update (only
    /// without a validation channel; zeros otherwise). Each thread gathers every mini-batch
    /// itself: gathering it once for the team would make threads wait for one another at
    /// each mini-batch, which costs a scheduler time slice per wait on a busy machine.
    RowArray<double> train_epoch(const std::vector<Index>& order) {
        const auto n = static_cast<Index>(order.size());
        const Index K = models(), C = s_.classes, batches = (n + s_.batch - 1) / s_.batch;
        const long long first_step = steps_;
        const int team = static_cast<int>(std::min<Index>(s_.threads, K));
        std::vector<std::pair<Index, RowArray<double>>> sums(static_cast<std::size_t>(team));  // first model, losses
        parallel_team(team, [&](int t, int size) {
            const Index k0 = K * t / size, k1 = K * (t + 1) / size, c0 = k0 * C, cols = (k1 - k0) * C;
            ThreadBuffers& buf = buffers_[static_cast<std::size_t>(t)];
            auto& [first_model, mine] = sums[static_cast<std::size_t>(t)];
            buf.base_lr = lr_.segment(c0, cols);
            buf.l1 = l1_.segment(c0, cols);
            buf.wd = wd_.segment(c0, cols);
            buf.positive = positive_.segment(c0, cols);
            first_model = k0;
            mine = RowArray<double>::Zero(k1 - k0);
            if (cols == 0) return;
            for (Index b = 0; b < batches; ++b) {
                const Index first = b * s_.batch, m = std::min(s_.batch, n - first);
                const Index* index = order.data() + first;
                train_.gather(buf.chunk, index, m);
                train_batch(buf, index, m, first_step + b + 1, c0, cols, valid_ ? nullptr : &mine);
            }
        });
        RowArray<double> loss = RowArray<double>::Zero(K);
        for (const auto& [first_model, mine] : sums) loss.segment(first_model, mine.size()) = mine;
        steps_ += batches;
        return loss;
    }

    /// Mini-batch number `step` (from 1) for columns c0 .. c0 + cols: rows index[0 .. m),
    /// gathered into buf.chunk.
    void train_batch(ThreadBuffers& buf, const Index* index, Index m, long long step, Index c0, Index cols,
                     RowArray<double>* loss) {
        buf.scores.resize(m, cols);
        train_.multiply(buf.chunk, W_.middleCols(c0, cols), buf.scores);
        buf.scores.rowwise() += b_.segment(c0, cols).matrix();
        buf.labels.resize(m);
        for (Index r = 0; r < m; ++r) buf.labels[r] = y_[index[r]];
        const RowWeights<T> weights{s_.weight_positives ? &buf.positive : nullptr,
                                    s_.class_weights.size() ? &s_.class_weights : nullptr};
        apply_loss(s_.loss, s_.settings, buf.scores, buf.labels.data(), s_.classes, weights, loss, true);
        buf.gradient.setZero(d_, cols);
        train_.add_transposed(buf.chunk, buf.scores, buf.gradient);
        buf.gradient_bias = buf.scores.colwise().sum().array() / T(m);

        // The scheduler: after every lr_scheduler_step mini-batches, rates fall by the factor.
        const double decay = std::pow(s_.lr_factor, double((step - 1) / s_.lr_step));
        buf.lr = (buf.base_lr * T(decay)).max(buf.base_lr.min(T(s_.lr_minimum)));
        const auto corrections = optimizer_.step(step);
        for (Index j = 0; j < d_; ++j)  // by rows: a rowwise() broadcast of wd would not vectorize
            buf.gradient.row(j).array() = buf.gradient.row(j).array() / T(m) + W_.row(j).segment(c0, cols).array() * buf.wd;
        if (preconditioned()) {
            buf.step.noalias() = s_.precondition * buf.gradient;
            for (Index c = 0; c < cols; ++c)
                if (buf.l1[c] != T(0)) buf.step.col(c) = buf.gradient.col(c);
            optimizer_.update(0, c0, corrections, V_.middleCols(c0, cols).array(), buf.step.array(), buf.lr, &buf.l1,
                              buf.scratch);
            weights_from_v(c0, cols, buf.l1);
        } else {
            optimizer_.update(0, c0, corrections, W_.middleCols(c0, cols).array(), buf.gradient.array(), buf.lr,
                              &buf.l1, buf.scratch);
        }
        if (s_.use_bias) optimizer_.update(d_, c0, corrections, b_.segment(c0, cols), buf.gradient_bias, buf.lr,
                                           nullptr, buf.scratch);
    }

    /// Each model's mean (weighted) loss on the validation channel, in blocks of rows
    /// summed in block order (the same whatever the thread count).
    RowArray<double> validation_loss() {
        const Index n = valid_->rows(), M = width(), block = 4096, blocks = (n + block - 1) / block;
        std::vector<RowArray<double>> sums(static_cast<std::size_t>(blocks), RowArray<double>::Zero(models()));
        const RowWeights<T> weights{s_.weight_positives ? &positive_ : nullptr,
                                    s_.class_weights.size() ? &s_.class_weights : nullptr};
        const int team = team_size(s_.threads, blocks, static_cast<double>(n) * static_cast<double>(d_) * static_cast<double>(M));
        parallel_for(
            team, blocks, Schedule::even, [&](int t) { return &buffers_[static_cast<std::size_t>(t)]; },
            [&](Index b, ThreadBuffers* buf) {
                const Index first = b * block, rows = std::min(block, n - first);
                valid_->range(buf->chunk, first, rows);
                buf->scores.resize(rows, M);
                valid_->multiply(buf->chunk, W_, buf->scores);
                buf->scores.rowwise() += b_.matrix();
                apply_loss(s_.loss, s_.settings, buf->scores, y_valid_->data() + first, s_.classes, weights,
                           &sums[static_cast<std::size_t>(b)], false);
            });
        RowArray<double> total = RowArray<double>::Zero(models());
        for (const RowArray<double>& sum : sums) total += sum;
        return total / double(n);
    }

    static double finite_min(const RowArray<double>& loss) {
        double best = std::numeric_limits<double>::infinity();
        for (Index a = 0; a < loss.size(); ++a)
            if (std::isfinite(loss[a])) best = std::min(best, loss[a]);
        return best;
    }

    /// Keeps improved models' weights, stops the ones out of patience (or diverged).
    void end_epoch(int epoch, const RowArray<double>& loss) {
        const Index C = s_.classes;
        std::vector<Index> keep;
        std::vector<int> still;
        for (Index a = 0; a < models(); ++a) {
            const auto k = static_cast<std::size_t>(models_[static_cast<std::size_t>(a)]);
            double& best = result_.best_loss[k];
            result_.epochs[k] = epoch;
            bool stop = !std::isfinite(loss[a]);
            if (!stop && loss[a] < best) {
                const bool enough = !std::isfinite(best) || best - loss[a] > s_.tolerance * std::abs(best);
                bad_epochs_[k] = enough ? 0 : bad_epochs_[k] + 1;
                best = loss[a];
                result_.best_epoch[k] = epoch;
                result_.weights.middleCols(Index(k) * C, C) = W_.middleCols(a * C, C);
                result_.bias.segment(Index(k) * C, C) = b_.segment(a * C, C);
            } else if (!stop) {
                ++bad_epochs_[k];
            }
            stop = stop || bad_epochs_[k] >= s_.patience;
            if (stop) continue;
            still.push_back(models_[static_cast<std::size_t>(a)]);
            for (Index c = 0; c < C; ++c) keep.push_back(a * C + c);
        }
        if (still.size() == models_.size()) return;
        models_ = std::move(still);
        W_ = RowMatrix<T>(W_(Eigen::all, keep));
        if (preconditioned()) V_ = RowMatrix<T>(V_(Eigen::all, keep));
        for (RowArray<T>* v : {&b_, &lr_, &l1_, &wd_, &positive_}) *v = RowArray<T>((*v)(keep));
        optimizer_.keep_columns(keep);
    }

    const Input& train_;
    const Vector<T>& y_;
    const Input* valid_;
    const Vector<T>* y_valid_;
    const TrainSetup<T>& s_;
    const Index d_;
    std::vector<ThreadBuffers> buffers_;
    OptimizerState<T> optimizer_;
    RowMatrix<T> W_;  ///< active models' weights, d × active·classes
    RowMatrix<T> V_;  ///< preconditioned: what the optimizer moves, W = P·V (L1 models: W)
    RowArray<T> b_, lr_, l1_, wd_, positive_;
    std::vector<int> models_;  ///< the original index of each active model
    std::vector<int> bad_epochs_;
    long long steps_ = 0;
    TrainResult<T> result_;
};

}  // namespace shelf::linear::detail
