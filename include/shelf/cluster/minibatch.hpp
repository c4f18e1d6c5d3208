// shelf/cluster/minibatch.hpp: web-scale mini-batch k-means (Sculley, WWW 2010) over the data stream.
//
// Each mini-batch is assigned to the centers as they stand at its start; then
// every point x of center c takes a gradient step c ← (1 − η)c + ηx with
// η = 1 / (points c has seen). Those steps are running means, so a batch's steps
// for one center fold into c ← (v·c + Σx) / (v + m), v being the center's count
// before the batch and m its points in the batch: the same centers, computed with
// the parallel assignment pass and no per-point loop. With half_life_time_size h,
// counts decay by 2^(−b/h) before a batch of b rows, so a point's weight halves
// after h more points (applied per batch rather than per point).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include <Eigen/Core>

#include "assign.hpp"
#include "init.hpp"
#include "params.hpp"
#include "shelf/core/progress.hpp"
#include "shelf/core/random.hpp"

namespace shelf::kmeans::detail {

template <class T>
struct StreamCenters {
    RowMatrix<T> centers;  ///< K centers in the source's shifted frame
    Vector<double> weight; ///< points each center absorbed (decayed)
    std::int64_t batches = 0;
    bool stopped = false;
};

/// Streams `epochs` shuffled passes of `source` in mini-batches through K centers,
/// initialised by `p.init_method` on the first max(mini_batch_size, K) shuffled rows.
template <class T>
StreamCenters<T> stream_centers(const RowSource<T>& source, Index K, const Params& p, int threads,
                                const ProgressCallback& progress) {
    const Index n = source.count;
    const Index batch = std::min<Index>(p.mini_batch_size, n);
    const Index per_epoch = (n + batch - 1) / batch;
    Rng rng = Rng::for_stream(static_cast<std::uint64_t>(p.seed), 0);
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    rng.shuffle(order.begin(), order.end());

    StreamCenters<T> out;
    out.centers = initial_centers(p.init_method, source.ordered(order.data(), std::min(n, std::max(batch, K))), K, rng,
                                  threads);
    out.weight = Vector<double>::Zero(K);
    const double decay = p.half_life_time_size > 0 ? std::pow(0.5, 1.0 / p.half_life_time_size) : 1.0;
    Eigen::VectorXi labels(batch);
    Vector<T> sqdist(batch);
    const long long total = static_cast<long long>(per_epoch) * p.epochs;
    for (int epoch = 0; epoch < p.epochs && !out.stopped; ++epoch) {
        if (epoch > 0) rng.shuffle(order.begin(), order.end());
        for (Index first = 0; first < n; first += batch) {
            const Index rows = std::min(batch, n - first);
            const CenterSums sums = assign(source.ordered(order.data() + first, rows), out.centers, threads, labels, sqdist, true);
            if (decay < 1) out.weight *= std::pow(decay, static_cast<double>(rows));
            for (Index c = 0; c < K; ++c) {
                if (!(sums.weights[c] > 0)) continue;
                const double v = out.weight[c], m = sums.weights[c];
                out.centers.row(c) = ((v * out.centers.row(c).template cast<double>() + sums.sums.row(c)) / (v + m)).template cast<T>();
                out.weight[c] = v + m;
            }
            ++out.batches;
            if (!report(progress, {"batch", out.batches, total, sums.inertia / static_cast<double>(rows), "batch msd"})) {
                out.stopped = true;
                break;
            }
        }
    }
    return out;
}

}  // namespace shelf::kmeans::detail
