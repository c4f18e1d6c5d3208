// shelf/neighbors/projection.hpp: the random projections k-NN applies before indexing
// (dimension_reduction_type), which keep distances within the Johnson–Lindenstrauss bound.
//
//   sign: x ↦ x R with R a d × t matrix of random ±1/√t (Achlioptas 2003): one GEMM.
//   fjlt: x ↦ (1/√t) · S H D x (Ailon & Chazelle 2009, in its subsampled randomized Hadamard
//         form): D random signs, H the Walsh–Hadamard transform of x zero-padded to a power of
//         two (O(d log d), no d × t matrix), S t coordinates drawn without replacement.
// Both preserve squared norms in expectation; the draws come from the model's seed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include <Eigen/Core>

#include "params.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/random.hpp"
#include "shelf/core/types.hpp"

namespace shelf::knn {

template <class T>
class Projection {
public:
    Projection() = default;

    /// A draw of `type` from d to t dimensions (none: the identity, t = d).
    Projection(Reduction type, Index d, Index t, Rng& rng) : type_(type), in_(d), out_(type == Reduction::none ? d : t) {
        const T scale = T(1) / std::sqrt(static_cast<T>(out_));
        if (type_ == Reduction::sign) {
            matrix_.resize(d, out_);
            for (Index i = 0; i < d; ++i)
                for (Index j = 0; j < out_; ++j) matrix_(i, j) = (rng() & 1) ? scale : -scale;
        } else if (type_ == Reduction::fjlt) {
            Index padded = 1;
            while (padded < d) padded *= 2;
            signs_.resize(static_cast<std::size_t>(padded));
            for (auto& s : signs_) s = static_cast<std::uint8_t>(rng() & 1);
            std::vector<std::int64_t> all(static_cast<std::size_t>(padded));
            std::iota(all.begin(), all.end(), std::int64_t{0});
            for (Index j = 0; j < out_; ++j)  // a partial Fisher–Yates shuffle: t distinct coordinates
                std::swap(all[static_cast<std::size_t>(j)],
                          all[static_cast<std::size_t>(j) + rng.uniform_index(static_cast<std::uint64_t>(padded - j))]);
            coordinates_.assign(all.begin(), all.begin() + out_);
        }
    }

    Reduction type() const noexcept { return type_; }
    Index input_dim() const noexcept { return in_; }
    Index output_dim() const noexcept { return out_; }

    /// The rows of X projected (X itself for none: callers skip the call).
    RowMatrix<T> apply(const MatrixView<T>& X, int threads) const {
        const Index n = X.rows();
        RowMatrix<T> out(n, out_);
        if (type_ == Reduction::none) {
            out = X;
        } else if (type_ == Reduction::sign) {
            with_eigen_threads(threads, [&] { out.noalias() = X * matrix_; });
        } else {
            const Index padded = static_cast<Index>(signs_.size());
            const T scale = T(1) / std::sqrt(static_cast<T>(out_));
            const double work = static_cast<double>(n) * static_cast<double>(padded) * std::log2(static_cast<double>(padded));
            parallel_for(team_size(threads, n, work), n, Schedule::even, [&](int) { return std::vector<T>(static_cast<std::size_t>(padded)); },
                         [&](Index i, std::vector<T>& y) {
                             for (Index j = 0; j < padded; ++j)
                                 y[static_cast<std::size_t>(j)] = j >= in_ ? T(0) : signs_[static_cast<std::size_t>(j)] ? X(i, j) : -X(i, j);
                             walsh_hadamard(y.data(), padded);
                             for (Index j = 0; j < out_; ++j)
                                 out(i, j) = scale * y[static_cast<std::size_t>(coordinates_[static_cast<std::size_t>(j)])];
                         });
        }
        return out;
    }

    /// What a model file holds of the projection (core/model_fields.hpp).
    template <class Self, class Fields>
    static void fields(Self& p, Fields& f) {
        f("projection.matrix", p.matrix_);
        f("projection.signs", p.signs_);
        f("projection.coordinates", p.coordinates_);
    }

    /// After loading: checks the stored draw against the hyperparameters.
    bool restore(Reduction type, Index d, Index t) {
        type_ = type, in_ = d, out_ = type == Reduction::none ? d : t;
        Index padded = 1;
        while (padded < d) padded *= 2;
        const bool sign_ok = type_ == Reduction::sign ? matrix_.rows() == d && matrix_.cols() == out_ : matrix_.size() == 0;
        const bool fjlt_ok = type_ == Reduction::fjlt
                                 ? static_cast<Index>(signs_.size()) == padded &&
                                       static_cast<Index>(coordinates_.size()) == out_ &&
                                       std::all_of(coordinates_.begin(), coordinates_.end(),
                                                   [&](std::int64_t c) { return c >= 0 && c < padded; })
                                 : signs_.empty() && coordinates_.empty();
        return sign_ok && fjlt_ok;
    }

private:
    /// In place, unnormalised: y ↦ H y for the n × n Walsh–Hadamard matrix (n a power of two).
    static void walsh_hadamard(T* y, Index n) noexcept {
        for (Index h = 1; h < n; h *= 2)
            for (Index i = 0; i < n; i += 2 * h)
                for (Index j = i; j < i + h; ++j) {
                    const T a = y[j], b = y[j + h];
                    y[j] = a + b;
                    y[j + h] = a - b;
                }
    }

    Reduction type_ = Reduction::none;
    Index in_ = 0, out_ = 0;
    RowMatrix<T> matrix_;                    ///< sign: d × t
    std::vector<std::uint8_t> signs_;        ///< fjlt: a sign per padded coordinate, 1 for +
    std::vector<std::int64_t> coordinates_;  ///< fjlt: the t coordinates kept
};

}  // namespace shelf::knn
