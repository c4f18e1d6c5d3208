// shelf/forecast/network.hpp: the stacked LSTM unrolled over a window, forward and backward
// through time, with the projection onto the likelihood's parameters.
//
// Every step is a few GEMMs over the window's rows: a layer's gates are [x | h_prev] · W + b
// with the four gates (input, forget, cell, output) stacked in W's columns. Training keeps each
// step's state for the backward pass; sampling keeps two steps (the one being computed and the
// one before). Missing targets inside the window are filled, for the lags of later steps, with
// the network's own mean (training) or a draw (sampling), so that a gap never reads as zero.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "layout.hpp"
#include "likelihood.hpp"
#include "shelf/core/random.hpp"
#include "shelf/simd/math.hpp"
#include "window.hpp"

namespace shelf::deepar::detail {

/// What an unroll does at each step's targets.
enum class Pass {
    train,     ///< loss and its gradient; dropout when a generator is given; gaps filled with the mean
    evaluate,  ///< loss only
    sample,    ///< gaps and the steps after `known` drawn from the predicted distribution
};

/// The state of one layer at one step.
template <class T>
struct LayerState {
    RowMatrix<T> z;      ///< [x | h_prev], rows × (inputs + cells)
    RowMatrix<T> gates;  ///< activated gates, rows × 4 cells: input, forget, cell (tanh), output
    RowMatrix<T> c, tanh_c, h, mask;
};

/// Scratch for unrolling windows of at most `rows` rows and `steps` steps.
template <class T>
class Unroll {
public:
    using Map = Eigen::Map<RowMatrix<T>>;
    using ConstMap = Eigen::Map<const RowMatrix<T>>;

    /// Forward pass over `w` with the weights `weights` (layout `shape`). Returns the summed
    /// negative log-likelihood of the observed targets from w.loss_from on and adds their count to
    /// `count`. Pass::train keeps what backward() needs; Pass::sample writes each row's draws
    /// after `known` to `samples` (rows × (steps − known)). `rng` draws dropout masks (train) or
    /// sample paths (sample); dropout is off without it.
    double forward(const Layout& shape, const T* weights, Window<T>& w, const std::vector<int>& lags,
                   Likelihood likelihood, double dropout, Pass pass, Rng* rng, double& count,
                   RowMatrix<T>* samples = nullptr) {
        prepare(shape, w.rows, pass == Pass::train ? w.steps : 2);
        const Index H = shape.cells, k = shape.outputs;
        const bool drop = pass == Pass::train && rng && dropout > 0;
        const T keep_scale = drop ? static_cast<T>(1 / (1 - dropout)) : T(1);
        double loss = 0;
        std::vector<T> grad(static_cast<std::size_t>(k));
        for (Index j = 0; j < w.steps; ++j) {
            const Index now = slot(pass, j), before = slot(pass, j - 1);
            // The steps all rows share run on row 0 alone; its state then seeds every row.
            const Index rows = j < w.shared ? std::min<Index>(w.rows, 1) : w.rows;
            if (j > 0 && j == w.shared)
                for (auto& b : states_[before]) {
                    b.h.bottomRows(w.rows - 1) = b.h.row(0).replicate(w.rows - 1, 1);
                    b.c.bottomRows(w.rows - 1) = b.c.row(0).replicate(w.rows - 1, 1);
                }
            const auto top = [rows](RowMatrix<T>& m) { return m.topRows(rows); };
            fill_input(shape, weights, w, lags, j, rows, states_[now][0].z);
            for (Index l = 0; l < shape.layers; ++l) {
                LayerState<T>& s = states_[now][l];
                const Index in = shape.layer_input(l);
                auto z = top(s.z), gates = top(s.gates), c = top(s.c), h = top(s.h);
                if (j == 0)
                    z.rightCols(H).setZero();
                else
                    z.rightCols(H) = top(states_[before][l].h);
                const ConstMap W(weights + shape.layer_weights(l), in + H, 4 * H);
                gates.noalias() = z * W;
                gates.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(weights + shape.layer_bias(l), 4 * H);
                activate(gates, H);
                if (j == 0)
                    c = gates.leftCols(H).cwiseProduct(gates.middleCols(2 * H, H));
                else
                    c = gates.middleCols(H, H).cwiseProduct(top(states_[before][l].c)) +
                        gates.leftCols(H).cwiseProduct(gates.middleCols(2 * H, H));
                simd::tanh(c.data(), static_cast<std::size_t>(c.size()), s.tanh_c.data());
                h = gates.rightCols(H).cwiseProduct(top(s.tanh_c));
                if (l + 1 < shape.layers) {
                    auto next = top(states_[now][l + 1].z).leftCols(H);
                    if (drop) {
                        for (Index r = 0; r < rows; ++r)
                            for (Index col = 0; col < H; ++col)
                                s.mask(r, col) = rng->uniform() < dropout ? T(0) : keep_scale;
                        next = h.cwiseProduct(top(s.mask));
                    } else {
                        next = h;
                    }
                }
            }
            auto theta = top(theta_[static_cast<std::size_t>(pass == Pass::train ? j : 0)]);
            theta.noalias() = top(states_[now][shape.layers - 1].h) * ConstMap(weights + shape.projection(), H, k);
            theta.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(weights + shape.projection_bias(), k);
            for (Index s = 0; s < shape.skips; ++s) {
                const Index column = w.max_lag + j - skip_lag(shape, lags, s);
                theta.col(0) += weights[shape.skip() + s] * w.history.col(column).head(rows);
            }
            if (pass == Pass::train) dtheta_[static_cast<std::size_t>(j)].setZero();
            for (Index r = 0; r < rows; ++r) {
                const T* raw = theta.data() + r * k;
                const Affine& map = w.map[static_cast<std::size_t>(r)];
                T& slot_value = w.history(r, w.max_lag + j);
                if (j < w.known) {
                    const double y = w.target(r, j);
                    if (std::isnan(slot_value)) {  // a missing point of the series (padding before it reads 0)
                        slot_value = static_cast<T>(map.to_network(
                            pass == Pass::sample ? draw(likelihood, raw, map, *rng) : distribution_mean(likelihood, raw, map)));
                    } else if (!std::isnan(y) && j >= w.loss_from) {
                        T* g = pass == Pass::train ? dtheta_[static_cast<std::size_t>(j)].data() + r * k : grad.data();
                        loss += negative_log_likelihood(likelihood, raw, y, map, g);
                        count += 1;
                    }
                } else if (pass == Pass::sample) {
                    const double v = draw(likelihood, raw, map, *rng);
                    slot_value = static_cast<T>(map.to_network(v));
                    (*samples)(r, j - w.known) = static_cast<T>(v);
                }
            }
        }
        return loss;
    }

    /// Adds the gradient of the last train forward()'s summed loss to grad (the layout's size);
    /// `lags` are the forward's.
    void backward(const Layout& shape, const T* weights, const Window<T>& w, const std::vector<int>& lags, T* grad) {
        const Index H = shape.cells, k = shape.outputs, L = shape.layers;
        for (Index l = 0; l < L; ++l) dh_next_[l].setZero(w.rows, H), dc_next_[l].setZero(w.rows, H);
        const ConstMap P(weights + shape.projection(), H, k);
        Map dP(grad + shape.projection(), H, k);
        Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>> dpb(grad + shape.projection_bias(), k);
        for (Index j = w.steps - 1; j >= 0; --j) {
            const auto& dtheta = dtheta_[static_cast<std::size_t>(j)];
            const auto& top = states_[j][L - 1];
            dP.noalias() += top.h.transpose() * dtheta;
            dpb += dtheta.colwise().sum();
            for (Index s = 0; s < shape.skips; ++s)
                grad[shape.skip() + s] += dtheta.col(0).dot(w.history.col(w.max_lag + j - skip_lag(shape, lags, s)));
            dh_.noalias() = dtheta * P.transpose();
            dh_ += dh_next_[L - 1];
            for (Index l = L - 1; l >= 0; --l) {
                const LayerState<T>& s = states_[j][l];
                const Index in = shape.layer_input(l);
                gate_gradients(s, j > 0 ? &states_[j - 1][l].c : nullptr, l, H);
                Map(grad + shape.layer_weights(l), in + H, 4 * H).noalias() += s.z.transpose() * dgates_;
                Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(grad + shape.layer_bias(l), 4 * H) += dgates_.colwise().sum();
                dz_.noalias() = dgates_ * ConstMap(weights + shape.layer_weights(l), in + H, 4 * H).transpose();
                dh_next_[l] = dz_.rightCols(H);
                if (l > 0) {
                    dh_ = dz_.leftCols(H).cwiseProduct(states_[j][l - 1].mask);
                    dh_ += dh_next_[l - 1];
                } else {
                    embedding_gradient(shape, w, dz_, grad);
                }
            }
        }
    }

private:
    static Index slot(Pass pass, Index j) noexcept { return pass == Pass::train ? j : (j & 1); }

    /// The lag of skip weight s: the skips are the longest lags, in order.
    static Index skip_lag(const Layout& shape, const std::vector<int>& lags, Index s) noexcept {
        return lags[lags.size() - static_cast<std::size_t>(shape.skips - s)];
    }

    void prepare(const Layout& shape, Index rows, Index slots) {
        const Index H = shape.cells;
        if (static_cast<Index>(states_.size()) < slots) states_.resize(static_cast<std::size_t>(slots));
        if (static_cast<Index>(theta_.size()) < slots) theta_.resize(static_cast<std::size_t>(slots));
        if (static_cast<Index>(dtheta_.size()) < slots) dtheta_.resize(static_cast<std::size_t>(slots));
        for (Index j = 0; j < slots; ++j) {
            auto& layers = states_[static_cast<std::size_t>(j)];
            layers.resize(static_cast<std::size_t>(shape.layers));
            for (Index l = 0; l < shape.layers; ++l) {
                auto& s = layers[static_cast<std::size_t>(l)];
                s.z.resize(rows, shape.layer_input(l) + H);
                s.gates.resize(rows, 4 * H);
                s.c.resize(rows, H), s.tanh_c.resize(rows, H), s.h.resize(rows, H);
                s.mask.setOnes(rows, H);  // no dropout: backward multiplies by ones
            }
            theta_[static_cast<std::size_t>(j)].resize(rows, shape.outputs);
            dtheta_[static_cast<std::size_t>(j)].resize(rows, shape.outputs);
        }
        dh_next_.resize(static_cast<std::size_t>(shape.layers));
        dc_next_.resize(static_cast<std::size_t>(shape.layers));
    }

    /// The first layer's inputs at step j: the lagged targets, the covariates, the embeddings.
    static void fill_input(const Layout& shape, const T* weights, const Window<T>& w, const std::vector<int>& lags,
                           Index j, Index rows, RowMatrix<T>& z) {
        const auto n_lags = static_cast<Index>(lags.size());
        const Index n_cov = w.covariates.cols(), E = shape.embedding;
        const auto n_cat = static_cast<Index>(shape.cardinality.size());
        for (Index r = 0; r < rows; ++r) {
            T* x = z.data() + r * z.cols();
            for (Index i = 0; i < n_lags; ++i) x[i] = w.history(r, w.max_lag + j - lags[static_cast<std::size_t>(i)]);
            const T* cov = w.covariates.data() + (j * w.rows + r) * n_cov;
            std::copy(cov, cov + n_cov, x + n_lags);
            for (Index c = 0; c < n_cat; ++c) {
                const T* e = weights + shape.embedding_table(static_cast<std::size_t>(c)) +
                             w.cats[static_cast<std::size_t>(r * n_cat + c)] * E;
                std::copy(e, e + E, x + n_lags + n_cov + c * E);
            }
        }
    }

    /// Sigmoid on the input, forget and output gates, tanh on the cell gate (as 2σ(2x) − 1, so
    /// that one SIMD pass covers the whole matrix). `gates`: leading rows of a row-major matrix.
    template <class Rows>
    static void activate(Rows gates, Index H) {
        gates.middleCols(2 * H, H) *= T(2);
        simd::sigmoid(gates.data(), static_cast<std::size_t>(gates.size()), gates.data());
        gates.middleCols(2 * H, H) = (gates.middleCols(2 * H, H).array() * T(2) - T(1)).matrix();
    }

    /// dgates_ from dh_ (the loss's gradient at this layer's h), carrying dc through dc_next_.
    void gate_gradients(const LayerState<T>& s, const RowMatrix<T>* c_prev, Index l, Index H) {
        const auto& g = s.gates;
        const auto i = g.leftCols(H).array(), f = g.middleCols(H, H).array(), u = g.middleCols(2 * H, H).array(),
                   o = g.rightCols(H).array();
        const auto tc = s.tanh_c.array();
        auto& dc_next = dc_next_[static_cast<std::size_t>(l)];
        dc_ = (dh_.array() * o * (T(1) - tc * tc) + dc_next.array()).matrix();
        dgates_.resize(dh_.rows(), 4 * H);
        dgates_.leftCols(H) = (dc_.array() * u * i * (T(1) - i)).matrix();
        if (c_prev)
            dgates_.middleCols(H, H) = (dc_.array() * c_prev->array() * f * (T(1) - f)).matrix();
        else
            dgates_.middleCols(H, H).setZero();
        dgates_.middleCols(2 * H, H) = (dc_.array() * i * (T(1) - u * u)).matrix();
        dgates_.rightCols(H) = (dh_.array() * tc * o * (T(1) - o)).matrix();
        dc_next = (dc_.array() * f).matrix();
    }

    void embedding_gradient(const Layout& shape, const Window<T>& w, const RowMatrix<T>& dz, T* grad) const {
        const auto n_cat = static_cast<Index>(shape.cardinality.size());
        const Index E = shape.embedding, first = shape.covariates;
        for (Index r = 0; r < w.rows; ++r)
            for (Index c = 0; c < n_cat; ++c) {
                T* e = grad + shape.embedding_table(static_cast<std::size_t>(c)) +
                       w.cats[static_cast<std::size_t>(r * n_cat + c)] * E;
                for (Index d = 0; d < E; ++d) e[d] += dz(r, first + c * E + d);
            }
    }

    std::vector<std::vector<LayerState<T>>> states_;  ///< [step slot][layer]
    std::vector<RowMatrix<T>> theta_, dtheta_;        ///< the likelihood's raw parameters per step, and their gradient
    std::vector<RowMatrix<T>> dh_next_, dc_next_;     ///< per layer: gradients flowing to the step before
    RowMatrix<T> dh_, dc_, dgates_, dz_;
};

}  // namespace shelf::deepar::detail
