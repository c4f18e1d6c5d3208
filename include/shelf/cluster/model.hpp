// shelf/cluster/model.hpp: a trained k-means model — its centers, what training did,
// and the platform's outputs closest_cluster and distance_to_cluster.
#pragma once

#include <cmath>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "assign.hpp"
#include "params.hpp"
#include "shelf/core/checks.hpp"
#include "shelf/core/parallel.hpp"
#include "shelf/core/model_fields.hpp"
#include "shelf/simd/kernels.hpp"

namespace shelf::kmeans {

/// What training did, for the run that was kept.
struct FitReport {
    /// Inertia at each Lloyd iteration (before that iteration's update): in lloyd mode the
    /// sum of squared distances of the training rows; in minibatch mode the weighted one
    /// of the stream centers in the local run. Never increases, up to rounding.
    std::vector<double> inertia;
    int iterations = 0;                 ///< Lloyd iterations run
    bool converged = false;             ///< stopped by local_lloyd_tol (or no row changed cluster)
    bool stopped = false;               ///< the progress callback asked to stop early
    std::vector<double> trial_inertia;  ///< final inertia of every trial, in trial order
    std::int64_t batches = 0;           ///< mini-batches streamed (minibatch mode)

    friend bool operator==(const FitReport& a, const FitReport& b) {
        return a.inertia == b.inertia && a.iterations == b.iterations && a.converged == b.converged &&
               a.stopped == b.stopped && a.trial_inertia == b.trial_inertia && a.batches == b.batches;
    }
    friend bool operator!=(const FitReport& a, const FitReport& b) { return !(a == b); }
};

/// closest_cluster and distance_to_cluster of each row.
template <class T>
struct Assignment {
    Eigen::VectorXi closest_cluster;  ///< index of the nearest center, 0 .. k − 1 (the lowest on ties)
    Vector<T> distance_to_cluster;    ///< Euclidean (not squared) distance to that center
};

/// A k-means model: k centers of feature_dim coordinates. A value — copyable and
/// compared by content; const methods are safe to call from several threads.
template <class T>
class Model {
    static_assert(std::is_floating_point_v<T>, "shelf::kmeans::Model<T> needs float or double");

public:
    using Scalar = T;

    /// `params` are the resolved hyperparameters (k and feature_dim set).
    Model(Params params, RowMatrix<T> centers, FitReport report = {})
        : params_(std::move(params)), centers_(std::move(centers)), report_(std::move(report)) {}

    const Params& params() const noexcept { return params_; }
    const RowMatrix<T>& centers() const noexcept { return centers_; }
    const FitReport& report() const noexcept { return report_; }
    Index k() const noexcept { return centers_.rows(); }
    Index feature_dim() const noexcept { return centers_.cols(); }

    /// The nearest center of each row of X and the Euclidean distance to it.
    Assignment<T> assign(const MatrixView<T>& X) const {
        check(X, "kmeans predict");
        const Index n = X.rows();
        Assignment<T> out{Eigen::VectorXi::Constant(n, -1), Vector<T>(n)};
        if (n == 0) return out;
        // Shift by the centers' mean: distances are unchanged, and the GEMM expansion keeps its digits.
        const Eigen::Matrix<T, 1, Eigen::Dynamic> shift = centers_.colwise().mean();
        const RowMatrix<T> shifted = centers_.rowwise() - shift;
        const int threads = resolve_threads(params_.num_threads);
        detail::assign<T>(detail::RowSource<T>(X, shift.data()), shifted, threads, out.closest_cluster,
                          out.distance_to_cluster, false);
        // The expansion's rounding is relative to the norms; recompute the kept distance directly.
        const Index d = feature_dim();
        parallel_for(team_size(threads, n, static_cast<double>(n) * static_cast<double>(d)), n, Schedule::even, [&](Index i) {
            out.distance_to_cluster[i] = std::sqrt(simd::squared_l2(X.row(i).data(), centers_.row(out.closest_cluster[i]).data(), d));
        });
        return out;
    }

    /// closest_cluster of each row.
    Eigen::VectorXi predict(const MatrixView<T>& X) const { return assign(X).closest_cluster; }

    /// distance_to_cluster of each row (Euclidean, not squared).
    Vector<T> distance_to_cluster(const MatrixView<T>& X) const { return assign(X).distance_to_cluster; }

    /// ssd: the sum over rows of the squared distance to the closest center.
    double ssd(const MatrixView<T>& X) const {
        const Vector<T> distance = distance_to_cluster(X);
        return distance.template cast<double>().squaredNorm();
    }

    /// msd: the mean over rows of the squared distance to the closest center.
    double msd(const MatrixView<T>& X) const {
        if (X.rows() == 0)
            throw data_error(errc::empty_data, "kmeans msd: X has no rows; expected at least one");
        return ssd(X) / static_cast<double>(X.rows());
    }

    /// What a model file holds (core/model_fields.hpp).
    template <class Self, class Fields>
    static void fields(Self& m, Fields& f) {
        f.params(m.params_);
        f("centers", m.centers_);
        f("report.inertia", m.report_.inertia);
        f("report.trial_inertia", m.report_.trial_inertia);
        f("report.iterations", m.report_.iterations);
        f("report.converged", m.report_.converged);
        f("report.stopped", m.report_.stopped);
        f("report.batches", m.report_.batches);
    }

    void save(std::ostream& out) const { save_model(*this, out); }

    /// Reads a model written by save(); a damaged file or another family's throws model_error.
    static Model load(std::istream& in) {
        Model m;
        load_model(m, in);
        const Params& p = m.params_;
        if (!p.feature_dim || m.centers_.rows() != *p.k || m.centers_.cols() != *p.feature_dim)
            throw model_error(errc::malformed, "the kmeans model's centers are " + std::to_string(m.centers_.rows()) +
                                                   " x " + std::to_string(m.centers_.cols()) +
                                                   ", but its hyperparameters say k = " + std::to_string(*p.k) +
                                                   " and feature_dim = " +
                                                   (p.feature_dim ? std::to_string(*p.feature_dim) : "auto"));
        return m;
    }

    /// Same hyperparameters, centers and report, bit for bit.
    friend bool operator==(const Model& a, const Model& b) { return same_model(a, b); }
    friend bool operator!=(const Model& a, const Model& b) { return !(a == b); }

private:
    Model() = default;

    void check(const MatrixView<T>& X, const char* context) const {
        require_columns(X.cols(), feature_dim(), context);
        require_finite(X, context, Missing::refused, resolve_threads(params_.num_threads));
    }

    Params params_;
    RowMatrix<T> centers_;
    FitReport report_;
};

}  // namespace shelf::kmeans
